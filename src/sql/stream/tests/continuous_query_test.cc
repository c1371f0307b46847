#include "sql/stream/continuous_query.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <set>

#include "kafka/client/testing/broker_process.h"
#include "sql/stream/tests/stream_test_util.h"

namespace spate::sql {
namespace continuous_query_test {
namespace {

using namespace test_support;

// Passes the declared columns through (drops the hidden metadata columns).
class identity_processor : public chunk_processor {
  public:
    explicit identity_processor(size_t width) : _width(width) {}
    sql_result<chunk> process(chunk input, const eval_context&) override {
        std::vector<column> cols(input.columns().begin(),
                                 input.columns().begin() + static_cast<ptrdiff_t>(_width));
        return chunk(std::move(cols));
    }

  private:
    size_t _width;
};

std::vector<column_def> columns() {
    return {{"id", data_type::of(type_id::int64)}, {"name", data_type::of(type_id::text)}};
}

std::string row_json(int64_t id) {
    return nlohmann::json{{"id", id}, {"name", "n" + std::to_string(id)}}.dump();
}

// `count` records with ids from `first`, spread over `partitions`.
std::vector<input_record> rows(int64_t first, int64_t count, int32_t partitions) {
    std::vector<input_record> out;
    for (int64_t id = first; id < first + count; ++id)
        out.push_back({static_cast<int32_t>(id % partitions), std::nullopt, row_json(id), {}});
    return out;
}

bool wait_for(const std::function<bool()>& cond, int timeout_ms = 15000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling with a deadline
    }
    return true;
}

class continuous_query_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        create_topic(_broker.client(), "in", 2);
    }

    query_spec spec(bool exactly_once = true) {
        query_spec s;
        s.name = "copy";
        s.group_id = "copy-group";
        s.transactional_id = "copy-txn";
        input_spec in;
        in.topic = "in";
        in.columns = columns();
        in.dead_letter_topic = "in-dead";
        in.processor = std::make_shared<identity_processor>(2);
        s.inputs.push_back(std::move(in));
        s.output_topic = "out";
        s.output_columns = columns();
        s.exactly_once = exactly_once;
        s.commit_interval_ms = 50;
        s.client = _broker.client();
        return s;
    }

    std::unique_ptr<continuous_query> start(query_spec s) {
        auto q = continuous_query::start(std::move(s));
        EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
        return q.ok() ? std::move(q).value() : nullptr;
    }

    // The ids of `out`'s committed records; fails the test on a record that
    // is not one of ours.
    std::multiset<int64_t> output_ids(size_t at_least) {
        std::multiset<int64_t> ids;
        for (const auto& r : read_committed(_broker.client(), "out", at_least)) {
            auto j = nlohmann::json::parse(r.value.value_or(""), nullptr, false);
            EXPECT_TRUE(j.is_object()) << r.value.value_or("<null>");
            if (!j.is_object()) continue;
            ids.insert(j["id"].get<int64_t>());
            EXPECT_EQ(j["name"], "n" + std::to_string(j["id"].get<int64_t>()));
        }
        return ids;
    }

    static std::multiset<int64_t> range(int64_t first, int64_t count) {
        std::multiset<int64_t> out;
        for (int64_t i = first; i < first + count; ++i)
            out.insert(i);
        return out;
    }

    kafka::client::testing::broker_process _broker{SPATE_BINARY};
};

TEST_F(continuous_query_test, exactly_once_copies_every_record_once_keeping_partition_order) {
    produce_all(_broker.client(), "in", rows(0, 200, 2));
    auto q = start(spec());
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 200 && q->stats().commits > 0; }));
    auto records = read_committed(_broker.client(), "out", 200);
    q->stop();
    EXPECT_EQ(q->stats().records_in, 200);
    EXPECT_EQ(q->last_error(), "");
    std::multiset<int64_t> ids;
    std::map<int32_t, int64_t> last_id;
    for (const auto& r : records) {
        auto id = nlohmann::json::parse(*r.value)["id"].get<int64_t>();
        ids.insert(id);
        EXPECT_EQ(id % 2, r.partition) << "output partition follows the input partition";
        if (last_id.contains(r.partition)) {
            EXPECT_GT(id, last_id[r.partition]);
        }
        last_id[r.partition] = id;
    }
    EXPECT_EQ(ids, range(0, 200));
}

