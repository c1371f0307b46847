#include "broker/config_keys_tls.h"
#include "broker/config_text.h"

#include <algorithm>
#include <stdexcept>

namespace spate::broker {

namespace {

// A key whose only accepted value is PEM (Spate reads no JKS/PKCS12 stores).
broker_key pem_only(const std::string& name, const std::string& doc) {
    auto apply = [=](broker_config&, const std::string& v) -> status {
        if (v != "PEM") return storage::invalid_config_value(name, v, "[PEM]");
        return {};
    };
    auto value = [](const broker_config&) { return std::string("PEM"); };
    return {name, config_kind::string, "[PEM]", doc, false, "", apply, value, in_file(name)};
}

broker_key path(const std::string& name, std::string tls_files::*field, const std::string& doc,
                config_kind kind = config_kind::string, const std::string& range = "a file") {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        c.tls.*field = v;
        return {};
    };
    auto value = [=](const broker_config& c) { return c.tls.*field; };
    return {name, kind, range, doc, false, "", apply, value, in_file(name)};
}

broker_key protocols() {
    const std::string name = "ssl.enabled.protocols";
    const std::string range = "[TLSv1.2, TLSv1.3]";
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        auto list = split_list(v);
        if (list.empty()) return storage::invalid_config_value(name, v, range);
        for (const auto& p : list)
            if (p != "TLSv1.2" && p != "TLSv1.3")
                return storage::invalid_config_value(name, v, range);
        c.tls.enabled_protocols = v;
        return {};
    };
    auto value = [](const broker_config& c) { return c.tls.enabled_protocols; };
    return {
        name,         config_kind::list,
        range,        "TLS versions every TLS endpoint accepts (older ones are always refused).",
        false,        "",
        apply,        value,
        in_file(name)};
}

broker_key key_password() {
    const std::string name = "ssl.key.password";
    auto apply = [](broker_config& c, const std::string& v) -> status {
        c.tls.key_password = v;
        return {};
    };
    auto value = [](const broker_config& c) {
        return c.tls.key_password.empty() ? std::string() : std::string("[hidden]");
    };
    return {name,         config_kind::password,
            "a password", "Password of the encrypted private key in ssl.keystore.location.",
            false,        "",
            apply,        value,
            in_file(name)};
}

broker_key text(const std::string& name, std::string broker_config::*field,
                const std::string& range, const std::string& doc) {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        c.*field = v;
        return {};
    };
    auto value = [=](const broker_config& c) { return c.*field; };
    return {name, config_kind::string, range, doc, false, "", apply, value, in_file(name)};
}

broker_key mechanisms() {
    const std::string name = "sasl.enabled.mechanisms";
    const std::string range = "[PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]";
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        auto out = split_list(v);
        if (out.empty()) return storage::invalid_config_value(name, v, range);
        for (const auto& m : out)
            if (m != "PLAIN" && m != "SCRAM-SHA-256" && m != "SCRAM-SHA-512")
                return storage::invalid_config_value(name, v, range);
        c.sasl_enabled_mechanisms = std::move(out);
        return {};
    };
    auto value = [](const broker_config& c) {
        std::string out;
        for (const auto& m : c.sasl_enabled_mechanisms)
            out += (out.empty() ? "" : ",") + m;
        return out;
    };
    return {name,
            config_kind::list,
            range,
            "SASL mechanisms SASL_PLAINTEXT and SASL_SSL listeners offer (Kafka's default, "
            "GSSAPI, is not served).",
            false,
            "",
            apply,
            value,
            in_file(name)};
}

broker_key reauth_ms() {
    const std::string name = "connections.max.reauth.ms";
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        try {
            size_t used = 0;
            int64_t n = std::stoll(v, &used);
            if (used != v.size() || n < 0) throw std::invalid_argument(v);
            c.connections_max_reauth_ms = n;
        } catch (const std::exception&) {
            return storage::invalid_config_value(name, v, "[0,...]");
        }
        return {};
    };
    auto value = [](const broker_config& c) { return std::to_string(c.connections_max_reauth_ms); };
    return {name,
            config_kind::long_,
            "[0,...]",
            "SASL sessions expire after this long: a connection must re-authenticate "
            "(KIP-368) or is closed at its next request; 0: never.",
            false,
            "",
            apply,
            value,
            in_file(name)};
}

