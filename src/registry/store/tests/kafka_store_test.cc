// The registry over `_schemas` on a real broker: topic creation, rebuilding
// from the topic, following other servers' writes, skipping malformed
// records, and serialized writes across servers.

#include "registry/store/kafka_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "kafka/client/admin.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "registry/store/tests/test_provider.h"

namespace spate::registry {
namespace kafka_store_test {
namespace {

namespace kc = kafka::client;
using test_support::token_input;

// Polls `f` until it holds or `ms` pass.
template <typename F>
bool eventually(F f, int ms = 15000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!f()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

class kafka_store_test : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(_broker.start()) << _broker.error(); }

    std::shared_ptr<service> open(const std::string& node = "n1") {
        store_options o;
        o.bootstrap = _broker.bootstrap();
        o.node_name = node;
        o.timeout_ms = 30000;
        auto s = open_kafka_store(o, test_support::token_providers());
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message);
        return s.ok() ? *s : nullptr;
    }

    // Every record of `_schemas`, in order.
    std::vector<std::pair<std::string, std::optional<std::string>>> topic_records() {
        kc::consumer_options co;
        co.client = _broker.client();
        co.reset = kc::offset_reset::earliest;
        auto c = kc::consumer::create(co);
        EXPECT_TRUE(c.ok());
        std::vector<std::pair<std::string, std::optional<std::string>>> out;
        if (!c.ok()) return out;
        auto wm = c->query_watermarks({"_schemas", 0}, 10000);
        EXPECT_TRUE(wm.ok());
        EXPECT_TRUE(c->assign({{"_schemas", 0, kc::k_offset_beginning}}).ok());
        int64_t next = 0;
        eventually([&] {
            auto batch = c->poll_batch(100, 100);
            if (batch.ok()) {
                for (const auto& m : *batch) {
                    next = m.offset() + 1;
                    auto v = m.value();
                    out.emplace_back(std::string(m.key().value_or("")),
                                     v ? std::optional<std::string>(*v) : std::nullopt);
                }
            }
            auto pos = c->positions({{"_schemas", 0}});
            if (pos.ok() && !pos->empty()) next = std::max(next, (*pos)[0].offset);
            return !wm.ok() || next >= wm->high;
        });
        return out;
    }

    void produce_raw(const std::vector<std::pair<std::string, std::string>>& records) {
        kc::producer_options po;
        po.client = _broker.client();
        auto p = kc::producer::create(po);
        ASSERT_TRUE(p.ok());
        for (const auto& [key, value] : records) {
            kc::outgoing_record r;
            r.topic = "_schemas";
            r.partition = 0;
            r.key = key;
            r.value = value;
            ASSERT_TRUE(p->produce(r).ok());
        }
        ASSERT_TRUE(p->flush(10000).ok());
        ASSERT_EQ(p->failed(), 0) << p->first_failure();
    }

    kafka::client::testing::broker_process _broker{SPATE_BINARY};
};

TEST_F(kafka_store_test, open_creates_a_compacted_single_partition_topic) {
    auto s = open();
    ASSERT_NE(s, nullptr);
    auto admin = kc::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    auto md = admin->topic("_schemas");
    ASSERT_TRUE(md.ok()) << md.err().message;
    EXPECT_EQ(md->partitions.size(), 1u);
    auto configs = admin->describe_configs(kc::resource_type::topic, "_schemas");
    ASSERT_TRUE(configs.ok());
    bool compact = false;
    for (const auto& c : *configs)
        compact = compact || (c.name == "cleanup.policy" && c.value == "compact");
    EXPECT_TRUE(compact);
    EXPECT_TRUE(s->subjects("", true)->empty());
}

TEST_F(kafka_store_test, writes_land_in_the_topic_in_confluents_layout) {
    auto s = open();
    ASSERT_NE(s, nullptr);
    auto r = s->register_schema("orders-value", token_input("a b"), {});
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_TRUE(s->set_config(std::nullopt, compat_level::full).ok());
    auto records = topic_records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].first,
              R"({"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1})");
    EXPECT_EQ(records[0].second,
              R"({"subject":"orders-value","version":1,"id":1,"schema":"a b","deleted":false})");
    EXPECT_EQ(records[1].first, R"({"keytype":"CONFIG","magic":0})");
    EXPECT_EQ(records[1].second, R"({"compatibilityLevel":"FULL"})");
}

TEST_F(kafka_store_test, a_new_store_rebuilds_the_registry_from_the_topic) {
    {
        auto s = open();
        ASSERT_NE(s, nullptr);
        ASSERT_TRUE(s->register_schema("s", token_input("a"), {}).ok());
        ASSERT_TRUE(s->register_schema("s", token_input("a b=1"), {}).ok());
        ASSERT_TRUE(s->register_schema("t", token_input("a"), {}).ok());
        ASSERT_TRUE(s->register_schema(":.ctx:u", token_input("z"), {}).ok());
        ASSERT_TRUE(s->delete_version("s", version_selector::of(1), false).ok());
        ASSERT_TRUE(s->set_config("t", compat_level::none).ok());
        ASSERT_TRUE(s->set_mode("t", registry_mode::readonly, false).ok());
    }
    auto s = open("n2");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s->subjects("", false), (std::vector<std::string>{":.ctx:u", "s", "t"}));
    EXPECT_EQ(*s->versions("s", false), (std::vector<schema_version>{schema_version(2)}));
    EXPECT_EQ(s->versions("s", true)->size(), 2u);
    EXPECT_EQ(s->get_version("s", version_selector::of(2), false)->id.value(), 2);
    EXPECT_EQ(s->get_version("t", version_selector::latest(), false)->id.value(), 1);
    EXPECT_EQ(s->get_version(":.ctx:u", version_selector::latest(), false)->id.value(), 1);
    EXPECT_EQ(*s->get_config("t", false), compat_level::none);
    EXPECT_EQ(*s->get_mode("t", false), registry_mode::readonly);
    // Ids continue where the topic left off.
    auto next = s->register_schema("s", token_input("a c=1"), {});
    ASSERT_TRUE(next.ok()) << next.err().message;
    EXPECT_EQ(next->id.value(), 3);
    EXPECT_EQ(next->version.value(), 3);
}

