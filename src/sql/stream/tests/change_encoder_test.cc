#include "sql/stream/change_encoder.h"

#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string>
#include <vector>

#include "sql/stream/key_partitioner.h"

namespace spate::sql {
namespace change_encoder_test {
namespace {

namespace kc = kafka::client;

struct written {
    int32_t partition = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
};

// A query_spec with output columns (id BIGINT, name TEXT, n BIGINT).
query_spec spec_of(sink_type t, std::vector<int> key) {
    query_spec s;
    s.name = "q";
    s.output_topic = "out";
    s.output_columns = {{"id", data_type::of(type_id::int64)},
                        {"name", data_type::of(type_id::text)},
                        {"n", data_type::of(type_id::int64)}};
    s.key_columns = std::move(key);
    s.output_type = t;
    return s;
}

struct row {
    int64_t id;
    std::string name;
    std::optional<int64_t> n;
};

chunk rows_of(const std::vector<row>& rows) {
    std::vector<column> cols{column(data_type::of(type_id::int64)),
                             column(data_type::of(type_id::text)),
                             column(data_type::of(type_id::int64))};
    for (const auto& r : rows) {
        cols[0].push<int64_t>(r.id);
        cols[1].push_string(r.name);
        if (r.n)
            cols[2].push<int64_t>(*r.n);
        else
            cols[2].push_null();
    }
    chunk c(std::move(cols));
    c.set_rows(rows.size());
    return c;
}

std::vector<written> encode(const query_spec& spec, const chunk& rows, std::vector<int8_t> diffs,
                            int32_t partitions = 4, int32_t input_partition = 0) {
    auto e = change_encoder::create(spec, partitions);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    std::vector<written> out;
    if (!e.ok()) return out;
    auto n = e.value()->encode(rows, diffs, input_partition, [&](const kc::outgoing_record& r) {
        EXPECT_EQ(r.topic, "out");
        written w;
        w.partition = r.partition;
        if (r.key) w.key = std::string(*r.key);
        if (r.value) w.value = std::string(*r.value);
        out.push_back(std::move(w));
        return status{};
    });
    EXPECT_TRUE(n.ok());
    if (n.ok()) {
        EXPECT_EQ(n.value(), static_cast<int64_t>(out.size()));
    }
    return out;
}

TEST(kafka_murmur2, matches_the_java_clients_reference_values) {
    // Kafka's Utils.murmur2 test vectors (as signed 32-bit values).
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2("21")), -973932308);
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2("foobar")), -790332482);
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2("a-little-bit-long-string")), -985981536);
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2("a-little-bit-longer-string")), -1486304829);
    EXPECT_EQ(
        static_cast<int32_t>(kafka_murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")),
        -58897971);
    EXPECT_EQ(static_cast<int32_t>(kafka_murmur2("abc")), 479470107);
}

TEST(kafka_murmur2, partitions_as_librdkafkas_murmur2_partitioner) {
    for (std::string key : {"{\"id\":1}", "{\"id\":-7}", "k", "", "some longer key, 123"}) {
        for (int32_t n : {1, 3, 12}) {
            int32_t theirs = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), n,
                                                              nullptr, nullptr);
            EXPECT_EQ(kafka_key_partition(key, n), theirs) << key << " over " << n;
        }
    }
}

TEST(change_encoder, append_writes_every_row_to_the_input_partition_without_keys) {
    auto spec = spec_of(sink_type::append, {});
    auto out = encode(spec, rows_of({{1, "a", 10}, {2, "b", std::nullopt}}), {}, 4, 6);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].value, R"({"id":1,"name":"a","n":10})");
    EXPECT_EQ(out[1].value, R"({"id":2,"name":"b","n":null})");
    EXPECT_FALSE(out[0].key);
    EXPECT_EQ(out[0].partition, 2);  // 6 % 4
}

TEST(change_encoder, keyed_append_partitions_by_the_murmur2_of_the_json_key) {
    auto spec = spec_of(sink_type::append, {0});
    auto out = encode(spec, rows_of({{1, "a", 10}, {2, "b", 3}}), {}, 5);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].key, R"({"id":1})");
    EXPECT_EQ(out[0].partition, kafka_key_partition(R"({"id":1})", 5));
    EXPECT_EQ(out[1].partition, kafka_key_partition(R"({"id":2})", 5));
}

