// Broker-side schema id validation: Produce to topics with
// confluent.{key,value}.schema.validation on, against a fake registry.

#include <atomic>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "broker/schema_validator.h"
#include "broker/tests/test_client.h"
#include "broker/topic_directory.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"
#include "kafka/protocol/generated/describe_configs_request.h"
#include "kafka/protocol/generated/describe_configs_response.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::broker::test {
namespace schema_validation_test {
namespace {

using namespace kafka::protocol;
using bytes_t = std::vector<std::byte>;

constexpr int16_t k_invalid_record = 87;
constexpr int16_t k_corrupt_message = 2;

// Schemas by id: the subjects each is live under and its record name.
class fake_registry final : public schema_validator {
  public:
    void add(int32_t id, std::set<std::string> subjects,
             std::optional<std::string> record_name = std::nullopt) {
        _schemas[id] = {std::move(subjects), std::move(record_name)};
    }

    bool id_exists(int32_t id) override {
        ++lookups;
        return _schemas.contains(id);
    }
    bool id_registered_under(int32_t id, std::string_view subject) override {
        ++lookups;
        auto it = _schemas.find(id);
        return it != _schemas.end() && it->second.subjects.contains(std::string(subject));
    }
    std::optional<std::string> record_name_of(int32_t id) override {
        ++lookups;
        auto it = _schemas.find(id);
        return it == _schemas.end() ? std::nullopt : it->second.record_name;
    }

    std::atomic<int> lookups{0};

  private:
    struct entry {
        std::set<std::string> subjects;
        std::optional<std::string> record_name;
    };
    std::map<int32_t, entry> _schemas;
};

bytes_t text(const std::string& s) {
    auto* p = reinterpret_cast<const std::byte*>(s.data());
    return bytes_t(p, p + s.size());
}

// Confluent's wire format: magic byte 0, the schema id big-endian, the payload.
bytes_t framed(int32_t id, const std::string& payload = "{}") {
    auto u = static_cast<uint32_t>(id);
    bytes_t out{std::byte{0}, std::byte(u >> 24), std::byte(u >> 16), std::byte(u >> 8),
                std::byte(u)};
    auto p = text(payload);
    out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct rec {
    std::optional<bytes_t> key;
    std::optional<bytes_t> value;
};

rec value_only(std::optional<bytes_t> v) {
    return {std::nullopt, std::move(v)};
}

bytes_t make_records(const std::vector<rec>& recs,
                     model::compression c = model::compression::none) {
    model::record_batch_builder b({.compression_type = c});
    for (const auto& r : recs) {
        auto span = [](const std::optional<bytes_t>& x) {
            return x ? std::optional<std::span<const std::byte>>(*x) : std::nullopt;
        };
        b.add(1000, span(r.key), span(r.value));
    }
    return b.finish();
}

class schema_validation : public ::testing::Test {
  protected:
    void SetUp() override {
        registry->add(1, {"orders-value"}, "com.acme.Order");
        registry->add(2, {"payments-value"}, "com.acme.Payment");
        registry->add(3, {"com.acme.Order", "orders-com.acme.Order"}, "com.acme.Order");
        registry->add(4, {"orders-value"});  // no record name
        registry->add(5, {"orders-key"}, "com.acme.OrderKey");
        tb.deps().schema_validators.set(registry);
    }

    void create(const std::string& topic, storage::config_map cfg) {
        ASSERT_TRUE(tb.logs().create_topic(topic, 1, cfg).ok());
    }
    void create_value_validated(const std::string& topic = "orders") {
        create(topic, {{"confluent.value.schema.validation", "true"}});
    }

    produce_response::partition_produce_response produce(const std::string& topic,
                                                         const bytes_t& batch,
                                                         int16_t version = 9) {
        produce_request r;
        r.acks = 1;
        r.timeout_ms = 5000;
        produce_request::topic_produce_data t;
        t.name = topic;
        t.partition_data.push_back({0, std::span<const std::byte>(batch)});
        r.topic_data.push_back(std::move(t));
        auto out = client.call<produce_response>(r, version);
        EXPECT_EQ(out.responses.size(), 1u);
        if (out.responses.empty() || out.responses[0].partition_responses.empty()) return {};
        return out.responses[0].partition_responses[0];
    }

    int64_t end_offset(const std::string& topic) {
        return tb.logs().get(topic, 0)->log_end_offset().value();
    }

    // Every stored value, fetched from offset 0.
    std::vector<bytes_t> stored_values(const std::string& topic) {
        fetch_request f;
        f.max_bytes = 1 << 20;
        fetch_request::fetch_topic ft;
        ft.topic = topic;
        ft.partitions.push_back({});
        ft.partitions[0].partition_max_bytes = 1 << 20;
        f.topics.push_back(ft);
        auto r = client.call<fetch_response>(f, 12);
        std::vector<bytes_t> out;
        if (r.responses.empty() || !r.responses[0].partitions[0].records) return out;
        std::span<const std::byte> rest = *r.responses[0].partitions[0].records;
        while (!rest.empty()) {
            auto v = model::record_batch_view::parse(rest);
            if (!v.ok()) break;
            auto rr = model::record_reader::create(*v);
            EXPECT_TRUE(rr.ok());
            (void)rr->for_each([&](const model::record_view& rv) {
                out.emplace_back(rv.value ? bytes_t(rv.value->begin(), rv.value->end())
                                          : bytes_t{});
            });
            rest = rest.subspan(v->size_bytes());
        }
        return out;
    }

    std::shared_ptr<fake_registry> registry = std::make_shared<fake_registry>();
    test_broker tb;
    test_client client{tb.port()};
};

bool contains(const std::optional<std::string>& s, const std::string& part) {
    return s && s->find(part) != std::string::npos;
}

TEST_F(schema_validation, accepts_values_framed_with_an_id_of_the_topic_value_subject) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(framed(1)), value_only(framed(1, "x"))}));
    EXPECT_EQ(p.error_code, 0);
    EXPECT_TRUE(p.record_errors.empty());
    EXPECT_EQ(end_offset("orders"), 2);
    EXPECT_EQ(stored_values("orders"), (std::vector<bytes_t>{framed(1), framed(1, "x")}));
}