TEST_F(kafka_store_test, a_store_follows_what_another_server_writes) {
    auto a = open("a");
    auto b = open("b");
    ASSERT_TRUE(a && b);
    auto r = a->register_schema("s", token_input("x"), {});
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_TRUE(eventually([&] { return b->get_schema(r->id, "").ok(); }));
    // b's write sees a's: the same schema gets a's id, a new one the next.
    auto same = b->register_schema("t", token_input("x"), {});
    ASSERT_TRUE(same.ok()) << same.err().message;
    EXPECT_EQ(same->id, r->id);
    auto other = b->register_schema("t", token_input("x y=1"), {});
    ASSERT_TRUE(other.ok()) << other.err().message;
    EXPECT_EQ(other->id.value(), 2);
}

TEST_F(kafka_store_test, malformed_records_in_the_topic_are_skipped) {
    ASSERT_NE(open(), nullptr);  // creates the topic
    produce_raw({
        {"not json", "{}"},
        {R"({"keytype":"SCHEMA","subject":"bad","version":1,"magic":1})", "[not an object"},
        {R"({"keytype":"SCHEMA","subject":"bad","version":1,"magic":1})",
         R"({"subject":"bad","version":1,"schema":"no id"})"},
        {R"({"keytype":"SCHEMA","subject":"ok","version":1,"magic":1})",
         R"({"subject":"ok","version":1,"id":7,"schema":"a","deleted":false})"},
        {R"({"keytype":"CONFIG","subject":"ok","magic":0})", R"({"compatibilityLevel":"??"})"},
        {R"({"keytype":"CONTEXT","tenant":"default","context":".x","magic":0})", "{}"},
    });
    auto s = open("n2");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s->subjects("", true), (std::vector<std::string>{"ok"}));
    EXPECT_EQ(s->get_schema(schema_id(7), "")->schema, "a");
    EXPECT_EQ(s->get_config("ok", false).err().code, registry_errc::subject_compat_not_configured);
    auto next = s->register_schema("ok", token_input("a b=1"), {});
    ASSERT_TRUE(next.ok()) << next.err().message;
    EXPECT_EQ(next->id.value(), 8);
}

TEST_F(kafka_store_test, open_store_keeps_avro_ids_across_a_restart) {
    store_options o;
    o.bootstrap = _broker.bootstrap();
    const schema_input user{
        schema_type::avro,
        R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})",
        {}};
    int32_t id = 0;
    {
        auto s = open_store(o);
        ASSERT_TRUE(s.ok()) << s.err().message;
        ASSERT_TRUE(
            (*s)->register_schema("a-value", schema_input{schema_type::avro, "\"int\"", {}}, {})
                .ok());
        auto r = (*s)->register_schema("users-value", user, {});
        ASSERT_TRUE(r.ok()) << r.err().message;
        id = r->id.value();
    }
    auto s = open_store(o);
    ASSERT_TRUE(s.ok()) << s.err().message;
    auto found = (*s)->lookup("users-value", user, false, false);
    ASSERT_TRUE(found.ok()) << found.err().message;
    EXPECT_EQ(found->id.value(), id);
    EXPECT_EQ((*s)->record_name_of(schema_id(id)), "User");
}

TEST_F(kafka_store_test, concurrent_writers_on_two_servers_never_hand_out_one_id_twice) {
    auto a = open("a");
    auto b = open("b");
    ASSERT_TRUE(a && b);
    constexpr int k_threads_per_server = 2;
    constexpr int k_each = 4;
    std::mutex mu;
    std::vector<subject_schema> registered;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < 2 * k_threads_per_server; ++t) {
        threads.emplace_back([&, t] {
            service& s = t % 2 == 0 ? *a : *b;
            for (int i = 0; i < k_each; ++i) {
                // All compatible with each other: "base" plus an optional field.
                std::string text = "base f" + std::to_string(t) + "_" + std::to_string(i) + "=0";
                auto r = s.register_schema("shared", token_input(text), {});
                std::lock_guard lock(mu);
                if (r.ok())
                    registered.push_back(*r);
                else
                    failures.push_back(r.err().message);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    ASSERT_TRUE(failures.empty()) << failures[0];
    ASSERT_EQ(registered.size(), size_t{2 * k_threads_per_server * k_each});
    std::set<int32_t> ids, versions;
    for (const auto& r : registered) {
        ids.insert(r.id.value());
        versions.insert(r.version.value());
    }
    EXPECT_EQ(ids.size(), registered.size());
    EXPECT_EQ(versions.size(), registered.size());
    // Both servers end up with the same registry.
    EXPECT_TRUE(eventually([&] {
        auto va = a->versions("shared", false), vb = b->versions("shared", false);
        return va.ok() && vb.ok() && va->size() == registered.size() && *va == *vb;
    }));
    for (const auto& r : registered) {
        auto from_b = b->get_schema(r.id, "");
        ASSERT_TRUE(from_b.ok());
        EXPECT_EQ(from_b->schema, r.schema);
    }
}

}  // namespace
}  // namespace kafka_store_test
}  // namespace spate::registry