TEST(change_encoder, append_refuses_a_retraction) {
    auto spec = spec_of(sink_type::append, {});
    auto e = change_encoder::create(spec, 1);
    ASSERT_TRUE(e.ok());
    std::vector<int8_t> diffs{1, -1};
    auto n = e.value()->encode(rows_of({{1, "a", 1}, {1, "a", 1}}), diffs, 0,
                               [](const kc::outgoing_record&) { return status{}; });
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.err().message.find("retraction"), std::string::npos);
}

TEST(change_encoder, upsert_writes_an_update_pair_as_the_new_row_only) {
    auto spec = spec_of(sink_type::upsert, {0, 1});
    auto out = encode(spec, rows_of({{1, "a", 10}, {1, "a", 11}, {2, "b", 5}}), {-1, 1, 1});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].key, R"({"id":1,"name":"a"})");
    EXPECT_EQ(out[0].value, R"({"id":1,"name":"a","n":11})");
    EXPECT_EQ(out[1].key, R"({"id":2,"name":"b"})");
    EXPECT_EQ(out[1].value, R"({"id":2,"name":"b","n":5})");
}

TEST(change_encoder, upsert_writes_a_delete_as_a_tombstone_of_its_key) {
    auto spec = spec_of(sink_type::upsert, {0});
    // A retraction followed by an insert of another key is a delete then an insert.
    auto out = encode(spec, rows_of({{1, "a", 10}, {2, "a", 3}}), {-1, 1}, 3);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].key, R"({"id":1})");
    EXPECT_FALSE(out[0].value);
    EXPECT_EQ(out[0].partition, kafka_key_partition(R"({"id":1})", 3));
    EXPECT_EQ(out[1].value, R"({"id":2,"name":"a","n":3})");
}

TEST(change_encoder, upsert_and_debezium_need_key_columns) {
    EXPECT_FALSE(change_encoder::create(spec_of(sink_type::upsert, {}), 1).ok());
    EXPECT_FALSE(change_encoder::create(spec_of(sink_type::debezium, {}), 1).ok());
}

TEST(change_encoder, debezium_writes_create_update_and_delete_envelopes) {
    auto spec = spec_of(sink_type::debezium, {0});
    auto out =
        encode(spec, rows_of({{1, "a", 1}, {2, "b", 2}, {2, "b", 3}, {3, "c", 4}}), {1, -1, 1, -1});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].key, R"({"id":1})");
    EXPECT_EQ(out[0].value, R"({"before":null,"after":{"id":1,"name":"a","n":1},"op":"c"})");
    EXPECT_EQ(out[1].key, R"({"id":2})");
    EXPECT_EQ(out[1].value,
              R"({"before":{"id":2,"name":"b","n":2},"after":{"id":2,"name":"b","n":3},"op":"u"})");
    EXPECT_EQ(out[2].key, R"({"id":3})");
    EXPECT_EQ(out[2].value, R"({"before":{"id":3,"name":"c","n":4},"after":null,"op":"d"})");
}

TEST(change_encoder, debezium_is_json_only) {
    auto spec = spec_of(sink_type::debezium, {0});
    spec.output_format = record_format::csv;
    auto e = change_encoder::create(spec, 1);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, sql_errc::feature_not_supported);
}

TEST(change_encoder, a_sink_error_stops_the_call_and_is_returned) {
    auto spec = spec_of(sink_type::upsert, {0});
    auto e = change_encoder::create(spec, 1);
    ASSERT_TRUE(e.ok());
    int calls = 0;
    auto n = e.value()->encode(rows_of({{1, "a", 1}, {2, "b", 2}}), {}, 0,
                               [&](const kc::outgoing_record&) -> status {
                                   ++calls;
                                   return error{errc::io_error, "broker gone"};
                               });
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.err().message, "broker gone");
    EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace change_encoder_test
}  // namespace spate::sql
