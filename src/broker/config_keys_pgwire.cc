#include "broker/config_keys_pgwire.h"
#include "broker/config_text.h"

namespace spate::broker {

namespace {

// spate.sql.kafka.<property>: one Kafka client property of the SQL engine.
broker_key sql_client_key(const std::string& property, const std::string& range,
                          const std::string& doc, bool secret = false) {
    const std::string name = "spate.sql.kafka." + property;
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        auto value = trim_blanks(v);
        if (value.empty())
            c.pgwire.sql_kafka_client.erase(property);
        else
            c.pgwire.sql_kafka_client[property] = value;
        return {};
    };
    auto value = [=](const broker_config& c) -> std::string {
        auto it = c.pgwire.sql_kafka_client.find(property);
        if (it == c.pgwire.sql_kafka_client.end()) return "";
        return secret ? "[hidden]" : it->second;
    };
    return {name,         secret ? config_kind::password : config_kind::string,
            range,        doc,
            false,        "",
            apply,        value,
            in_file(name)};
}

}  // namespace

std::vector<broker_key> pgwire_settings_keys() {
    const std::string auth_name = "spate.pgwire.authentication";
    const std::string auth_range = "[trust, password, scram-sha-256]";
    auto auth_apply = [=](broker_config& c, const std::string& v) -> status {
        auto m = lower_ascii(trim_blanks(v));
        if (m != "trust" && m != "password" && m != "scram-sha-256")
            return storage::invalid_config_value(auth_name, v, auth_range);
        c.pgwire.authentication = m;
        return {};
    };
    const std::string tls_name = "spate.pgwire.ssl.required";
    auto tls_apply = [=](broker_config& c, const std::string& v) -> status {
        auto b = lower_ascii(trim_blanks(v));
        if (b != "true" && b != "false")
            return storage::invalid_config_value(tls_name, v, "[true, false]");
        c.pgwire.ssl_required = b == "true";
        return {};
    };
    return {
        {auth_name, config_kind::string, auth_range,
         "How pgwire clients authenticate: trust (the startup user, unchecked), password "
         "(cleartext, checked against the user's SCRAM credential) or scram-sha-256; users are "
         "the Kafka users of __spate_credentials (spate user create).",
         false, "", auth_apply, [](const broker_config& c) { return c.pgwire.authentication; },
         in_file(auth_name)},
        {tls_name, config_kind::boolean, "[true, false]",
         "Refuse pgwire clients that do not switch to TLS (sslmode=require); needs "
         "ssl.keystore.location.",
         false, "", tls_apply,
         [](const broker_config& c) {
             return std::string(c.pgwire.ssl_required ? "true" : "false");
         },
         in_file(tls_name)},
        sql_client_key("security.protocol", "[PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]",
                       "Security protocol of the SQL engine's Kafka clients; the engine dials the "
                       "local listener of this protocol (default: the first PLAINTEXT listener, "
                       "else the first)."),
        sql_client_key("sasl.mechanism", "[PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]",
                       "SASL mechanism of the SQL engine's Kafka clients."),
        sql_client_key("sasl.username", "a user",
                       "User the SQL engine's Kafka clients authenticate as; give it the ACLs "
                       "the engine needs or list it in super.users."),
        sql_client_key("sasl.password", "a password",
                       "Password of spate.sql.kafka.sasl.username (DescribeConfigs hides it).",
                       true),
        sql_client_key("ssl.ca.location", "a file",
                       "PEM CA certificates the SQL engine's Kafka clients trust (SSL, SASL_SSL)."),
        sql_client_key("ssl.certificate.location", "a file",
                       "PEM client certificate of the SQL engine's Kafka clients (mTLS)."),
        sql_client_key("ssl.key.location", "a file",
                       "PEM private key of spate.sql.kafka.ssl.certificate.location."),
    };
}

}  // namespace spate::broker
