#include "broker/config_keys_http.h"
#include "broker/config_text.h"

namespace spate::broker {

namespace {

// A key taking one of `choices` into a string field of c.http.
broker_key http_choice(const std::string& name, std::string http_security_settings::*field,
                       std::vector<std::string> choices, const std::string& doc) {
    std::string range;
    for (const auto& c : choices)
        range += (range.empty() ? "[" : ", ") + c;
    range += "]";
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        auto t = trim_blanks(v);
        for (const auto& ok : choices)
            if (t == ok) {
                c.http.*field = t;
                return {};
            }
        return storage::invalid_config_value(name, v, range);
    };
    auto value = [=](const broker_config& c) { return c.http.*field; };
    return {name, config_kind::string, range, doc, false, "", apply, value, in_file(name)};
}

}  // namespace

std::vector<broker_key> http_security_keys() {
    const std::string protocol = "spate.http.security.protocol";
    auto protocol_apply = [=](broker_config& c, const std::string& v) -> status {
        auto t = trim_blanks(v);
        if (t != "PLAINTEXT" && t != "SSL")
            return storage::invalid_config_value(protocol, v, "[PLAINTEXT, SSL]");
        c.http.tls = t == "SSL";
        return {};
    };
    auto realm_apply = [](broker_config& c, const std::string& v) -> status {
        auto t = trim_blanks(v);
        if (t.empty() || t.find_first_of("\"\\\r\n") != std::string::npos)
            return storage::invalid_config_value("spate.http.authentication.realm", v,
                                                 "a non-empty name without quotes");
        c.http.realm = t;
        return {};
    };
    return {
        {protocol, config_kind::string, "[PLAINTEXT, SSL]",
         "The HTTP (schema registry) listener's protocol: SSL serves HTTPS only, with the "
         "certificate of ssl.keystore.location (reloaded when its files change), TLS 1.2/1.3.",
         false, "", protocol_apply,
         [](const broker_config& c) { return std::string(c.http.tls ? "SSL" : "PLAINTEXT"); },
         in_file(protocol)},
        http_choice("spate.http.ssl.client.auth", &http_security_settings::client_auth,
                    {"none", "requested", "required"},
                    "Whether HTTPS clients must present a certificate chaining to "
                    "ssl.truststore.location; its subject, mapped by ssl.principal.mapping.rules, "
                    "is the principal (ssl.client.auth is the Kafka SSL listeners')."),
        http_choice("spate.http.authentication", &http_security_settings::authentication,
                    {"none", "basic"},
                    "HTTP authentication: basic checks HTTP Basic credentials against the users "
                    "of spate user (as SASL PLAIN); a request without them is refused (401) "
                    "unless its connection presented a client certificate."),
        {"spate.http.authentication.realm", config_kind::string, "a name",
         "The realm of the WWW-Authenticate header of HTTP 401 answers.", false, "", realm_apply,
         [](const broker_config& c) { return c.http.realm; },
         in_file("spate.http.authentication.realm")},
    };
}

}  // namespace spate::broker
