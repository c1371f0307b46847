// The broker key table: loading and validation through it, DescribeConfigs'
// view of it, and docs/configuration.md rendered from it.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "broker/broker_config.h"
#include "broker/config_doc.h"
#include "broker/config_keys.h"

namespace spate::broker {
namespace config_keys_test {
namespace {

std::filesystem::path write_properties(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() /
                ("spate-config-keys-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path) << text;
    return path;
}

std::string error_of(const status& s) {
    return s.ok() ? "(ok)" : s.err().message;
}

TEST(broker_keys, names_are_unique_and_every_key_is_described) {
    std::set<std::string> names;
    for (const auto& k : broker_keys()) {
        EXPECT_TRUE(names.insert(k.name).second) << "duplicate key " << k.name;
        EXPECT_FALSE(k.doc.empty()) << k.name;
        EXPECT_FALSE(k.range.empty()) << k.name;
        EXPECT_NE(k.kind, config_kind::unknown) << k.name;
        EXPECT_EQ(find_broker_key(k.name), &k);
    }
    EXPECT_EQ(find_broker_key("no.such.key"), nullptr);
}

TEST(broker_keys, covers_every_key_the_properties_file_accepted_before_the_table) {
    for (const char* name : {"auto.create.topics.enable",
                             "num.partitions",
                             "socket.request.max.bytes",
                             "node.id",
                             "broker.id",
                             "num.network.threads",
                             "spate.io.threads",
                             "max.incremental.fetch.session.cache.slots",
                             "group.initial.rebalance.delay.ms",
                             "group.min.session.timeout.ms",
                             "group.max.session.timeout.ms",
                             "offsets.retention.minutes",
                             "offsets.retention.check.interval.ms",
                             "transaction.max.timeout.ms",
                             "transactional.id.expiration.ms",
                             "log.cleaner.enable",
                             "log.cleaner.backoff.ms",
                             "log.cleaner.dedupe.buffer.size",
                             "spate.max.inflight.requests",
                             "log.dirs",
                             "log.dir",
                             "log.retention.hours",
                             "log.retention.minutes",
                             "log.roll.hours",
                             "log.retention.ms",
                             "log.segment.bytes",
                             "log.flush.interval.ms",
                             "log.flush.interval.messages",
                             "log.flush.interval.bytes",
                             "message.max.bytes",
                             "log.cleanup.policy",
                             "log.cleaner.min.cleanable.ratio",
                             "log.index.size.max.bytes",
                             "log.roll.ms",
                             "compression.type",
                             "min.insync.replicas"})
        EXPECT_NE(find_broker_key(name), nullptr) << name;
    // Every topic config has its broker-wide default key.
    for (const auto& d : storage::topic_config_definitions()) {
        const auto* k = find_broker_key(broker_config_name(d.name));
        ASSERT_NE(k, nullptr) << d.name;
        EXPECT_EQ(k->topic_config, d.name);
        EXPECT_EQ(default_value(*k), d.default_value);
    }
}

TEST(broker_keys, every_default_is_valid_and_applying_it_changes_nothing) {
    const broker_config fresh;
    for (const auto& k : broker_keys()) {
        broker_config c;
        auto def = default_value(k);
        ASSERT_TRUE(apply_setting(c, k.name, def).ok()) << k.name << ": " << def;
        EXPECT_EQ(k.value(c), def) << k.name;
        EXPECT_TRUE(k.is_set(c)) << k.name;
        EXPECT_FALSE(k.is_set(fresh)) << k.name;
    }
}

TEST(broker_keys, known_defaults_come_from_broker_config_and_storage) {
    auto def = [](const std::string& name) { return default_value(*find_broker_key(name)); };
    EXPECT_EQ(def("num.partitions"), "1");
    EXPECT_EQ(def("auto.create.topics.enable"), "true");
    EXPECT_EQ(def("socket.request.max.bytes"), "104857600");
    EXPECT_EQ(def("offsets.retention.minutes"), "10080");
    EXPECT_EQ(def("log.retention.hours"), "168");
    EXPECT_EQ(def("log.retention.ms"), "604800000");
    EXPECT_EQ(def("listeners"), "PLAINTEXT://127.0.0.1:9092");
}

TEST(apply_setting, unknown_key_is_an_error_naming_the_key) {
    broker_config c;
    auto s = apply_setting(c, "foo.bar", "1");
    EXPECT_EQ(s.err().code, errc::invalid_argument);
    EXPECT_EQ(error_of(s), "unknown configuration key 'foo.bar'");
    EXPECT_TRUE(c.file_settings.empty());
}

TEST(apply_setting, bad_value_names_the_key_and_the_valid_range) {
    broker_config c;
    EXPECT_EQ(error_of(apply_setting(c, "num.partitions", "zero")),
              "num.partitions: invalid value 'zero' (valid: [1, 1048576])");
    EXPECT_EQ(error_of(apply_setting(c, "num.partitions", "0")),
              "num.partitions: invalid value '0' (valid: [1, 1048576])");
    EXPECT_EQ(error_of(apply_setting(c, "auto.create.topics.enable", "yes")),
              "auto.create.topics.enable: invalid value 'yes' (valid: true, false)");
    EXPECT_EQ(error_of(apply_setting(c, "log.segment.bytes", "-1")),
              "log.segment.bytes: invalid value '-1' (valid: [14, ...])");
    EXPECT_EQ(error_of(apply_setting(c, "log.cleanup.policy", "shred")),
              "log.cleanup.policy: invalid value 'shred' (valid: delete, compact)");
    EXPECT_EQ(error_of(apply_setting(c, "log.cleaner.min.cleanable.ratio", "2")),
              "log.cleaner.min.cleanable.ratio: invalid value '2' (valid: [0, 1])");
    EXPECT_EQ(error_of(apply_setting(c, "retention.ms", "-2")),
              "retention.ms: invalid value '-2' (valid: [-1, ...])");
    EXPECT_EQ(error_of(apply_setting(c, "log.roll.hours", "0")),
              "log.roll.hours: invalid value '0' (valid: [1, ...])");
    EXPECT_EQ(error_of(apply_setting(c, "listeners", "0.0.0.0:9092")),
              "listeners: invalid value '0.0.0.0:9092' (valid: NAME://HOST:PORT[,...])");
    EXPECT_EQ(error_of(apply_setting(c, "default.replication.factor", "3")),
              "default.replication.factor: invalid value '3' (valid: [1, 1])");
    // Nothing was applied.
    EXPECT_EQ(c.num_partitions, 1);
    EXPECT_TRUE(c.auto_create_topics);
    EXPECT_TRUE(c.topic_defaults.empty());
    EXPECT_TRUE(c.file_settings.empty());
}

TEST(apply_setting, broker_level_and_topic_names_set_topic_defaults) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "log.retention.minutes", "5").ok());
    ASSERT_TRUE(apply_setting(c, "log.flush.interval.messages", "10").ok());
    ASSERT_TRUE(apply_setting(c, "segment.ms", "60000").ok());
    ASSERT_TRUE(apply_setting(c, "compression.type", "zstd").ok());
    EXPECT_EQ(c.topic_defaults, (storage::config_map{{"retention.ms", "300000"},
                                                     {"flush.messages", "10"},
                                                     {"segment.ms", "60000"},
                                                     {"compression.type", "zstd"}}));
    ASSERT_TRUE(apply_setting(c, "log.retention.hours", "-1").ok());
    EXPECT_EQ(c.topic_defaults.at("retention.ms"), "-1");
}

TEST(apply_setting, listeners_set_the_listen_and_advertised_addresses) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "listeners", "PLAINTEXT://0.0.0.0:19092").ok());
    ASSERT_TRUE(apply_setting(c, "advertised.listeners", "PLAINTEXT://[::1]:29092").ok());
    EXPECT_EQ(c.listen_host, "0.0.0.0");
    EXPECT_EQ(c.listen_port, 19092);
    EXPECT_EQ(c.advertised_host, "::1");
    EXPECT_EQ(c.advertised_port, 29092);
    EXPECT_EQ(find_broker_key("advertised.listeners")->value(c), "PLAINTEXT://[::1]:29092");
    EXPECT_FALSE(apply_setting(c, "listeners", "PLAINTEXT://a:1,PLAINTEXT://b:2").ok());
}

