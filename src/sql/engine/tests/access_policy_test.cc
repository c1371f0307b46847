// SQL authorization (access_policy.h): which source topics a statement
// reads, and refusals of CREATE SOURCE, SELECT, views and CREATE SINK with
// insufficient_privilege that change nothing, against a real broker and a
// scripted policy.

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "kafka/client/admin.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/engine/authorization.h"
#include "sql/engine/engine.h"

namespace spate::sql {
namespace access_policy_test {
namespace {

namespace kc = kafka::client;

// Allows what was granted (User:admin everything); records audited refusals.
class scripted_policy final : public access_policy {
  public:
    bool allows(const access_subject& who, topic_access access, const std::string& topic,
                std::string_view statement, bool audit) override {
        std::lock_guard lock(_mu);
        bool ok =
            who.principal == "User:admin" || _granted.contains({who.principal, access, topic});
        if (!ok && audit)
            refusals.push_back(who.principal + " " + topic_access_name(access) + " " + topic + " " +
                               std::string(statement));
        return ok;
    }
    void grant(const std::string& principal, topic_access access, const std::string& topic) {
        std::lock_guard lock(_mu);
        _granted.insert({principal, access, topic});
    }
    std::vector<std::string> refusals;  // under _mu

  private:
    std::mutex _mu;
    std::set<std::tuple<std::string, topic_access, std::string>> _granted;
};

TEST(sql_authorization, source_topics_follow_views_to_their_sources) {
    catalog cat;
    catalog_object a;
    a.kind = catalog_kind::source;
    a.name = "a";
    a.relation.topic = "topic-a";
    catalog_object b = a;
    b.name = "b";
    b.relation.topic = "topic-b";
    catalog_object v;
    v.kind = catalog_kind::view;
    v.name = "v";
    v.depends_on = {"a", "b"};
    catalog_object w;
    w.kind = catalog_kind::view;
    w.name = "w";
    w.depends_on = {"v", "a"};
    for (auto* o : {&a, &b, &v, &w})
        ASSERT_TRUE(cat.add(*o).ok());
    EXPECT_EQ(source_topics({"w"}, cat), (std::vector<std::string>{"topic-a", "topic-b"}));
    EXPECT_EQ(source_topics({"b"}, cat), (std::vector<std::string>{"topic-b"}));
    EXPECT_TRUE(source_topics({"missing"}, cat).empty());
    auto e = permission_denied("topic-a", topic_access::read);
    EXPECT_EQ(e.code, sql_errc::insufficient_privilege);
    EXPECT_EQ(e.message, "permission denied for topic \"topic-a\"");
}

class sql_authorization_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        auto admin = kc::admin::connect(_broker.client());
        ASSERT_TRUE(admin.ok());
        for (const char* t : {"orders", "secret"})
            ASSERT_TRUE(admin->create_topic({t, 1, 1, {}}).ok());
        kc::producer_options po;
        po.client = _broker.client();
        auto p = kc::producer::create(po);
        ASSERT_TRUE(p.ok());
        for (int i = 0; i < 2; ++i) {
            const std::string value = "{\"id\":" + std::to_string(i) + "}";
            kc::outgoing_record r;  // views `value`, which outlives the produce
            r.topic = "orders";
            r.partition = 0;
            r.value = value;
            ASSERT_TRUE(p->produce(r).ok());
        }
        ASSERT_TRUE(p->flush(10000).ok());
        engine_options o;
        o.kafka = _broker.client();
        o.access = _policy;
        auto e = engine::start(o);
        ASSERT_TRUE(e.ok()) << e.error().message;
        _engine = e.value();
        _admin = open("admin");
        _alice = open("alice");
    }
    void TearDown() override {
        _alice.reset();
        _admin.reset();
        if (_engine) _engine->stop();
    }

    std::unique_ptr<session> open(const std::string& user) {
        session_options so;
        so.user = user;
        so.database = "spate";
        so.host = "10.0.0.7";
        auto s = _engine->open(so);
        EXPECT_TRUE(s.ok());
        return s.ok() ? std::move(s).value() : nullptr;
    }

    // Runs every statement of `sql` to its end; the first error.
    static sql_status run(session& s, const std::string& sql) {
        auto stmts = s.prepare_all(sql);
        if (!stmts.ok()) return stmts.error();
        for (auto& st : stmts.value()) {
            auto c = s.execute(st, {});
            if (!c.ok()) return c.error();
            for (;;) {
                auto n = c.value()->next(0);
                if (!n.ok()) return n.error();
                if (!n.value()) break;
            }
        }
        return {};
    }

