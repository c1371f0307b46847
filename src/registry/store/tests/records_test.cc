// The `_schemas` records in Confluent's key/value JSON layout.

#include "registry/store/records.h"

#include <gtest/gtest.h>

namespace spate::registry {
namespace records_test {
namespace {

subject_schema schema_value(std::string subject, int32_t version, int32_t id) {
    subject_schema s;
    s.subject = std::move(subject);
    s.version = schema_version(version);
    s.id = schema_id(id);
    s.schema = R"({"type":"string"})";
    return s;
}

store_record decoded(std::string_view key, std::optional<std::string_view> value) {
    auto r = decode_record(key, value);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    if (!r.ok() || !r->has_value()) return noop_record{};
    return **r;
}

errc decode_error(std::optional<std::string_view> key, std::optional<std::string_view> value) {
    auto r = decode_record(key, value);
    EXPECT_FALSE(r.ok());
    return r.ok() ? errc::ok : r.err().code;
}

TEST(records, schema_records_encode_as_confluent_writes_them) {
    auto e = encode_record(
        schema_record{"orders-value", schema_version(3), schema_value("orders-value", 3, 7)});
    EXPECT_EQ(e.key, R"({"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1})");
    ASSERT_TRUE(e.value.has_value());
    EXPECT_EQ(*e.value,
              R"({"subject":"orders-value","version":3,"id":7,"schema":"{\"type\":\"string\"}",)"
              R"("deleted":false})");

    subject_schema p = schema_value("s", 1, 2);
    p.type = schema_type::protobuf;
    p.references = {{"a.proto", "a", schema_version(1)}};
    p.deleted = true;
    auto pe = encode_record(schema_record{"s", schema_version(1), p});
    EXPECT_EQ(*pe.value,
              R"({"subject":"s","version":1,"id":2,"schemaType":"PROTOBUF","references":)"
              R"([{"name":"a.proto","subject":"a","version":1}],)"
              R"("schema":"{\"type\":\"string\"}","deleted":true})");

    auto tomb = encode_record(schema_record{"s", schema_version(1), std::nullopt});
    EXPECT_EQ(tomb.key, R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
    EXPECT_FALSE(tomb.value.has_value());
}

TEST(records, config_mode_and_delete_records_encode_as_confluent_writes_them) {
    auto global = encode_record(config_record{std::nullopt, compat_level::full});
    EXPECT_EQ(global.key, R"({"keytype":"CONFIG","magic":0})");
    EXPECT_EQ(global.value, R"({"compatibilityLevel":"FULL"})");
    auto mode = encode_record(mode_record{"s", registry_mode::readonly});
    EXPECT_EQ(mode.key, R"({"keytype":"MODE","subject":"s","magic":0})");
    EXPECT_EQ(mode.value, R"({"mode":"READONLY"})");
    auto removed = encode_record(config_record{"s", std::nullopt});
    EXPECT_EQ(removed.key, R"({"keytype":"CONFIG","subject":"s","magic":0})");
    EXPECT_FALSE(removed.value.has_value());
    auto del = encode_record(delete_subject_record{"s", schema_version(2)});
    EXPECT_EQ(del.key, R"({"keytype":"DELETE_SUBJECT","subject":"s","magic":0})");
    EXPECT_EQ(del.value, R"({"subject":"s","version":2})");
    auto clear = encode_record(clear_subject_record{"s", false});
    EXPECT_EQ(clear.key, R"({"keytype":"CLEAR_SUBJECT","subject":"s","magic":0})");
    EXPECT_EQ(clear.value, R"({"subject":"s"})");
    EXPECT_EQ(encode_record(noop_record{}).key, R"({"keytype":"NOOP","magic":0})");
}

TEST(records, every_kind_decodes_back_to_what_was_encoded) {
    subject_schema s = schema_value(":.ctx:s", 4, 9);
    s.type = schema_type::json;
    s.references = {{"r.json", "r", schema_version(2)}};
    std::vector<store_record> all = {
        schema_record{":.ctx:s", schema_version(4), s},
        schema_record{"s", schema_version(1), std::nullopt},
        config_record{std::nullopt, compat_level::none},
        config_record{"s", std::nullopt},
        mode_record{std::nullopt, registry_mode::import},
        mode_record{"s", std::nullopt},
        delete_subject_record{"s", schema_version(3)},
        clear_subject_record{std::nullopt, false},
        noop_record{},
    };
    for (const auto& r : all) {
        auto e = encode_record(r);
        auto back = decode_record(e.key, e.value);
        ASSERT_TRUE(back.ok()) << e.key << ": " << back.err().message;
        ASSERT_TRUE(back->has_value()) << e.key;
        auto again = encode_record(**back);
        EXPECT_EQ(again.key, e.key);
        EXPECT_EQ(again.value, e.value);
    }
}

TEST(records, records_a_confluent_registry_wrote_decode) {
    // Extra fields of newer versions are ignored; no schemaType means AVRO.
    auto r = decoded(R"({"keytype":"SCHEMA","subject":"t","version":2,"magic":1})",
                     R"({"subject":"t","version":2,"id":5,"md5":"abc","metadata":null,)"
                     R"("schema":"\"int\"","deleted":false})");
    const auto& s = std::get<schema_record>(r);
    ASSERT_TRUE(s.value.has_value());
    EXPECT_EQ(s.value->id.value(), 5);
    EXPECT_EQ(s.value->type, schema_type::avro);
    EXPECT_EQ(s.value->schema, "\"int\"");
    EXPECT_TRUE(s.value->references.empty());

