#include "broker/kafka_service.h"
#include "broker/config_keys_tls.h"
#include "broker/config_text.h"

#include <cctype>

#include "base/log.h"
#include "broker/connection.h"
#include "net/tls.h"
#include "security/principal_mapping.h"

namespace spate::broker {

namespace {

// A listener's value of `key`: its listener.name.<name>. override, else the
// broker-wide value.
std::string setting(const broker_config& c, const std::string& listener, const std::string& key,
                    const std::string& broker_wide) {
    return listener_override(c, listener, key).value_or(broker_wide);
}

result<std::shared_ptr<net::tls_context_source>> tls_for(const broker_config& c,
                                                         const kafka_listener& l) {
    const std::string& n = l.address.name;
    tls_files t = c.tls;
    t.keystore_location = setting(c, n, "ssl.keystore.location", c.tls.keystore_location);
    t.truststore_location = setting(c, n, "ssl.truststore.location", c.tls.truststore_location);
    t.key_password = setting(c, n, "ssl.key.password", c.tls.key_password);
    t.enabled_protocols = setting(c, n, "ssl.enabled.protocols", c.tls.enabled_protocols);
    t.cipher_suites = setting(c, n, "ssl.cipher.suites", c.tls.cipher_suites);
    // KIP-684: the broker-wide ssl.client.auth applies to SSL listeners only.
    std::string auth =
        listener_override(c, n, "ssl.client.auth")
            .value_or(l.protocol == security_protocol::ssl ? c.tls.client_auth : "none");
    net::tls_server_files f = server_tls_files(t, auth);
    if (f.keystore_pem.empty())
        return make_error(errc::invalid_argument,
                          "listener " + n + " (" + security_protocol_name(l.protocol) +
                              ") needs ssl.keystore.location (or listener.name." + lower_ascii(n) +
                              ".ssl.keystore.location)");
    return net::tls_context_source::open(std::move(f));
}

result<listener_security> security_for(const broker_config& c, const kafka_listener& l,
                                       const security::credential_store& users,
                                       security::audit_log* audit) {
    listener_security sec;
    sec.audit = audit;
    sec.name = l.address.name;
    sec.protocol = l.protocol;
    sec.users = &users;
    sec.failed_delay_ms = c.connection_failed_authentication_delay_ms;
    // Overrides were validated as their keys: parse them the same way.
    broker_config scratch = c;
    for (const std::string key : {"sasl.enabled.mechanisms", "connections.max.reauth.ms"})
        if (auto v = listener_override(c, sec.name, key))
            SPATE_TRY(apply_setting(scratch, key, *v));
    sec.mechanisms = scratch.sasl_enabled_mechanisms;
    sec.max_reauth_ms = scratch.connections_max_reauth_ms;
    return sec;
}

}  // namespace

kafka_service::kafka_service(const broker_config& config, storage_service& storage,
                             coordinator_service& coordinators, net::listener_options listen)
    : _config(config), _storage(storage), _coordinators(coordinators), _listen(std::move(listen)) {}

kafka_service::~kafka_service() = default;

status kafka_service::start(net::runtime& rt) {
    auto listeners = resolve_listeners(_config);
    if (!listeners.ok()) return listeners.err();
    _cluster.emplace(_config, _storage.cluster_id());
    _sessions.emplace(static_cast<size_t>(_config.max_fetch_sessions));
    auto dynamic = dynamic_broker_configs::load(_config.data_dir);
    if (!dynamic.ok()) return dynamic.err();
    _dynamic_configs.emplace(std::move(*dynamic));
    auto access = access_control::open(_config.authz, _storage.logs());
    if (!access.ok()) return access.err();
    _access = std::move(*access);
    _storage.topics().mark_internal(k_acls_topic);
    _dynamic_configs->set_static(_config);
    _topic_defaults.emplace(_storage.logs());
    _cleaner_backoff.emplace(_storage.logs());
    _dynamic_configs->add_observer(&*_topic_defaults);
    _dynamic_configs->add_observer(&*_cleaner_backoff);
    _io_threads.emplace(rt);
    _dynamic_configs->add_observer(&*_io_threads);
    _io_threads->on_broker_configs_changed(_dynamic_configs->effective());
    _credentials = std::make_unique<credential_log>(_storage.logs());
    SPATE_TRY(_credentials->load());
    _storage.topics().mark_internal(k_credentials_topic);
    _quotas = std::make_unique<client_quotas>(_storage.logs(),
                                              int64_t{_config.quota_window_size_seconds} * 1000,
                                              _config.quota_window_num);
    SPATE_TRY(_quotas->load());
    _storage.topics().mark_internal(k_quotas_topic);
    auto* coordinators = &_coordinators;
    _deps.emplace(handler_deps{
        .cluster = *_cluster,
        .topics = _storage.topics(),
        .appends = _storage.appends(),
        .fetch_sessions = *_sessions,
        .groups = _coordinators.groups(),
        .txns = _coordinators.transactions(),
        .transaction_log = [coordinators] { return coordinators->transaction_log(); },
        .schema_validators = _schema_validators,
        .dynamic_configs = *_dynamic_configs,
        .access = *_access,
        .credentials = _credentials.get(),
        .quotas = _quotas.get(),
    });
    for (size_t i = 0; i < listeners->size(); ++i)
        SPATE_TRY(start_listener(rt, (*listeners)[i], i == 0));
    return {};
}

status kafka_service::start_listener(net::runtime& rt, const kafka_listener& l, bool first) {
    net::listener_options opts = _listen;
    if (!first) {
        opts.name = "kafka-" + lower_ascii(l.address.name);
        opts.flag = "listeners " + l.address.name;
        opts.host = l.address.host;
        opts.port = l.address.port;
    }
    opts.tls = nullptr;
    if (uses_tls(l.protocol)) {
        auto src = tls_for(_config, l);
        if (!src.ok()) return src.err();
        opts.tls_source = [src = *src] { return src->current(); };
    }
    auto sec = security_for(_config, l, _credentials->store(), _access->audit());
    if (!sec.ok()) return sec.err();
    _security.push_back(std::make_unique<listener_security>(std::move(*sec)));
    const listener_security* secp = _security.back().get();
    if (uses_tls(l.protocol)) {
        opts.on_tls_failure = [secp](const net::connection_info& peer, const std::string& why) {
            net::connection_info who = peer;
            who.listener = secp->name;
            audit_authentication(secp->audit, who, "", "SSL", false, "TLS handshake: " + why);
        };
    }
    std::shared_ptr<const security::principal_mapper> mapper;
    if (l.protocol == security_protocol::ssl) {
        auto rules = setting(_config, l.address.name, "ssl.principal.mapping.rules",
                             _config.ssl_principal_mapping_rules);
        auto m = security::principal_mapper::parse(rules);
        if (!m.ok())
            return make_error(errc::invalid_argument,
                              "ssl.principal.mapping.rules: " + m.err().message);
        mapper = std::make_shared<const security::principal_mapper>(std::move(*m));
    }
    handler_deps& deps = *_deps;
    const broker_config& config = _config;
    auto factory = [&deps, &config, secp, mapper](
                       net::stream s,
                       net::connection_info info) -> std::shared_ptr<net::connection> {
        info.listener = secp->name;
        info.security_protocol = security_protocol_name(secp->protocol);
        if (mapper) {
            if (auto dn = s.peer_certificate_subject()) {
                auto user = mapper->map(*dn);
                if (!user.ok()) {
                    logging::get("security")
                        .warn("refusing {}:{} on {}: certificate subject '{}': {}",
                              info.peer_address, info.peer_port, secp->name, *dn,
                              user.err().message);
                    audit_authentication(secp->audit, info, *dn, "mTLS", false, user.err().message);
                    return nullptr;
                }
                info.user = {"User", *user};
                logging::get("security")
                    .info("authenticated: listener {} peer {}:{} as User:{} (certificate)",
                          secp->name, info.peer_address, info.peer_port, *user);
                audit_authentication(secp->audit, info, info.user.to_string(), "mTLS", true, *dn);
            }
        }
        return std::make_shared<connection>(deps, config, std::move(s), std::move(info), secp);
    };
    _listeners.push_back(std::make_unique<net::listener>(opts, std::move(factory)));
    auto& nl = *_listeners.back();
    SPATE_TRY(nl.start(rt));
    std::string host = l.advertised_host.empty() ? opts.host : l.advertised_host;
    uint16_t port = l.advertised_port ? l.advertised_port : nl.port();
    if (first) _cluster->set_advertised(host, port);
    _cluster->set_advertised(l.address.name, host, port);
    return {};
}

void kafka_service::stop() {
    for (auto& l : _listeners)
        l->stop();
}

size_t kafka_service::connection_count() {
    size_t n = 0;
    for (auto& l : _listeners)
        n += l->connection_count();
    return n;
}

std::vector<kafka_service::endpoint> kafka_service::endpoints() const {
    std::vector<endpoint> out;
    for (size_t i = 0; i < _listeners.size(); ++i)
        out.push_back({_security[i]->name, _security[i]->protocol, _listeners[i]->options().host,
                       _listeners[i]->port()});
    return out;
}

net::connection_factory kafka_connection_factory(handler_deps& deps, const broker_config& config) {
    return [&deps, &config](net::stream s,
                            net::connection_info info) -> std::shared_ptr<net::connection> {
        return std::make_shared<connection>(deps, config, std::move(s), std::move(info));
    };
}

}  // namespace spate::broker
