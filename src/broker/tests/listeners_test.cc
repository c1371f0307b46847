// Named listeners: `listeners`, `listener.security.protocol.map`,
// `advertised.listeners` and `listener.name.<name>.` overrides.

#include <gtest/gtest.h>

#include "broker/broker_config.h"
#include "broker/config_keys.h"
#include "broker/config_keys_tls.h"
#include "broker/listeners.h"

namespace spate::broker {
namespace listeners_test {
namespace {

TEST(listeners, parses_names_hosts_and_ports) {
    auto l = parse_listener_list("PLAINTEXT://127.0.0.1:9092, sasl_ssl://:9093,SSL://[::1]:9094");
    ASSERT_TRUE(l.ok()) << l.err().message;
    ASSERT_EQ(l->size(), 3u);
    EXPECT_EQ((*l)[0], (listener_endpoint{"PLAINTEXT", "127.0.0.1", 9092}));
    EXPECT_EQ((*l)[1], (listener_endpoint{"SASL_SSL", "", 9093}));
    EXPECT_EQ((*l)[2], (listener_endpoint{"SSL", "::1", 9094}));
    EXPECT_EQ(listener_list_text(*l),
              "PLAINTEXT://127.0.0.1:9092,SASL_SSL://:9093,SSL://[::1]:9094");
}

TEST(listeners, refuses_repeated_names_and_malformed_entries) {
    EXPECT_FALSE(parse_listener_list("PLAINTEXT://a:1,PLAINTEXT://b:2").ok());
    EXPECT_FALSE(parse_listener_list("127.0.0.1:9092").ok());
    EXPECT_FALSE(parse_listener_list("PLAIN-TEXT://a:1").ok());
    EXPECT_FALSE(parse_listener_list("PLAINTEXT://a:99999").ok());
    EXPECT_FALSE(parse_listener_list("").ok());
}

TEST(listeners, protocols_come_from_the_map_with_kafka_defaults) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "listeners", "CLIENT://127.0.0.1:0,SASL_SSL://127.0.0.1:0").ok());
    EXPECT_FALSE(resolve_listeners(c).ok());  // CLIENT is not in the default map
    ASSERT_TRUE(apply_setting(c, "listener.security.protocol.map",
                              "CLIENT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL")
                    .ok());
    auto r = resolve_listeners(c);
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].protocol, security_protocol::sasl_plaintext);
    EXPECT_EQ((*r)[1].protocol, security_protocol::sasl_ssl);
    EXPECT_FALSE(apply_setting(c, "listener.security.protocol.map", "CLIENT:TLS").ok() &&
                 resolve_listeners(c).ok());
}

TEST(listeners, default_is_one_plaintext_listener_on_the_listen_address) {
    broker_config c;
    c.listen_host = "0.0.0.0";
    c.listen_port = 19092;
    auto r = resolve_listeners(c);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].address, (listener_endpoint{"PLAINTEXT", "0.0.0.0", 19092}));
    EXPECT_EQ((*r)[0].protocol, security_protocol::plaintext);
}

TEST(listeners, kafka_listen_overrides_the_first_listener_only) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "listeners", "PLAINTEXT://a:1,SASL_SSL://b:2").ok());
    c.listen_host = "127.0.0.1";  // as --kafka-listen 127.0.0.1:0 sets it
    c.listen_port = 0;
    auto r = resolve_listeners(c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0].address, (listener_endpoint{"PLAINTEXT", "127.0.0.1", 0}));
    EXPECT_EQ((*r)[1].address, (listener_endpoint{"SASL_SSL", "b", 2}));
    EXPECT_EQ(find_broker_key("listeners")->value(c), "PLAINTEXT://127.0.0.1:0,SASL_SSL://b:2");
}

TEST(listeners, advertised_addresses_by_name) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "listeners", "PLAINTEXT://:9092,SASL_SSL://:9093").ok());
    ASSERT_TRUE(apply_setting(c, "advertised.listeners",
                              "PLAINTEXT://p.example:19092,SASL_SSL://s.example:19093")
                    .ok());
    auto r = resolve_listeners(c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0].advertised_host, "p.example");
    EXPECT_EQ((*r)[1].advertised_host, "s.example");
    EXPECT_EQ((*r)[1].advertised_port, 19093);
    ASSERT_TRUE(apply_setting(c, "advertised.listeners", "OTHER://x:1").ok());
    EXPECT_FALSE(resolve_listeners(c).ok());
}

TEST(listeners, per_listener_overrides_are_checked_as_their_key) {
    broker_config c;
    ASSERT_TRUE(
        apply_setting(c, "listener.name.sasl_ssl.ssl.keystore.location", "/etc/k.pem").ok());
    ASSERT_TRUE(apply_setting(c, "listener.name.internal.sasl.enabled.mechanisms", "PLAIN").ok());
    EXPECT_FALSE(apply_setting(c, "listener.name.x.sasl.enabled.mechanisms", "GSSAPI").ok());
    EXPECT_FALSE(apply_setting(c, "listener.name.x.ssl.client.auth", "maybe").ok());
    EXPECT_FALSE(apply_setting(c, "listener.name.x.num.partitions", "3").ok());
    EXPECT_EQ(listener_override(c, "SASL_SSL", "ssl.keystore.location"), "/etc/k.pem");
    EXPECT_EQ(listener_override(c, "SSL", "ssl.keystore.location"), std::nullopt);
}

TEST(listeners, sasl_settings_parse) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "sasl.enabled.mechanisms", "SCRAM-SHA-512, PLAIN").ok());
    EXPECT_EQ(c.sasl_enabled_mechanisms, (std::vector<std::string>{"SCRAM-SHA-512", "PLAIN"}));
    EXPECT_FALSE(apply_setting(c, "sasl.enabled.mechanisms", "GSSAPI").ok());
    ASSERT_TRUE(apply_setting(c, "connections.max.reauth.ms", "60000").ok());
    EXPECT_EQ(c.connections_max_reauth_ms, 60000);
    EXPECT_FALSE(apply_setting(c, "connections.max.reauth.ms", "-1").ok());
}

TEST(listeners, tls_protocols_suites_and_key_password_reach_the_server_files) {
    broker_config c;
    EXPECT_FALSE(apply_setting(c, "ssl.enabled.protocols", "TLSv1.1,TLSv1.2").ok());
    EXPECT_FALSE(apply_setting(c, "ssl.enabled.protocols", "").ok());
    ASSERT_TRUE(apply_setting(c, "ssl.enabled.protocols", "TLSv1.3").ok());
    ASSERT_TRUE(apply_setting(c, "ssl.cipher.suites",
                              "TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                    .ok());
    ASSERT_TRUE(apply_setting(c, "ssl.key.password", "s3cret").ok());
    ASSERT_TRUE(apply_setting(c, "listener.name.ssl.ssl.enabled.protocols", "TLSv1.2").ok());
    EXPECT_FALSE(apply_setting(c, "listener.name.ssl.ssl.enabled.protocols", "SSLv3").ok());
    auto f = server_tls_files(c.tls, "required");
    EXPECT_FALSE(f.tls12);
    EXPECT_TRUE(f.tls13);
    EXPECT_EQ(f.cipher_suites, (std::vector<std::string>{"TLS_AES_128_GCM_SHA256",
                                                         "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}));
    EXPECT_EQ(f.key_password, "s3cret");
    EXPECT_EQ(f.auth, net::client_auth::required);
    // DescribeConfigs never shows the password.
    EXPECT_EQ(find_broker_key("ssl.key.password")->value(c), "[hidden]");
}

}  // namespace
}  // namespace listeners_test
}  // namespace spate::broker