broker_key failed_delay_ms() {
    const std::string name = "connection.failed.authentication.delay.ms";
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        try {
            size_t used = 0;
            int n = std::stoi(v, &used);
            if (used != v.size() || n < 0 || n > 60000) throw std::invalid_argument(v);
            c.connection_failed_authentication_delay_ms = n;
        } catch (const std::exception&) {
            return storage::invalid_config_value(name, v, "[0,...,60000]");
        }
        return {};
    };
    auto value = [](const broker_config& c) {
        return std::to_string(c.connection_failed_authentication_delay_ms);
    };
    return {name,
            config_kind::int_,
            "[0,...,60000]",
            "A failed SASL authentication is answered (and the connection closed) after this "
            "delay, on a timer.",
            false,
            "",
            apply,
            value,
            in_file(name)};
}

}  // namespace

status apply_listener_override(broker_config& c, const std::string& key, const std::string& value) {
    const std::string prefix = "listener.name.";
    auto dot = key.find('.', prefix.size());
    std::string base = dot == std::string::npos ? "" : key.substr(dot + 1);
    if (dot == prefix.size() || !is_listener_override_key(base))
        return make_error(errc::invalid_argument, "unknown configuration key '" + key + "'");
    broker_config scratch;
    if (auto s = find_broker_key(base)->apply(scratch, value); !s.ok())
        return make_error(errc::invalid_argument, key + ": invalid value '" + value + "'");
    c.listener_overrides[key] = value;
    return {};
}

net::tls_server_files server_tls_files(const tls_files& t, const std::string& client_auth) {
    net::tls_server_files f;
    f.keystore_pem = t.keystore_location;
    f.truststore_pem = t.truststore_location;
    if (client_auth == "requested") f.auth = net::client_auth::requested;
    if (client_auth == "required") f.auth = net::client_auth::required;
    f.key_password = t.key_password;
    const auto protocols = split_list(t.enabled_protocols);
    f.tls12 = std::find(protocols.begin(), protocols.end(), "TLSv1.2") != protocols.end();
    f.tls13 = std::find(protocols.begin(), protocols.end(), "TLSv1.3") != protocols.end();
    f.cipher_suites = split_list(t.cipher_suites);
    return f;
}

std::vector<broker_key> tls_settings() {
    auto client_auth_apply = [](broker_config& c, const std::string& v) -> status {
        if (v != "none" && v != "requested" && v != "required")
            return storage::invalid_config_value("ssl.client.auth", v,
                                                 "[none, requested, required]");
        c.tls.client_auth = v;
        return {};
    };
    return {
        pem_only("ssl.keystore.type", "Format of ssl.keystore.location: PEM only."),
        path("ssl.keystore.location", &tls_files::keystore_location,
             "PEM file with the server's certificate chain and private key: SSL and SASL_SSL "
             "listeners' certificate; set, it also turns TLS on for pgwire (SSLRequest)."),
        pem_only("ssl.truststore.type", "Format of ssl.truststore.location: PEM only."),
        path("ssl.truststore.location", &tls_files::truststore_location,
             "PEM file of CA certificates that client certificates must chain to."),
        {"ssl.client.auth", config_kind::string, "[none, requested, required]",
         "Whether TLS clients must present a certificate (none, requested, required).", false, "",
         client_auth_apply, [](const broker_config& c) { return c.tls.client_auth; },
         in_file("ssl.client.auth")},
        text("ssl.principal.mapping.rules", &broker_config::ssl_principal_mapping_rules,
             "RULE:pattern/replacement/[LU],...,DEFAULT",
             "Maps a client certificate's subject (RFC 2253) to the user name of an SSL "
             "listener's principal."),
        text("listener.security.protocol.map", &broker_config::listener_security_protocol_map,
             "NAME:PROTOCOL[,...]",
             "Security protocol of each listener name (default: PLAINTEXT, SSL, SASL_PLAINTEXT "
             "and SASL_SSL map to themselves)."),
        text("inter.broker.listener.name", &broker_config::inter_broker_listener_name,
             "a listener name", "Accepted for compatibility; a single node has no peers."),
        key_password(),
        protocols(),
        path("ssl.cipher.suites", &tls_files::cipher_suites,
             "Cipher suites TLS endpoints offer, comma-separated, by IANA or OpenSSL name "
             "(empty: OpenSSL's defaults); a TLS version none of them belongs to is off.",
             config_kind::list, "NAME[,...]"),
        mechanisms(),
        reauth_ms(),
        failed_delay_ms(),
    };
}

}  // namespace spate::broker
