#pragma once

// Helpers of the task_state tests: one broker per test suite, a fresh
// directory and changelog topic per test, and a transactional producer that
// logs a task's changes the way a continuous query does.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/state/task_state.h"

namespace spate::sql::test_support {

namespace kc = kafka::client;

// A temporary directory, removed with its content on destruction.
class temp_dir {
  public:
    temp_dir() {
        std::string tmpl = std::filesystem::temp_directory_path() / "spate-state-XXXXXX";
        if (mkdtemp(tmpl.data()) != nullptr) _path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        if (!_path.empty()) std::filesystem::remove_all(_path, ec);
    }
    const std::string& path() const { return _path; }

  private:
    std::string _path;
};

// A transactional producer writing task changelogs; remembers, per
// partition, the offset after the last delivered record (what a query passes
// to task_state::commit()).
class txn_writer {
  public:
    // `topic`: a changelog it will write, whose metadata is fetched now
    // (else its first records wait for a metadata refresh, about 1 s).
    txn_writer(const kc::client_config& c, const std::string& transactional_id,
               const std::string& topic) {
        kc::producer_options o;
        o.client = c;
        o.linger_ms = 5;
        o.transactional_id = transactional_id;
        auto ends = _ends;
        auto p = kc::producer::create(o, [ends](const kc::delivery_report& d) {
            if (d.result.ok()) (*ends)[d.partition] = std::max((*ends)[d.partition], d.offset + 1);
        });
        EXPECT_TRUE(p.ok()) << p.err().message;
        if (!p.ok()) return;
        _producer.emplace(std::move(*p));
        auto s = _producer->init_transactions(c.timeout_ms);
        EXPECT_TRUE(s.ok()) << s.err().message;
        auto n = _producer->partition_count(topic);
        EXPECT_TRUE(n.ok()) << n.err().message;
    }

    kc::producer& producer() { return *_producer; }

    // begin, log_pending, commit_transaction; true when all succeeded.
    bool log_and_commit(task_state& st) {
        if (!_producer) return false;
        auto s = _producer->begin_transaction();
        if (s.ok())
            s = st.log_pending(
                [this](const kc::outgoing_record& r) { return _producer->produce(r); });
        if (s.ok()) s = _producer->commit_transaction(10000);
        EXPECT_TRUE(s.ok()) << s.err().message;
        return s.ok();
    }

    // The full commit of a query's interval: log, commit the transaction,
    // then apply with the changelog end as the checkpoint.
    bool commit(task_state& st, int32_t partition) {
        if (!log_and_commit(st)) return false;
        auto s = st.commit(end_of(partition));
        EXPECT_TRUE(s.ok()) << s.error().message;
        return s.ok();
    }

    std::optional<int64_t> end_of(int32_t partition) const {
        auto it = _ends->find(partition);
        if (it == _ends->end()) return std::nullopt;
        return it->second;
    }

  private:
    std::shared_ptr<std::map<int32_t, int64_t>> _ends =
        std::make_shared<std::map<int32_t, int64_t>>();
    std::optional<kc::producer> _producer;
};

struct logged_record {
    int64_t offset = 0;
    std::string key;
    std::optional<std::string> value;
};

// The committed records of `topic`[`partition`] (read_committed, to its
// last stable offset).
inline std::vector<logged_record> read_changelog(const kc::client_config& c,
                                                 const std::string& topic, int32_t partition) {
    std::vector<logged_record> out;
    kc::consumer_options o;
    o.client = c;
    o.group_id = "state-test-reader";
    o.isolation = kc::isolation::read_committed;
    o.client.properties.emplace_back("fetch.wait.max.ms", "20");
    auto cons = kc::consumer::create(o);
    EXPECT_TRUE(cons.ok());
    if (!cons.ok()) return out;
    kc::topic_partition tp{topic, partition};
    auto wm = cons->query_watermarks(tp, 5000);
    EXPECT_TRUE(wm.ok());
    if (!wm.ok() || wm->high == 0) return out;
    EXPECT_TRUE(cons->assign({{topic, partition, kc::k_offset_beginning, {}}}).ok());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    int64_t at = 0;
    while (at < wm->high && std::chrono::steady_clock::now() < deadline) {
        auto batch = cons->poll_batch(1000, 100);
        EXPECT_TRUE(batch.ok());
        if (!batch.ok()) break;
        for (const auto& m : *batch) {
            logged_record r;
            r.offset = m.offset();
            r.key = std::string(m.key().value_or(""));
            if (auto v = m.value()) r.value = std::string(*v);
            out.push_back(std::move(r));
            at = m.offset() + 1;
        }
        if (batch->empty()) {
            auto pos = cons->positions({tp});
            if (pos.ok() && !pos->empty()) at = std::max(at, (*pos)[0].offset);
        }
    }
    EXPECT_GE(at, wm->high) << "changelog not read to its end in time";
    cons->close();
    return out;
}

using kv = std::vector<std::pair<std::string, std::string>>;

// One broker for the suite; each test has its own changelog topic and
// state directory.
class task_state_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_broker = new kc::testing::broker_process(SPATE_BINARY);
        if (!s_broker->start()) s_start_error = s_broker->error();
    }
    static void TearDownTestSuite() {
        delete s_broker;
        s_broker = nullptr;
    }

    void SetUp() override {
        ASSERT_TRUE(s_start_error.empty()) << s_start_error;
        ASSERT_FALSE(_dir.path().empty());
        _topic = std::string("changelog-") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
        auto s = task_state::ensure_changelog_topic(client(), _topic, 2);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    static kc::client_config client() { return s_broker->client(); }

    state_options options(const std::string& dir, int32_t partition = 0) const {
        state_options o;
        o.dir = dir;
        o.changelog_topic = _topic;
        o.partition = partition;
        o.client = client();
        o.timeout_ms = 10000;
        return o;
    }

    std::unique_ptr<task_state> open(const state_options& o) {
        auto st = task_state::open(o);
        EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
        return st.ok() ? std::move(st).value() : nullptr;
    }
    std::unique_ptr<task_state> open(int32_t partition = 0) {
        return open(options(_dir.path(), partition));
    }

    static std::optional<std::string> get(const task_state& st, std::string_view key) {
        auto v = st.get(key);
        EXPECT_TRUE(v.ok()) << v.error().message;
        return v.ok() ? v.value() : std::nullopt;
    }

    static kv scan(const task_state& st, std::string_view from = {}, std::string_view to = {},
                   size_t limit = 1000000) {
        kv out;
        auto s = st.scan(from, to, [&](std::string_view k, std::string_view v) {
            out.emplace_back(k, v);
            return out.size() < limit;
        });
        EXPECT_TRUE(s.ok()) << s.error().message;
        return out;
    }

    txn_writer writer(const std::string& suffix = "") {
        return txn_writer(client(), "state-test-" + _topic + suffix, _topic);
    }

    inline static kc::testing::broker_process* s_broker = nullptr;
    inline static std::string s_start_error;
    temp_dir _dir;
    std::string _topic;
};

}  // namespace spate::sql::test_support