TEST_F(continuous_query_test,
       undecodable_records_go_to_the_dead_letter_topic_and_the_query_goes_on) {
    auto q = start(spec());
    ASSERT_NE(q, nullptr);
    std::vector<input_record> in = rows(0, 2, 1);
    in.push_back({0, "k1", "not json", {{"h", "v"}}});
    produce_all(_broker.client(), "in", in);
    ASSERT_TRUE(wait_for([&] { return q->stats().dead_letters >= 1 && q->stats().commits > 0; }));
    produce_all(_broker.client(), "in", rows(2, 1, 1));
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 3; }));
    auto dead = read_committed(_broker.client(), "in-dead", 1);
    EXPECT_EQ(output_ids(3), range(0, 3));
    q->stop();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].value, "not json");
    EXPECT_EQ(dead[0].key, "k1");
    EXPECT_EQ(dead[0].header("h"), "v");
    EXPECT_NE(dead[0].header("spate.error").value_or(""), "");
    EXPECT_EQ(dead[0].header("spate.topic"), "in");
    EXPECT_EQ(dead[0].header("spate.partition"), "0");
    EXPECT_EQ(dead[0].header("spate.offset"), "2");
    EXPECT_EQ(q->stats().dead_letters, 1);
}

TEST_F(continuous_query_test, a_restarted_query_resumes_after_its_committed_input) {
    produce_all(_broker.client(), "in", rows(0, 50, 2));
    auto q = start(spec());
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 50 && q->stats().commits > 0; }));
    ASSERT_EQ(output_ids(50), range(0, 50));
    q->stop();
    produce_all(_broker.client(), "in", rows(50, 50, 2));
    q = start(spec());
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 50 && q->stats().commits > 0; }));
    EXPECT_EQ(output_ids(100), range(0, 100));
    EXPECT_EQ(q->stats().records_in, 50) << "the second run reads only the new records";
}

TEST_F(continuous_query_test, at_least_once_mode_copies_every_record_and_commits_on_stop) {
    produce_all(_broker.client(), "in", rows(0, 40, 2));
    auto q = start(spec(false));
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 40; }));
    q->stop();
    produce_all(_broker.client(), "in", rows(40, 10, 2));
    q = start(spec(false));
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 10; }));
    auto ids = output_ids(50);
    q->stop();
    EXPECT_EQ(ids, range(0, 50));
    EXPECT_EQ(q->stats().records_in, 10) << "the restart reads only the new records";
}

TEST_F(continuous_query_test, a_second_member_takes_over_partitions_without_loss_or_duplicates) {
    produce_all(_broker.client(), "in", rows(0, 200, 2));
    // Members learn of a rebalance at their next heartbeat.
    auto fast = [this] {
        auto s = spec();
        s.client.properties.emplace_back("heartbeat.interval.ms", "100");
        return s;
    };
    auto first = start(fast());
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(wait_for([&] { return first->stats().commits > 0; }));
    auto other = fast();
    other.name = "copy-2";
    other.transactional_id = "copy-txn-2";
    auto second = start(std::move(other));
    ASSERT_NE(second, nullptr);
    auto admin = kafka::client::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(wait_for([&] {
        auto g = admin->describe_group("copy-group");
        if (!g.ok() || g->state != "Stable" || g->members.size() != 2) return false;
        for (const auto& m : g->members)
            if (m.assignment.empty()) return false;
        return true;
    })) << "the group splits the partitions between both queries";
    produce_all(_broker.client(), "in", rows(200, 200, 2));
    auto ids = output_ids(400);
    second->stop();
    first->stop();
    EXPECT_EQ(ids, range(0, 400));
    EXPECT_GT(second->stats().records_in, 0);
    EXPECT_EQ(first->last_error(), "") << "a rebalance is not an error";
}

// (name, id) in, (id, name) out.
class swap_processor : public chunk_processor {
  public:
    sql_result<chunk> process(chunk input, const eval_context&) override {
        return chunk({input.at(1), input.at(0)});
    }
};

// Fails every chunk holding the id 13, returns a wrong shape for 14; passes
// the others through.
class failing_processor : public identity_processor {
  public:
    failing_processor() : identity_processor(2) {}
    sql_result<chunk> process(chunk input, const eval_context& ctx) override {
        const auto& ids = input.at(0).values<int64_t>();
        for (size_t i = 0; i < input.rows(); ++i)
            if (ids[i] == 13) return make_error(sql_errc::division_by_zero, "division by zero");
        for (size_t i = 0; i < input.rows(); ++i)
            if (ids[i] == 14) return chunk({input.at(0)});  // not the output's shape
        return identity_processor::process(std::move(input), ctx);
    }
};

