// Ad-hoc window queries over a topic's history (a real broker).

#include <gtest/gtest.h>

#include "kafka/client/testing/broker_process.h"
#include "sql/exec/batch.h"
#include "sql/parse/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/stream/tests/stream_test_util.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace window_topic_test {
namespace {

namespace ts = test_support;

class window_topic_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        ts::create_topic(_broker.client(), "bid", 2);
        catalog_object o;
        o.kind = catalog_kind::source;
        o.name = "bid";
        o.relation.name = "bid";
        o.relation.topic = "bid";
        o.relation.columns = {{"auction", data_type::of(type_id::int64)},
                              {"date_time", data_type::of(type_id::timestamp)}};
        ASSERT_TRUE(_cat.add(o).ok());
    }

    // Sorted rows "a|b|c" of `sql` over the topic's history.
    std::vector<std::string> run(const std::string& sql) {
        auto parsed = parse_sql(sql);
        EXPECT_TRUE(parsed.ok()) << parsed.error().message;
        if (!parsed.ok()) return {};
        bind_context ctx;
        ctx.cat = &_cat;
        ctx.statement = &parsed.value()[0];
        auto plan = bind_query(parsed.value()[0].tree, ctx);
        EXPECT_TRUE(plan.ok()) << plan.error().message;
        if (!plan.ok()) return {};
        plan_ptr p = optimize(plan.value());
        batch_env env;
        env.kafka = _broker.client();
        auto op = build_batch(p, env);
        EXPECT_TRUE(op.ok()) << op.error().message;
        std::vector<std::string> out;
        while (op.ok()) {
            auto c = op.value()->next();
            EXPECT_TRUE(c.ok()) << c.error().message;
            if (!c.ok() || !c.value()) break;
            for (size_t r = 0; r < c.value()->rows(); ++r) {
                std::string line;
                for (size_t i = 0; i < c.value()->width(); ++i) {
                    if (i) line += "|";
                    format_text(c.value()->at(i), r, line);
                }
                out.push_back(line);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    kafka::client::testing::broker_process _broker{SPATE_BINARY};
    catalog _cat;
};

TEST_F(window_topic_test, tumble_and_hop_rows_of_every_partition) {
    ts::produce_all(_broker.client(), "bid",
                    {{0, {}, R"({"auction": 1, "date_time": "2015-07-15 00:00:09.999"})", {}},
                     {1, {}, R"({"auction": 2, "date_time": "2015-07-15 00:00:10"})", {}},
                     {0, {}, R"({"auction": 3, "date_time": null})", {}},
                     {1, {}, R"({"auction": 4, "date_time": "1969-12-31 23:59:55"})", {}}});
    EXPECT_EQ(run("SELECT auction, window_start, window_end FROM TUMBLE(bid, date_time, "
                  "INTERVAL '10' SECOND)"),
              (std::vector<std::string>{
                  "1|2015-07-15 00:00:00|2015-07-15 00:00:10",
                  "2|2015-07-15 00:00:10|2015-07-15 00:00:20",
                  "4|1969-12-31 23:59:50|1970-01-01 00:00:00",
              }));
    EXPECT_EQ(run("SELECT auction, window_start FROM HOP(bid, date_time, INTERVAL '5' SECOND, "
                  "INTERVAL '10' SECOND) WHERE auction < 3"),
              (std::vector<std::string>{
                  "1|2015-07-15 00:00:00",
                  "1|2015-07-15 00:00:05",
                  "2|2015-07-15 00:00:05",
                  "2|2015-07-15 00:00:10",
              }));
    // 09.999 and 10.000 (on different partitions) are one session.
    EXPECT_EQ(run("SELECT auction, window_start, window_end FROM SESSION(bid, date_time, "
                  "INTERVAL '1' SECOND)"),
              (std::vector<std::string>{
                  "1|2015-07-15 00:00:09.999|2015-07-15 00:00:11",
                  "2|2015-07-15 00:00:09.999|2015-07-15 00:00:11",
                  "4|1969-12-31 23:59:55|1969-12-31 23:59:56",
              }));
}

}  // namespace
}  // namespace window_topic_test
}  // namespace spate::sql
