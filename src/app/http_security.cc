#include "app/http_security.h"

#include "broker/config_keys_tls.h"
#include "broker/connection_auth.h"
#include "net/tls.h"
#include "security/principal_mapping.h"

namespace spate::app {

bool broker_identity::check_password(const std::string& user, std::string_view password) {
    return _kafka.credentials().store().check_password(user, password);
}

void broker_identity::audit_authentication(const net::connection_info& peer,
                                           std::string_view principal, std::string_view mechanism,
                                           bool success, std::string_view detail) {
    broker::audit_authentication(_kafka.access().audit(), peer, std::string(principal),
                                 std::string(mechanism), success, std::string(detail));
}

bool broker_identity::authorize(const net::connection_info& who, security::acl_operation op,
                                security::resource_type type, std::string_view name,
                                std::string_view action) {
    return _kafka.access().authorize(who, op, type, name, action);
}

bool broker_identity::allowed(const net::connection_info& who, security::acl_operation op,
                              security::resource_type type, std::string_view name) {
    return _kafka.access().allowed(who, op, type, name);
}

namespace {

status https_for(const broker::broker_config& c, http_security& out) {
    if (!c.http.tls) {
        if (c.http.client_auth != "none")
            return make_error(errc::invalid_argument,
                              "spate.http.ssl.client.auth needs spate.http.security.protocol=SSL");
        return {};
    }
    if (c.tls.keystore_location.empty())
        return make_error(errc::invalid_argument,
                          "spate.http.security.protocol=SSL needs ssl.keystore.location");
    net::tls_server_files f = broker::server_tls_files(c.tls, c.http.client_auth);
    if (f.auth != net::client_auth::none && f.truststore_pem.empty())
        return make_error(errc::invalid_argument,
                          "spate.http.ssl.client.auth needs ssl.truststore.location");
    auto src = net::tls_context_source::open(std::move(f));
    if (!src.ok()) return make_error(errc::invalid_argument, "HTTPS: " + src.err().message);
    out.tls_source = [s = *src] { return s->current(); };
    if (c.http.client_auth == "none") return {};
    auto mapper = security::principal_mapper::parse(c.ssl_principal_mapping_rules);
    if (!mapper.ok())
        return make_error(errc::invalid_argument,
                          "ssl.principal.mapping.rules: " + mapper.err().message);
    out.options.certificate_principals =
        std::make_shared<const security::principal_mapper>(std::move(*mapper));
    return {};
}

}  // namespace

result<http_security> make_http_security(const broker::broker_config& c,
                                         broker::kafka_service* kafka) {
    http_security out;
    SPATE_TRY(https_for(c, out));
    const bool basic = c.http.authentication == "basic";
    if (!kafka) {
        if (basic || out.options.certificate_principals)
            return make_error(errc::invalid_argument,
                              "spate.http.authentication=basic and spate.http.ssl.client.auth "
                              "need a local broker (its users and ACLs), not --bootstrap");
        return out;
    }
    out.identity = std::make_shared<broker_identity>(*kafka);
    out.options.identity = out.identity;
    out.options.auth.method =
        basic ? http::authentication_method::basic : http::authentication_method::none;
    out.options.auth.realm = c.http.realm;
    out.options.auth.failed_delay_ms = c.connection_failed_authentication_delay_ms;
    if (out.tls_source) {
        out.on_tls_failure = [id = out.identity](const net::connection_info& peer,
                                                 const std::string& why) {
            id->audit_authentication(peer, "", "SSL", false, "TLS handshake: " + why);
        };
    }
    return out;
}

}  // namespace spate::app