TEST_F(continuous_query_test, a_processor_error_drops_its_chunk_and_the_query_goes_on) {
    auto s = spec();
    s.inputs[0].processor = std::make_shared<failing_processor>();
    auto q = start(std::move(s));
    ASSERT_NE(q, nullptr);
    produce_all(_broker.client(), "in", rows(13, 1, 1));
    ASSERT_TRUE(
        wait_for([&] { return q->stats().processor_errors == 1 && q->stats().commits > 0; }));
    produce_all(_broker.client(), "in", rows(14, 1, 1));
    ASSERT_TRUE(wait_for([&] { return q->stats().processor_errors == 2; }));
    produce_all(_broker.client(), "in", rows(20, 3, 1));
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 3; }));
    EXPECT_EQ(output_ids(3), range(20, 3));
    q->stop();
    EXPECT_EQ(q->stats().processor_errors, 2);
}

// The first chunk's first row comes out too large to produce (beyond the
// 8 MiB max.message.bytes of the output topic the query creates, which its
// producer's limit follows); later chunks pass.
class oversized_once_processor : public identity_processor {
  public:
    oversized_once_processor() : identity_processor(2) {}
    sql_result<chunk> process(chunk input, const eval_context& ctx) override {
        auto out = identity_processor::process(std::move(input), ctx);
        if (!out.ok() || _calls++ > 0) return out;
        column names(data_type::of(type_id::text));
        std::string huge(9 << 20, 'x');
        for (size_t i = 0; i < out.value().rows(); ++i)
            names.push_string(i == 0 ? std::string_view(huge) : std::string_view("x"));
        out.value().at(1) = std::move(names);
        return out;
    }

  private:
    int _calls = 0;
};

TEST_F(continuous_query_test, a_failed_write_aborts_and_rereads_the_uncommitted_input) {
    auto s = spec();
    s.inputs[0].processor = std::make_shared<oversized_once_processor>();
    produce_all(_broker.client(), "in", rows(0, 20, 1));
    auto q = start(std::move(s));
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().aborts >= 1 && q->stats().commits > 0; }));
    auto ids = output_ids(20);
    q->stop();
    EXPECT_EQ(ids, range(0, 20));
    EXPECT_EQ(q->stats().records_in, 40) << "the aborted input is read again";
    EXPECT_EQ(q->last_error(), "") << "a later commit clears the error";
}

TEST_F(continuous_query_test, a_fenced_query_restarts_its_session_and_loses_nothing) {
    produce_all(_broker.client(), "in", rows(0, 10, 2));
    auto q = start(spec());
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().rows_out >= 10 && q->stats().commits > 0; }));
    {
        // Another producer with the query's transactional id fences it.
        kafka::client::producer_options o;
        o.client = _broker.client();
        o.transactional_id = "copy-txn";
        auto zombie = kafka::client::producer::create(o);
        ASSERT_TRUE(zombie.ok());
        ASSERT_TRUE(zombie->init_transactions(10000).ok());
    }
    produce_all(_broker.client(), "in", rows(10, 10, 2));
    ASSERT_TRUE(wait_for([&] { return q->last_error() != ""; }))
        << "the fenced transaction is reported";
    auto ids = output_ids(20);
    q->stop();
    EXPECT_EQ(ids, range(0, 20));
}

TEST_F(continuous_query_test, key_columns_make_a_json_key) {
    auto s = spec();
    s.key_columns = {0};
    auto q = start(std::move(s));
    ASSERT_NE(q, nullptr);
    produce_all(_broker.client(), "in", rows(0, 10, 2));
    auto records = read_committed(_broker.client(), "out", 10);
    q->stop();
    ASSERT_EQ(records.size(), 10u);
    for (const auto& r : records) {
        ASSERT_TRUE(r.key.has_value());
        auto key = nlohmann::json::parse(*r.key);
        EXPECT_EQ(key, nlohmann::json({{"id", nlohmann::json::parse(*r.value)["id"]}}));
    }
}

TEST_F(continuous_query_test, a_query_with_two_inputs_decodes_each_with_its_own_columns) {
    create_topic(_broker.client(), "in2", 1);
    auto s = spec();
    input_spec second;
    second.topic = "in2";
    // Same output columns, declared in the other order.
    second.columns = {{"name", data_type::of(type_id::text)},
                      {"id", data_type::of(type_id::int64)}};
    second.processor = std::make_shared<swap_processor>();
    s.inputs.push_back(std::move(second));
    produce_all(_broker.client(), "in", rows(0, 5, 2));
    produce_all(_broker.client(), "in2", rows(5, 5, 1));
    auto q = start(std::move(s));
    ASSERT_NE(q, nullptr);
    auto ids = output_ids(10);
    q->stop();
    EXPECT_EQ(ids, range(0, 10));
}

TEST_F(continuous_query_test, start_fails_on_a_missing_input_topic) {
    auto s = spec();
    s.inputs[0].topic = "missing";
    auto q = continuous_query::start(std::move(s));
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.error().code, sql_errc::undefined_source_topic);
}

}  // namespace
}  // namespace continuous_query_test
}  // namespace spate::sql