    static void expect_denied(const sql_status& s, const std::string& topic) {
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().code, sql_errc::insufficient_privilege) << s.error().message;
        EXPECT_NE(s.error().message.find("\"" + topic + "\""), std::string::npos)
            << s.error().message;
    }

    std::vector<std::string> refusals() {
        return _policy->refusals;  // the statements ran on this thread
    }

    kc::testing::broker_process _broker{SPATE_BINARY};
    std::shared_ptr<scripted_policy> _policy = std::make_shared<scripted_policy>();
    std::shared_ptr<engine> _engine;
    std::unique_ptr<session> _admin;
    std::unique_ptr<session> _alice;
};

constexpr const char* k_orders_source =
    "CREATE SOURCE orders_src (id BIGINT) WITH (topic = 'orders', format = 'json')";

TEST_F(sql_authorization_test, create_source_needs_read_and_a_refusal_changes_nothing) {
    expect_denied(run(*_alice, "CREATE SOURCE s (id BIGINT) WITH (topic = 'secret')"), "secret");
    EXPECT_FALSE(_engine->objects().find("s"));
    EXPECT_EQ(refusals(), (std::vector<std::string>{"User:alice READ secret CREATE SOURCE"}));
    // A missing topic is refused the same way: the refusal comes first.
    expect_denied(run(*_alice, "CREATE SOURCE s (id BIGINT) WITH (topic = 'nowhere')"), "nowhere");
    _policy->grant("User:alice", topic_access::read, "secret");
    EXPECT_TRUE(run(*_alice, "CREATE SOURCE s (id BIGINT) WITH (topic = 'secret')").ok());
    EXPECT_TRUE(_engine->objects().find("s"));
}

TEST_F(sql_authorization_test, queries_need_read_on_every_source_they_scan) {
    ASSERT_TRUE(run(*_admin, k_orders_source).ok());
    expect_denied(run(*_alice, "SELECT * FROM orders_src"), "orders");
    expect_denied(run(*_alice, "SELECT 1 WHERE EXISTS (SELECT 1 FROM orders_src)"), "orders");
    expect_denied(run(*_alice, "COPY (SELECT id FROM orders_src) TO STDOUT"), "orders");
    EXPECT_TRUE(run(*_alice, "SELECT 1").ok());  // no source: nothing to check
    _policy->grant("User:alice", topic_access::read, "orders");
    EXPECT_TRUE(run(*_alice, "SELECT * FROM orders_src").ok());
}

TEST_F(sql_authorization_test, a_prepared_query_is_checked_at_each_execution) {
    ASSERT_TRUE(run(*_admin, k_orders_source).ok());
    auto st = _alice->prepare("SELECT id FROM orders_src", {});
    ASSERT_TRUE(st.ok());
    auto denied = _alice->execute(st.value(), {});
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, sql_errc::insufficient_privilege);
    _policy->grant("User:alice", topic_access::read, "orders");
    EXPECT_TRUE(_alice->execute(st.value(), {}).ok());
}

TEST_F(sql_authorization_test, create_sink_needs_read_write_and_create_for_a_new_topic) {
    ASSERT_TRUE(run(*_admin, k_orders_source).ok());
    const std::string sink =
        "CREATE SINK out1 FROM orders_src WITH (topic = 'out1', format = 'json')";
    expect_denied(run(*_alice, sink), "out1");  // no WRITE
    _policy->grant("User:alice", topic_access::write, "out1");
    auto no_create = run(*_alice, sink);
    expect_denied(no_create, "out1");  // out1 does not exist, no CREATE
    EXPECT_NE(no_create.error().detail.find("CREATE"), std::string::npos);
    _policy->grant("User:alice", topic_access::create, "out1");
    expect_denied(run(*_alice, sink), "orders");  // no READ on what it reads
    EXPECT_FALSE(_engine->objects().find("out1"));
    auto admin = kc::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    EXPECT_EQ(admin->topic("out1").err().code, errc::not_found);
    EXPECT_EQ(refusals().size(), 3u);
}

}  // namespace
}  // namespace access_policy_test
}  // namespace spate::sql