TEST(load_properties, unknown_key_names_file_line_and_key) {
    auto path = write_properties("unknown", "# a comment\nnum.partitions=2\n\nfoo.bar = 1\n");
    broker_config c;
    auto s = load_properties(c, path);
    EXPECT_EQ(error_of(s), path.string() + ":4: unknown configuration key 'foo.bar'");
    std::filesystem::remove(path);
}

TEST(load_properties, bad_value_names_file_line_key_and_range) {
    auto path = write_properties("bad", "num.partitions: 0\n");
    broker_config c;
    EXPECT_EQ(error_of(load_properties(c, path)),
              path.string() + ":1: num.partitions: invalid value '0' (valid: [1, 1048576])");
    std::filesystem::remove(path);
}

TEST(describe_broker_configs, reports_every_key_with_source_read_only_flag_and_doc) {
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "num.partitions", "3").ok());
    ASSERT_TRUE(apply_setting(c, "log.retention.ms", "1000").ok());
    auto all = describe_broker_configs(c);
    ASSERT_EQ(all.size(), broker_keys().size());
    auto find = [&](const std::string& name) -> const described_config& {
        for (const auto& d : all)
            if (d.name == name) return d;
        ADD_FAILURE() << name << " missing";
        return all.front();
    };
    const auto& np = find("num.partitions");
    EXPECT_EQ(np.value, "3");
    EXPECT_EQ(np.source, config_source::static_broker_config);
    EXPECT_TRUE(np.read_only);
    EXPECT_EQ(np.kind, config_kind::int_);
    EXPECT_FALSE(np.doc.empty());
    ASSERT_EQ(np.synonyms.size(), 2u);
    EXPECT_EQ(np.synonyms[1].value, "1");
    EXPECT_EQ(np.synonyms[1].source, config_source::default_config);
    const auto& ret = find("log.retention.ms");
    EXPECT_EQ(ret.value, "1000");
    EXPECT_FALSE(ret.read_only);
    EXPECT_EQ(ret.kind, config_kind::long_);
    const auto& ac = find("auto.create.topics.enable");
    EXPECT_EQ(ac.value, "true");
    EXPECT_EQ(ac.source, config_source::default_config);
    EXPECT_EQ(ac.kind, config_kind::boolean);
    EXPECT_EQ(find("log.cleanup.policy").kind, config_kind::list);
}

// Finds the source tree: $SPATE_SOURCE_DIR, else the nearest directory above
// the working directory (ctest runs inside the build tree) holding this module.
std::filesystem::path source_dir() {
    if (const char* env = std::getenv("SPATE_SOURCE_DIR")) return env;
    auto dir = std::filesystem::current_path();
    for (; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
        if (std::filesystem::exists(dir / "src/broker/config_keys.h")) return dir;
    return {};
}

TEST(configuration_doc, checked_in_file_matches_the_tables) {
    auto root = source_dir();
    ASSERT_FALSE(root.empty()) << "source tree not found; set SPATE_SOURCE_DIR";
    std::ifstream in(root / "docs/configuration.md", std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << (root / "docs/configuration.md");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(text.str() == render_configuration_markdown())
        << "docs/configuration.md differs from the configuration tables; regenerate it with "
           "`cmake --build <build dir> --target docs` and commit it";
}

}  // namespace
}  // namespace config_keys_test
}  // namespace spate::broker
