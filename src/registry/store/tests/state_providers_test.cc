// The store's rules with the real providers: canonical identity,
// compatibility refusals, references and normalization.

#include <gtest/gtest.h>

#include "registry/store/state_service.h"

namespace spate::registry {
namespace state_providers_test {
namespace {

schema_input avro(std::string text, std::vector<schema_reference> refs = {}) {
    return schema_input{schema_type::avro, std::move(text), std::move(refs)};
}

constexpr const char* k_user_v1 =
    R"({"type":"record","name":"User","namespace":"acme","fields":[{"name":"id","type":"long"}]})";

class state_providers_test : public ::testing::Test {
  protected:
    std::shared_ptr<service> _s = make_memory_store();
};

TEST_F(state_providers_test, the_same_avro_schema_written_differently_keeps_its_id) {
    auto first = _s->register_schema("users-value", avro(k_user_v1), {});
    ASSERT_TRUE(first.ok()) << first.err().message;
    // Other whitespace and attribute order: the same canonical text.
    auto again = _s->register_schema(
        "users-value", avro(R"({ "fields": [ {"type": "long", "name": "id"} ], "namespace": "acme",
                  "name": "User", "type": "record" })"),
        {});
    ASSERT_TRUE(again.ok()) << again.err().message;
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(again->version.value(), 1);
    auto other = _s->register_schema("archive-value", avro(k_user_v1), {});
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->id, first->id);
    EXPECT_EQ(_s->record_name_of(first->id), "acme.User");
}

TEST_F(state_providers_test, a_field_without_a_default_is_refused_under_backward) {
    ASSERT_TRUE(_s->register_schema("users-value", avro(k_user_v1), {}).ok());
    auto refused = _s->register_schema(
        "users-value",
        avro(R"({"type":"record","name":"User","namespace":"acme","fields":[)"
             R"({"name":"id","type":"long"},{"name":"email","type":"string"}]})"),
        {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.err().code, registry_errc::incompatible_schema);
    EXPECT_NE(refused.err().message.find("email"), std::string::npos) << refused.err().message;
    auto accepted = _s->register_schema(
        "users-value",
        avro(R"({"type":"record","name":"User","namespace":"acme","fields":[)"
             R"({"name":"id","type":"long"},{"name":"email","type":"string","default":""}]})"),
        {});
    ASSERT_TRUE(accepted.ok()) << accepted.err().message;
    EXPECT_EQ(accepted->version.value(), 2);
    EXPECT_EQ(accepted->id.value(), 2);
}

TEST_F(state_providers_test, an_avro_schema_may_use_a_type_of_a_referenced_subject) {
    auto address = _s->register_schema(
        "address",
        avro(R"({"type":"record","name":"Address","namespace":"acme","fields":[)"
             R"({"name":"city","type":"string"}]})"),
        {});
    ASSERT_TRUE(address.ok()) << address.err().message;
    auto user =
        _s->register_schema("users-value",
                            avro(R"({"type":"record","name":"User","namespace":"acme","fields":[)"
                                 R"({"name":"home","type":"acme.Address"}]})",
                                 {{"acme.Address", "address", schema_version(1)}}),
                            {});
    ASSERT_TRUE(user.ok()) << user.err().message;
    EXPECT_EQ(_s->delete_subject("address", false).err().code, registry_errc::reference_exists);
    EXPECT_EQ(*_s->referenced_by("address", version_selector::of(1)),
              (std::vector<schema_id>{user->id}));
    // Without the reference the type is unknown.
    auto unresolved = _s->register_schema(
        "other-value",
        avro(R"({"type":"record","name":"U2","fields":[{"name":"h","type":"acme.Address"}]})"), {});
    ASSERT_FALSE(unresolved.ok());
    EXPECT_EQ(unresolved.err().code, registry_errc::invalid_schema);
}

TEST_F(state_providers_test, normalize_makes_a_namespace_written_two_ways_the_same_schema) {
    register_options norm;
    norm.normalize = true;
    auto first = _s->register_schema("users-value", avro(k_user_v1), norm);
    ASSERT_TRUE(first.ok()) << first.err().message;
    auto dotted = _s->register_schema(
        "users-value",
        avro(R"({"type":"record","name":"acme.User","fields":[{"name":"id","type":"long"}]})"),
        norm);
    ASSERT_TRUE(dotted.ok()) << dotted.err().message;
    EXPECT_EQ(dotted->version.value(), 1);
    EXPECT_EQ(dotted->id, first->id);
}

TEST_F(state_providers_test, invalid_avro_is_refused_with_the_parsers_message) {
    auto r = _s->register_schema("s",
                                 avro(R"({"type":"record","name":"R","fields":[)"
                                      R"({"name":"f","type":"strin"}]})"),
                                 {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, registry_errc::invalid_schema);
    EXPECT_NE(r.err().message.find("strin"), std::string::npos) << r.err().message;
}

TEST_F(state_providers_test, a_protobuf_schema_imports_a_referenced_subject) {
    auto dep = _s->register_schema(
        "address",
        schema_input{schema_type::protobuf,
                     "syntax = \"proto3\";\npackage acme;\nmessage Address { string city = 1; }\n",
                     {}},
        {});
    ASSERT_TRUE(dep.ok()) << dep.err().message;
    const schema_input user{schema_type::protobuf,
                            "syntax = \"proto3\";\npackage acme;\nimport \"address.proto\";\n"
                            "message User { Address home = 1; }\n",
                            {{"address.proto", "address", schema_version(1)}}};
    auto r = _s->register_schema("users-value", user, {});
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->type, schema_type::protobuf);
    EXPECT_EQ(_s->record_name_of(r->id), "acme.User");
    EXPECT_EQ(_s->lookup("users-value", user, false, false)->id, r->id);
    EXPECT_EQ(_s->delete_subject("address", false).err().code, registry_errc::reference_exists);
}

TEST_F(state_providers_test, a_json_schema_with_reordered_keywords_is_the_same_schema) {
    auto first = _s->register_schema(
        "orders-value",
        schema_input{schema_type::json,
                     R"({"title":"Order","type":"object","properties":{"id":{"type":"integer"}}})",
                     {}},
        {});
    ASSERT_TRUE(first.ok()) << first.err().message;
    auto again = _s->register_schema(
        "orders-value",
        schema_input{schema_type::json,
                     R"({"properties":{"id":{"type":"integer"}},"type":"object","title":"Order"})",
                     {}},
        {});
    ASSERT_TRUE(again.ok()) << again.err().message;
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(again->version.value(), 1);
    EXPECT_EQ(_s->record_name_of(first->id), "Order");
}

}  // namespace
}  // namespace state_providers_test
}  // namespace spate::registry