    auto c = decoded(R"({"keytype":"CONFIG","subject":null,"magic":0})",
                     R"({"compatibilityLevel":"FORWARD","compatibilityGroup":null})");
    EXPECT_FALSE(std::get<config_record>(c).subject.has_value());
    EXPECT_EQ(std::get<config_record>(c).level, compat_level::forward);

    auto d = decoded(R"({"keytype":"DELETE_SUBJECT","subject":"t","magic":0})",
                     R"({"subject":"t","version":2})");
    EXPECT_EQ(std::get<delete_subject_record>(d).version, schema_version(2));

    // A kind this registry does not use is recognized and left out.
    auto ctx = decode_record(R"({"keytype":"CONTEXT","tenant":"default","context":".a"})",
                             R"({"tenant":"default","context":".a"})");
    ASSERT_TRUE(ctx.ok());
    EXPECT_FALSE(ctx->has_value());
}

TEST(records, malformed_records_are_errors_saying_what_is_wrong) {
    EXPECT_EQ(decode_error(std::nullopt, "{}"), errc::corrupt);
    EXPECT_EQ(decode_error("not json", std::nullopt), errc::corrupt);
    EXPECT_EQ(decode_error("[1]", std::nullopt), errc::corrupt);
    EXPECT_EQ(decode_error(R"({"subject":"s"})", std::nullopt), errc::corrupt);
    EXPECT_EQ(decode_error(R"({"keytype":"SCHEMA","subject":"s","magic":1})", std::nullopt),
              errc::corrupt);
    EXPECT_EQ(
        decode_error(R"({"keytype":"SCHEMA","subject":"s","version":0,"magic":1})", std::nullopt),
        errc::corrupt);
    const char* key = R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})";
    EXPECT_EQ(decode_error(key, "{bad"), errc::corrupt);
    EXPECT_EQ(decode_error(key, R"({"subject":"other","version":1,"id":1,"schema":"x"})"),
              errc::corrupt);
    EXPECT_EQ(decode_error(key, R"({"subject":"s","version":1,"id":1})"), errc::corrupt);
    EXPECT_EQ(
        decode_error(key, R"({"subject":"s","version":1,"id":1,"schema":"x","schemaType":"XML"})"),
        errc::corrupt);
    EXPECT_EQ(decode_error(key, R"({"subject":"s","version":1,"id":"1","schema":"x"})"),
              errc::corrupt);
    EXPECT_EQ(decode_error(key, R"({"subject":"s","version":1,"id":1,"schema":"x",)"
                                R"("references":[{"name":"n"}]})"),
              errc::corrupt);
    EXPECT_EQ(decode_error(R"({"keytype":"CONFIG","magic":0})", R"({"compatibilityLevel":"x"})"),
              errc::corrupt);
    EXPECT_EQ(decode_error(R"({"keytype":"MODE","magic":0})", R"({"mode":7})"), errc::corrupt);
    auto r = decode_record(key, R"({"subject":"s","version":1,"id":-4,"schema":"x"})");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("\"id\""), std::string::npos) << r.err().message;
}

}  // namespace
}  // namespace records_test
}  // namespace spate::registry
