#include "kafka/client/config.h"

#include <strings.h>

namespace spate::kafka::client {

namespace {

bool same_text(std::string_view a, const char* b) {
    return a.size() == std::char_traits<char>::length(b) &&
           ::strncasecmp(a.data(), b, a.size()) == 0;
}

constexpr security_protocol k_protocols[] = {security_protocol::plaintext, security_protocol::ssl,
                                             security_protocol::sasl_plaintext,
                                             security_protocol::sasl_ssl};
constexpr sasl_mechanism k_mechanisms[] = {sasl_mechanism::plain, sasl_mechanism::scram_sha_256,
                                           sasl_mechanism::scram_sha_512};

}  // namespace

const char* security_protocol_name(security_protocol p) {
    switch (p) {
        case security_protocol::plaintext:
            return "PLAINTEXT";
        case security_protocol::ssl:
            return "SSL";
        case security_protocol::sasl_plaintext:
            return "SASL_PLAINTEXT";
        case security_protocol::sasl_ssl:
            return "SASL_SSL";
    }
    return "?";
}

std::optional<security_protocol> parse_security_protocol(std::string_view s) {
    for (auto p : k_protocols)
        if (same_text(s, security_protocol_name(p))) return p;
    return std::nullopt;
}

const char* sasl_mechanism_name(sasl_mechanism m) {
    switch (m) {
        case sasl_mechanism::plain:
            return "PLAIN";
        case sasl_mechanism::scram_sha_256:
            return "SCRAM-SHA-256";
        case sasl_mechanism::scram_sha_512:
            return "SCRAM-SHA-512";
    }
    return "?";
}

std::optional<sasl_mechanism> parse_sasl_mechanism(std::string_view s) {
    for (auto m : k_mechanisms)
        if (same_text(s, sasl_mechanism_name(m))) return m;
    return std::nullopt;
}

property_list base_properties(const client_config& c) {
    property_list out = {{"bootstrap.servers", c.bootstrap},
                         {"client.id", c.client_id},
                         {"log.connection.close", "false"},
                         {"allow.auto.create.topics", "false"}};
    const auto proto = c.security_protocol;
    if (proto != security_protocol::plaintext)
        out.emplace_back("security.protocol", security_protocol_name(proto));
    if (uses_sasl(proto)) {
        out.emplace_back("sasl.mechanisms", sasl_mechanism_name(c.sasl_mechanism));
        out.emplace_back("sasl.username", c.sasl_username);
        out.emplace_back("sasl.password", c.sasl_password);
    }
    if (uses_tls(proto)) {
        auto set = [&out](const char* key, const std::string& v) {
            if (!v.empty()) out.emplace_back(key, v);
        };
        set("ssl.ca.location", c.ssl_ca_location);
        set("ssl.certificate.location", c.ssl_certificate_location);
        set("ssl.key.location", c.ssl_key_location);
        set("ssl.key.password", c.ssl_key_password);
        out.emplace_back("ssl.endpoint.identification.algorithm",
                         c.ssl_verify_hostname ? "https" : "none");
    }
    out.insert(out.end(), c.properties.begin(), c.properties.end());
    return out;
}

}  // namespace spate::kafka::client