TEST_F(schema_validation, one_value_without_magic_byte_refuses_the_whole_batch) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(framed(1)), value_only(text("plain")),
                                             value_only(framed(1))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(p.record_errors[0].batch_index, 1);
    EXPECT_TRUE(contains(p.record_errors[0].batch_index_error_message, "magic byte 0"));
    EXPECT_TRUE(contains(p.error_message, "1 of 3 records of topic orders"));
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, refuses_a_value_shorter_than_the_schema_id_header) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(bytes_t{std::byte{0}, std::byte{0}})}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_TRUE(contains(p.record_errors[0].batch_index_error_message, "4-byte schema id"));
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, refuses_an_unknown_schema_id) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(framed(99))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(p.record_errors[0].batch_index_error_message, "value schema id 99 does not exist");
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, refuses_an_id_registered_only_under_another_subject) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(framed(2))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(p.record_errors[0].batch_index_error_message,
              "value schema id 2 is not registered under subject orders-value");
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, refuses_a_null_value) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(framed(1)), value_only(std::nullopt)}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(p.record_errors[0].batch_index, 1);
    EXPECT_EQ(p.record_errors[0].batch_index_error_message, "value is null");
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, checks_every_record_of_compressed_batches) {
    create_value_validated();
    int64_t stored = 0;
    for (auto c : {model::compression::gzip, model::compression::snappy, model::compression::lz4,
                   model::compression::zstd}) {
        auto good =
            produce("orders", make_records({value_only(framed(1)), value_only(framed(1))}, c));
        EXPECT_EQ(good.error_code, 0) << static_cast<int>(c);
        stored += 2;
        auto bad =
            produce("orders", make_records({value_only(framed(1)), value_only(framed(7))}, c));
        EXPECT_EQ(bad.error_code, k_invalid_record) << static_cast<int>(c);
        ASSERT_EQ(bad.record_errors.size(), 1u);
        EXPECT_EQ(bad.record_errors[0].batch_index, 1);
        EXPECT_EQ(end_offset("orders"), stored);
    }
}

