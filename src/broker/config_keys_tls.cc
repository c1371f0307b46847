#include "broker/config_keys_tls.h"

namespace spate::broker {

namespace {

std::function<bool(const broker_config&)> in_file(const std::string& name) {
    return [name](const broker_config& c) { return c.file_settings.contains(name); };
}

// A key whose only accepted value is PEM (Spate reads no JKS/PKCS12 stores).
broker_key pem_only(const std::string& name, const std::string& doc) {
    auto apply = [=](broker_config&, const std::string& v) -> status {
        if (v != "PEM") return storage::invalid_config_value(name, v, "[PEM]");
        return {};
    };
    auto value = [](const broker_config&) { return std::string("PEM"); };
    return {name, config_kind::string, "[PEM]", doc, false, "", apply, value, in_file(name)};
}

broker_key path(const std::string& name, std::string tls_files::*field, const std::string& doc) {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        c.tls.*field = v;
        return {};
    };
    auto value = [=](const broker_config& c) { return c.tls.*field; };
    return {name, config_kind::string, "a file", doc, false, "", apply, value, in_file(name)};
}

}  // namespace

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
             "PEM file with the server's certificate chain and private key; set, it turns "
             "TLS on for pgwire (SSLRequest)."),
        pem_only("ssl.truststore.type", "Format of ssl.truststore.location: PEM only."),
        path("ssl.truststore.location", &tls_files::truststore_location,
             "PEM file of CA certificates that client certificates must chain to."),
        {"ssl.client.auth", config_kind::string, "[none, requested, required]",
         "Whether TLS clients must present a certificate (none, requested, required).", false, "",
         client_auth_apply, [](const broker_config& c) { return c.tls.client_auth; },
         in_file("ssl.client.auth")},
    };
}

}  // namespace spate::broker
