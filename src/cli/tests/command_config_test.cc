// --command-config on every Kafka client command, and client_config_for.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/acl_args.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace spate::cli {
namespace command_config_test {
namespace {

using v = std::vector<std::string>;
namespace kc = kafka::client;

class properties_file {
  public:
    explicit properties_file(const std::string& text) {
        char tmpl[] = "/tmp/spate_cli_cc_XXXXXX";
        int fd = ::mkstemp(tmpl);
        EXPECT_GE(fd, 0);
        ::close(fd);
        path = tmpl;
        std::ofstream(path) << text;
    }
    ~properties_file() { std::filesystem::remove(path); }
    std::string path;
};

TEST(command_config, every_kafka_command_takes_it) {
    properties_file f("security.protocol=SSL\n");
    const v cc{"--command-config", f.path};
    auto with = [&cc](v args) {
        args.insert(args.end(), cc.begin(), cc.end());
        return args;
    };
    EXPECT_EQ(parse_topic_create(with({"t"}))->command_config, f.path);
    EXPECT_EQ(parse_topic_name(with({}), false)->command_config, f.path);
    EXPECT_EQ(parse_topic_name(with({"t"}), true)->command_config, f.path);
    EXPECT_EQ(parse_topic_alter_config(with({"t", "--set", "a=1"}))->command_config, f.path);
    EXPECT_EQ(parse_topic_delete_records(with({"t", "--partition", "0", "--before", "1"}))
                  ->command_config,
              f.path);
    EXPECT_EQ(parse_produce(with({"t"}))->command_config, f.path);
    EXPECT_EQ(parse_consume(with({"t"}))->command_config, f.path);
    EXPECT_EQ(parse_group_list(with({}))->command_config, f.path);
    EXPECT_EQ(parse_group_describe(with({"g"}))->command_config, f.path);
    EXPECT_EQ(parse_group_reset(with({"g", "--all-topics", "--to-earliest"}))->command_config,
              f.path);
    EXPECT_EQ(parse_group_delete(with({"g"}))->command_config, f.path);
    EXPECT_EQ(parse_txn_list(with({}))->command_config, f.path);
    EXPECT_EQ(parse_txn_describe(with({"x"}))->command_config, f.path);
    EXPECT_EQ(parse_acl(with({"--topic", "t"}))->command_config, f.path);
    // Unset: empty (no file, plaintext).
    EXPECT_EQ(parse_topic_name({}, false)->command_config, "");
}

TEST(command_config, a_missing_file_is_a_usage_error) {
    auto r = parse_topic_name(v{"--command-config", "/nonexistent/client.properties"}, false);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("/nonexistent/client.properties"), std::string::npos)
        << r.err().message;
}

TEST(client_config_for, applies_the_file_to_the_bootstrap) {
    properties_file f(
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
        "sasl.username=admin\nsasl.password=pw\n");
    auto c = client_config_for("h:9093", f.path);
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->bootstrap, "h:9093");
    EXPECT_EQ(c->client_id, "spate-cli");
    EXPECT_EQ(c->security_protocol, kc::security_protocol::sasl_plaintext);
    EXPECT_EQ(c->sasl_mechanism, kc::sasl_mechanism::scram_sha_256);
    EXPECT_EQ(c->sasl_username, "admin");
    EXPECT_EQ(c->sasl_password, "pw");
    auto plain = client_config_for("h:9092", "");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->security_protocol, kc::security_protocol::plaintext);
}

TEST(client_config_for, an_unknown_key_fails_naming_key_and_file) {
    properties_file f("security.protocol=SSL\nbootstrap.servers=x:1\n");
    auto c = client_config_for("h:9093", f.path);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.err().message.find(f.path + ":2: unknown key 'bootstrap.servers'"),
              std::string::npos)
        << c.err().message;
}

}  // namespace
}  // namespace command_config_test
}  // namespace spate::cli