TEST_F(schema_validation, record_name_strategy_looks_the_id_up_under_its_record_name) {
    create("orders", {{"confluent.value.schema.validation", "true"},
                      {"confluent.value.subject.name.strategy", storage::k_record_name_strategy}});
    EXPECT_EQ(produce("orders", make_records({value_only(framed(3))})).error_code, 0);
    // Id 1 is com.acme.Order too, but registered only under orders-value.
    auto p = produce("orders", make_records({value_only(framed(1))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_EQ(p.record_errors.at(0).batch_index_error_message,
              "value schema id 1 is not registered under subject com.acme.Order");
    auto nameless = produce("orders", make_records({value_only(framed(4))}));
    EXPECT_EQ(nameless.error_code, k_invalid_record);
    EXPECT_EQ(nameless.record_errors.at(0).batch_index_error_message,
              "value schema id 4 has no record name for RecordNameStrategy");
    EXPECT_EQ(end_offset("orders"), 1);
}

TEST_F(schema_validation, topic_record_name_strategy_prefixes_the_record_name_with_the_topic) {
    create("orders",
           {{"confluent.value.schema.validation", "true"},
            {"confluent.value.subject.name.strategy", storage::k_topic_record_name_strategy}});
    EXPECT_EQ(produce("orders", make_records({value_only(framed(3))})).error_code, 0);
    auto p = produce("orders", make_records({value_only(framed(1))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_EQ(p.record_errors.at(0).batch_index_error_message,
              "value schema id 1 is not registered under subject orders-com.acme.Order");
    EXPECT_EQ(end_offset("orders"), 1);
}

TEST_F(schema_validation, key_validation_checks_keys_and_leaves_values_alone) {
    create("orders", {{"confluent.key.schema.validation", "true"}});
    auto ok = produce("orders", make_records({{framed(5), text("plain value")}}));
    EXPECT_EQ(ok.error_code, 0);
    auto p = produce(
        "orders",
        make_records({{framed(5), text("v")}, {std::nullopt, framed(1)}, {framed(1), framed(1)}}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 2u);
    EXPECT_EQ(p.record_errors[0].batch_index, 1);
    EXPECT_EQ(p.record_errors[0].batch_index_error_message, "key is null");
    EXPECT_EQ(p.record_errors[1].batch_index, 2);
    EXPECT_EQ(p.record_errors[1].batch_index_error_message,
              "key schema id 1 is not registered under subject orders-key");
    EXPECT_EQ(end_offset("orders"), 1);
}

TEST_F(schema_validation, topics_without_validation_store_anything_without_asking_the_registry) {
    create("plain", {});
    auto p = produce("plain", make_records({value_only(text("x")), value_only(std::nullopt),
                                            value_only(framed(99))}));
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(end_offset("plain"), 3);
    EXPECT_EQ(registry->lookups.load(), 0);
}

TEST_F(schema_validation, without_a_registry_validated_topics_are_refused_and_others_served) {
    tb.deps().schema_validators.set(nullptr);
    create_value_validated();
    create("plain", {});
    auto p = produce("orders", make_records({value_only(framed(1))}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_TRUE(contains(p.error_message, "no schema registry is available"));
    EXPECT_EQ(end_offset("orders"), 0);
    EXPECT_EQ(produce("plain", make_records({value_only(text("x"))})).error_code, 0);
}

TEST_F(schema_validation, a_batch_sharing_one_schema_id_costs_one_lookup_per_side) {
    create_value_validated();
    std::vector<rec> recs(500, value_only(framed(1)));
    EXPECT_EQ(produce("orders", make_records(recs)).error_code, 0);
    EXPECT_LE(registry->lookups.load(), 2);  // id_exists + id_registered_under
    EXPECT_EQ(end_offset("orders"), 500);
}

TEST_F(schema_validation, lists_at_most_the_capped_number_of_record_errors) {
    create_value_validated();
    std::vector<rec> recs(150, value_only(text("plain")));
    auto p = produce("orders", make_records(recs));
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_EQ(p.record_errors.size(), k_max_record_errors);
    EXPECT_TRUE(contains(p.error_message, "150 of 150 records"));
}

TEST_F(schema_validation, corrupt_batches_stay_corrupt_message_on_validated_topics) {
    create_value_validated();
    auto batch = make_records({value_only(framed(1))});
    batch.back() ^= std::byte{0xff};  // the CRC no longer matches
    EXPECT_EQ(produce("orders", batch).error_code, k_corrupt_message);
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, produce_v7_gets_invalid_record_without_record_errors) {
    create_value_validated();
    auto p = produce("orders", make_records({value_only(text("plain"))}), 7);
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_TRUE(p.record_errors.empty());
    EXPECT_EQ(end_offset("orders"), 0);
}

TEST_F(schema_validation, turning_validation_on_keeps_stored_records_and_refuses_new_bad_ones) {
    create("orders", {});
    ASSERT_EQ(produce("orders", make_records({value_only(text("before"))})).error_code, 0);
    ASSERT_TRUE(
        tb.deps()
            .topics.set_topic_config("orders", {{"confluent.value.schema.validation", "true"}})
            .ok());
    EXPECT_EQ(produce("orders", make_records({value_only(text("after"))})).error_code,
              k_invalid_record);
    EXPECT_EQ(produce("orders", make_records({value_only(framed(1))})).error_code, 0);
    EXPECT_EQ(stored_values("orders"), (std::vector<bytes_t>{text("before"), framed(1)}));
}

TEST_F(schema_validation, create_topics_accepts_the_configs_and_refuses_bad_values) {
    create_topics_request req;
    auto topic = [&](const std::string& name, const std::string& key, const std::string& value) {
        create_topics_request::creatable_topic t;
        t.name = name;
        t.num_partitions = 1;
        t.replication_factor = -1;
        t.configs.push_back({key, value});
        req.topics.push_back(t);
    };
    topic("a", "confluent.value.schema.validation", "true");
    topic("b", "confluent.key.subject.name.strategy", storage::k_topic_record_name_strategy);
    topic("c", "confluent.value.subject.name.strategy", "RecordNameStrategy");
    topic("d", "confluent.key.schema.validation", "yes");
    auto r = client.call<create_topics_response>(req, 7);
    ASSERT_EQ(r.topics.size(), 4u);
    EXPECT_EQ(r.topics[0].error_code, 0);
    EXPECT_EQ(r.topics[1].error_code, 0);
    EXPECT_EQ(r.topics[2].error_code, 40);  // INVALID_CONFIG
    EXPECT_TRUE(contains(r.topics[2].error_message, "confluent.value.subject.name.strategy"));
    EXPECT_EQ(r.topics[3].error_code, 40);
    EXPECT_TRUE(tb.logs().get("a", 0)->config().schema_validation.value);
    EXPECT_EQ(tb.logs().get("b", 0)->config().schema_validation.key_strategy,
              storage::subject_name_strategy::topic_record_name);
}

TEST_F(schema_validation, describe_configs_reports_the_defaults) {
    create("orders", {{"confluent.value.schema.validation", "true"}});
    describe_configs_request req;
    req.resources.push_back({2, "orders", std::nullopt});
    auto r = client.call<describe_configs_response>(req, 4);
    ASSERT_EQ(r.results.size(), 1u);
    std::map<std::string, const describe_configs_response::describe_configs_resource_result*> by;
    for (const auto& c : r.results[0].configs)
        by[c.name] = &c;
    ASSERT_TRUE(by.contains("confluent.value.schema.validation"));
    EXPECT_EQ(by["confluent.value.schema.validation"]->value, "true");
    EXPECT_EQ(by["confluent.value.schema.validation"]->config_source, 1);  // topic
    EXPECT_EQ(by["confluent.value.schema.validation"]->config_type, 1);    // BOOLEAN
    ASSERT_TRUE(by.contains("confluent.key.schema.validation"));
    EXPECT_EQ(by["confluent.key.schema.validation"]->value, "false");
    EXPECT_EQ(by["confluent.key.schema.validation"]->config_source, 5);  // default
    for (const char* k :
         {"confluent.key.subject.name.strategy", "confluent.value.subject.name.strategy"}) {
        ASSERT_TRUE(by.contains(k)) << k;
        EXPECT_EQ(by[k]->value, storage::k_topic_name_strategy);
    }
}

TEST_F(schema_validation, incremental_alter_configs_turns_validation_on_and_off) {
    create("orders", {});
    incremental_alter_configs_request inc;
    incremental_alter_configs_request::alter_configs_resource res;
    res.resource_type = 2;
    res.resource_name = "orders";
    res.configs.push_back({"confluent.value.schema.validation", 0, "true"});
    inc.resources.push_back(res);
    ASSERT_EQ(client.call<incremental_alter_configs_response>(inc, 1).responses[0].error_code, 0);
    EXPECT_EQ(produce("orders", make_records({value_only(text("x"))})).error_code,
              k_invalid_record);
    inc.resources[0].configs = {{"confluent.value.subject.name.strategy", 0, "nope"}};
    EXPECT_EQ(client.call<incremental_alter_configs_response>(inc, 1).responses[0].error_code, 40);
    inc.resources[0].configs = {{"confluent.value.schema.validation", 1, std::nullopt}};
    ASSERT_EQ(client.call<incremental_alter_configs_response>(inc, 1).responses[0].error_code, 0);
    EXPECT_EQ(produce("orders", make_records({value_only(text("x"))})).error_code, 0);
}

TEST(subject_name, follows_each_strategy) {
    using s = storage::subject_name_strategy;
    EXPECT_EQ(subject_name(s::topic_name, "t", true, "a.B"), "t-key");
    EXPECT_EQ(subject_name(s::topic_name, "t", false, "a.B"), "t-value");
    EXPECT_EQ(subject_name(s::record_name, "t", false, "a.B"), "a.B");
    EXPECT_EQ(subject_name(s::topic_record_name, "t", true, "a.B"), "t-a.B");
}

}  // namespace
}  // namespace schema_validation_test
}  // namespace spate::broker::test
