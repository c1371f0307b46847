#include "http/registry_api.h"

#include <gtest/gtest.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "http/server.h"
#include "http/tests/fake_registry.h"
#include "http/uri.h"
#include "registry/store/state_service.h"

namespace spate::http {
namespace registry_api_test {
namespace {

using nlohmann::json;
using registry::registry_errc;

class registry_api_test : public ::testing::Test {
  protected:
    registry_api_test() {
        add_registry_routes(_routes, [this]() -> std::shared_ptr<registry::service> {
            if (!_running) return nullptr;
            if (_store) return _store;
            return _svc;
        });
    }

    response call(verb method, std::string_view target, std::string body = {},
                  std::string content_type = k_registry_content_type) {
        request req;
        req.method = method;
        req.target = std::string(target);
        auto parts = parse_target(target);
        EXPECT_TRUE(parts.ok()) << target;
        req.query = parts->query;
        req.body = std::move(body);
        if (!req.body.empty()) req.content_type = std::move(content_type);
        return _routes.dispatch(req, parts->segments);
    }
    // The JSON answer of a call expected to succeed.
    json ok(verb method, std::string_view target, std::string body = {}) {
        auto r = call(method, target, std::move(body));
        EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
        EXPECT_EQ(r.content_type, k_registry_content_type);
        return json::parse(r.body, nullptr, false);
    }
    // {status, error_code} of a call expected to fail.
    std::pair<unsigned, int> fails(verb method, std::string_view target, std::string body = {},
                                   std::string content_type = k_registry_content_type) {
        auto r = call(method, target, std::move(body), std::move(content_type));
        auto j = json::parse(r.body, nullptr, false);
        EXPECT_TRUE(j.is_object() && j["message"].is_string()) << r.body;
        return {r.status, j.is_object() ? j.value("error_code", -1) : -1};
    }
    void register_avro(const std::string& subject, const std::string& schema) {
        ok(verb::post, "/subjects/" + subject + "/versions", json{{"schema", schema}}.dump());
    }

    router _routes;
    std::shared_ptr<testing::fake_registry> _svc = std::make_shared<testing::fake_registry>();
    std::shared_ptr<registry::service> _store;  // set: the routes use it instead of _svc
    bool _running = true;
};

TEST_F(registry_api_test, root_answers_an_empty_object_and_types_lists_the_three) {
    EXPECT_EQ(ok(verb::get, "/"), json::object());
    EXPECT_EQ(ok(verb::get, "/schemas/types"), json::array({"JSON", "PROTOBUF", "AVRO"}));
}

TEST_F(registry_api_test, register_answers_the_id_and_passes_type_references_and_options) {
    json body = {{"schema", "syntax = \"proto3\";"},
                 {"schemaType", "PROTOBUF"},
                 {"references", {{{"name", "dep.proto"}, {"subject", "dep"}, {"version", 2}}}},
                 {"id", 7},
                 {"version", 3}};
    EXPECT_EQ(ok(verb::post, "/subjects/orders-value/versions?normalize=true", body.dump()),
              (json{{"id", 7}}));
    ASSERT_TRUE(_svc->last_input && _svc->last_register);
    EXPECT_EQ(_svc->last_input->type, registry::schema_type::protobuf);
    ASSERT_EQ(_svc->last_input->references.size(), 1u);
    EXPECT_EQ(_svc->last_input->references[0],
              (registry::schema_reference{"dep.proto", "dep", registry::schema_version(2)}));
    EXPECT_TRUE(_svc->last_register->normalize);
    EXPECT_EQ(_svc->last_register->id, registry::schema_id(7));
    EXPECT_EQ(_svc->last_register->version, registry::schema_version(3));
}

TEST_F(registry_api_test, version_answer_omits_avro_type_and_empty_references) {
    register_avro("s", "\"string\"");
    auto j = ok(verb::get, "/subjects/s/versions/1");
    EXPECT_EQ(j, (json{{"subject", "s"}, {"version", 1}, {"id", 1}, {"schema", "\"string\""}}));
    EXPECT_EQ(ok(verb::get, "/subjects/s/versions/latest"), j);
    EXPECT_EQ(ok(verb::get, "/subjects/s/versions/-1"), j);
}

TEST_F(registry_api_test, version_answer_names_other_types_and_lists_references) {
    json body = {{"schema", "{}"},
                 {"schemaType", "json"},
                 {"references", {{{"name", "a.json"}, {"subject", "a"}, {"version", 1}}}}};
    ok(verb::post, "/subjects/j/versions", body.dump());
    auto j = ok(verb::get, "/subjects/j/versions/latest");
    EXPECT_EQ(j["schemaType"], "JSON");
    EXPECT_EQ(j["references"],
              json::array({{{"name", "a.json"}, {"subject", "a"}, {"version", 1}}}));
    auto by_id = ok(verb::get, "/schemas/ids/1");
    EXPECT_EQ(by_id,
              (json{{"schemaType", "JSON"}, {"references", j["references"]}, {"schema", "{}"}}));
}

TEST_F(registry_api_test, raw_schema_endpoints_answer_the_text_itself) {
    register_avro("s", "{\"type\":\"string\"}");
    auto r = call(verb::get, "/subjects/s/versions/1/schema");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "{\"type\":\"string\"}");
    EXPECT_EQ(call(verb::get, "/schemas/ids/1/schema").body, "{\"type\":\"string\"}");
}

TEST_F(registry_api_test, subjects_versions_and_schema_listings_have_confluent_shapes) {
    register_avro("a", "\"int\"");
    register_avro("b", "\"long\"");
    EXPECT_EQ(ok(verb::get, "/subjects?subjectPrefix=a&deleted=true"), json::array({"a"}));
    EXPECT_EQ(_svc->last_subject, "a");
    EXPECT_TRUE(_svc->last_flag_a);
    EXPECT_EQ(ok(verb::get, "/subjects/b/versions"), json::array({1}));
    EXPECT_EQ(ok(verb::get, "/schemas/ids/2/subjects"), json::array({"b"}));
    EXPECT_EQ(ok(verb::get, "/schemas/ids/2/versions"),
              json::array({{{"subject", "b"}, {"version", 1}}}));
    auto all = ok(verb::get, "/schemas?latestOnly=true");
    EXPECT_TRUE(_svc->last_flag_b);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1], (json{{"subject", "b"}, {"version", 1}, {"id", 2}, {"schema", "\"long\""}}));
}

TEST_F(registry_api_test, subject_names_are_percent_decoded_with_contexts_kept) {
    register_avro("%3A.ctx%3Aa%2Fb", "\"int\"");
    EXPECT_EQ(ok(verb::get, "/subjects"), json::array({":.ctx:a/b"}));
    EXPECT_EQ(ok(verb::get, "/schemas/ids/1?subject=%3A.ctx%3Aa%2Fb")["schema"], "\"int\"");
    EXPECT_EQ(_svc->last_subject, ":.ctx:a/b");
}

TEST_F(registry_api_test, lookup_answers_the_registered_version) {
    register_avro("s", "\"int\"");
    auto j = ok(verb::post, "/subjects/s?deleted=true", json{{"schema", "\"int\""}}.dump());
    EXPECT_EQ(j, (json{{"subject", "s"}, {"version", 1}, {"id", 1}, {"schema", "\"int\""}}));
    EXPECT_TRUE(_svc->last_flag_b);
    EXPECT_EQ(fails(verb::post, "/subjects/s", json{{"schema", "\"long\""}}.dump()),
              std::make_pair(404u, 40403));
    EXPECT_EQ(fails(verb::post, "/subjects/none", json{{"schema", "\"long\""}}.dump()),
              std::make_pair(404u, 40401));
}

TEST_F(registry_api_test, deletes_answer_the_versions_deleted) {
    register_avro("s", "\"int\"");
    register_avro("s", "\"long\"");
    EXPECT_EQ(ok(verb::delete_, "/subjects/s/versions/2?permanent=true"), json(2));
    EXPECT_TRUE(_svc->last_flag_a);
    EXPECT_EQ(ok(verb::delete_, "/subjects/s"), json::array({1, 2}));
    EXPECT_FALSE(_svc->last_flag_a);
}

TEST_F(registry_api_test, referenced_by_lists_ids) {
    _svc->next_referenced_by = {registry::schema_id(4), registry::schema_id(9)};
    EXPECT_EQ(ok(verb::get, "/subjects/s/versions/latest/referencedby"), json::array({4, 9}));
    EXPECT_FALSE(_svc->last_version->number.has_value());
}

TEST_F(registry_api_test, config_get_set_and_delete_use_confluent_field_names) {
    EXPECT_EQ(ok(verb::get, "/config"), (json{{"compatibilityLevel", "BACKWARD"}}));
    EXPECT_EQ(ok(verb::put, "/config", R"({"compatibility":"full"})"),
              (json{{"compatibility", "FULL"}}));
    EXPECT_EQ(ok(verb::put, "/config/s", R"({"compatibility":"NONE"})"),
              (json{{"compatibility", "NONE"}}));
    EXPECT_EQ(_svc->last_subject, "s");
    EXPECT_EQ(ok(verb::get, "/config/s"), (json{{"compatibilityLevel", "NONE"}}));
    EXPECT_EQ(ok(verb::delete_, "/config/s"), (json{{"compatibilityLevel", "NONE"}}));
    EXPECT_EQ(fails(verb::get, "/config/s"), std::make_pair(404u, 40408));
    EXPECT_FALSE(_svc->last_flag_a);
    EXPECT_EQ(ok(verb::get, "/config/s?defaultToGlobal=true"),
              (json{{"compatibilityLevel", "FULL"}}));
    EXPECT_EQ(ok(verb::delete_, "/config"), (json{{"compatibilityLevel", "FULL"}}));
}

TEST_F(registry_api_test, invalid_levels_and_modes_are_42203_and_42204) {
    EXPECT_EQ(fails(verb::put, "/config", R"({"compatibility":"SIDEWAYS"})"),
              std::make_pair(422u, 42203));
    EXPECT_EQ(fails(verb::put, "/config", R"({})"), std::make_pair(422u, 42203));
    EXPECT_EQ(fails(verb::put, "/mode", R"({"mode":"SOMETIMES"})"), std::make_pair(422u, 42204));
    EXPECT_EQ(fails(verb::put, "/config", R"({"compatibility":5})"), std::make_pair(422u, 422));
}

TEST_F(registry_api_test, mode_get_set_and_delete) {
    EXPECT_EQ(ok(verb::get, "/mode"), (json{{"mode", "READWRITE"}}));
    EXPECT_EQ(ok(verb::put, "/mode?force=true", R"({"mode":"IMPORT"})"),
              (json{{"mode", "IMPORT"}}));
    EXPECT_TRUE(_svc->last_flag_b);
    EXPECT_EQ(ok(verb::get, "/mode/s?defaultToGlobal=true"), (json{{"mode", "IMPORT"}}));
    EXPECT_TRUE(_svc->last_flag_a);
    EXPECT_EQ(ok(verb::delete_, "/mode/s"), (json{{"mode", "IMPORT"}}));
    EXPECT_EQ(_svc->last_subject, "s");
    EXPECT_EQ(ok(verb::delete_, "/mode"), (json{{"mode", "IMPORT"}}));
    EXPECT_EQ(ok(verb::get, "/mode"), (json{{"mode", "READWRITE"}}));
}

TEST_F(registry_api_test, compatibility_answers_is_compatible_and_messages_when_verbose) {
    _svc->next_report = {false, {"field x removed"}};
    const std::string body = json{{"schema", "\"int\""}}.dump();
    EXPECT_EQ(ok(verb::post, "/compatibility/subjects/s/versions/latest", body),
              (json{{"is_compatible", false}}));
    ASSERT_TRUE(_svc->last_version.has_value());
    EXPECT_FALSE(_svc->last_version->number.has_value());
    EXPECT_EQ(ok(verb::post, "/compatibility/subjects/s/versions?verbose=true", body),
              (json{{"is_compatible", false}, {"messages", {"field x removed"}}}));
    EXPECT_FALSE(_svc->last_version.has_value());
    _svc->next_report = {true, {}};
    EXPECT_EQ(ok(verb::post, "/compatibility/subjects/s/versions/3?verbose=true", body),
              (json{{"is_compatible", true}, {"messages", json::array()}}));
    EXPECT_EQ(_svc->last_version->number, registry::schema_version(3));
}

TEST_F(registry_api_test, registry_errors_map_to_confluent_codes) {
    const std::pair<registry_errc, std::pair<unsigned, int>> cases[] = {
        {registry_errc::subject_not_found, {404, 40401}},
        {registry_errc::version_not_found, {404, 40402}},
        {registry_errc::schema_not_found, {404, 40403}},
        {registry_errc::subject_soft_deleted, {404, 40404}},
        {registry_errc::subject_not_soft_deleted, {404, 40405}},
        {registry_errc::version_soft_deleted, {404, 40406}},
        {registry_errc::version_not_soft_deleted, {404, 40407}},
        {registry_errc::subject_compat_not_configured, {404, 40408}},
        {registry_errc::subject_mode_not_configured, {404, 40409}},
        {registry_errc::incompatible_schema, {409, 409}},
        {registry_errc::invalid_schema, {422, 42201}},
        {registry_errc::invalid_version, {422, 42202}},
        {registry_errc::invalid_compat_level, {422, 42203}},
        {registry_errc::invalid_mode, {422, 42204}},
        {registry_errc::operation_not_permitted, {422, 42205}},
        {registry_errc::reference_exists, {422, 42206}},
        {registry_errc::id_conflict, {422, 42207}},
        {registry_errc::store_error, {500, 50001}},
        {registry_errc::timeout, {500, 50002}},
    };
    for (const auto& [errc, want] : cases) {
        _svc->fail = registry::registry_error{errc, "what broke"};
        auto r = call(verb::post, "/subjects/s/versions", R"({"schema":"\"int\""})");
        EXPECT_EQ(std::make_pair(r.status, json::parse(r.body).value("error_code", -1)), want);
        EXPECT_EQ(json::parse(r.body)["message"], "what broke");
    }
}

TEST_F(registry_api_test, bad_versions_and_ids_are_42202_and_40403) {
    register_avro("s", "\"int\"");
    for (const char* v : {"0", "-2", "abc", "1.5", "2147483648", "latest2"})
        EXPECT_EQ(fails(verb::get, std::string("/subjects/s/versions/") + v),
                  std::make_pair(422u, 42202))
            << v;
    EXPECT_EQ(fails(verb::get, "/schemas/ids/x"), std::make_pair(404u, 40403));
    EXPECT_EQ(fails(verb::get, "/schemas/ids/99999999999"), std::make_pair(404u, 40403));
}

TEST_F(registry_api_test, bad_bodies_are_422_and_never_reach_the_registry) {
    for (const char* body :
         {"", "{", "not json", "[1,2]", "\"str\"", R"({"schema":{"a":1}})",
          R"({"schema":"x","schemaType":3})", R"({"schema":"x","references":{}})",
          R"({"schema":"x","references":[{"name":"n","subject":"s"}]})",
          R"({"schema":"x","references":[{"name":"n","subject":"s","version":"1"}]})",
          R"({"schema":"x","id":"7"})", R"({"schema":"x","version":1.5})",
          R"({"schema":"x","id":4294967296})"})
        EXPECT_EQ(fails(verb::post, "/subjects/s/versions", body), std::make_pair(422u, 422))
            << body;
    EXPECT_FALSE(_svc->last_input.has_value());
}

TEST_F(registry_api_test, missing_schema_or_unknown_type_is_42201) {
    EXPECT_EQ(fails(verb::post, "/subjects/s/versions", R"({})"), std::make_pair(422u, 42201));
    EXPECT_EQ(fails(verb::post, "/subjects/s/versions", R"({"schema":""})"),
              std::make_pair(422u, 42201));
    EXPECT_EQ(fails(verb::post, "/subjects/s/versions", R"({"schema":"x","schemaType":"XML"})"),
              std::make_pair(422u, 42201));
}

TEST_F(registry_api_test, accepts_the_registry_json_and_octet_stream_content_types_only) {
    const std::string body = R"({"schema":"\"int\""})";
    for (const char* type :
         {"application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
          "application/json; charset=utf-8", "application/octet-stream", ""}) {
        auto r = call(verb::post, "/subjects/s/versions", body, type);
        EXPECT_EQ(r.status, 200u) << type;
    }
    EXPECT_EQ(fails(verb::post, "/subjects/s/versions", body, "text/plain"),
              std::make_pair(415u, 415));
}

TEST_F(registry_api_test, unknown_fields_are_ignored) {
    EXPECT_EQ(ok(verb::post, "/subjects/s/versions",
                 R"({"schema":"\"int\"","metadata":null,"ruleSet":null,"extra":[1]})"),
              (json{{"id", 1}}));
}

TEST_F(registry_api_test, unknown_paths_and_methods_are_404_and_405) {
    EXPECT_EQ(fails(verb::get, "/subjects/s/nothing"), std::make_pair(404u, 404));
    EXPECT_EQ(fails(verb::put, "/subjects/s/versions"), std::make_pair(405u, 405));
    EXPECT_EQ(fails(verb::patch, "/schemas/types"), std::make_pair(405u, 405));
}

TEST_F(registry_api_test, a_registry_not_running_answers_50001) {
    _running = false;
    EXPECT_EQ(fails(verb::get, "/subjects"), std::make_pair(500u, 50001));
    EXPECT_EQ(ok(verb::get, "/schemas/types").size(), 3u);
}

TEST_F(registry_api_test, over_the_real_store_semantics_reach_clients_with_confluent_codes) {
    _store = registry::make_memory_store();
    const std::string v1 = R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})";
    const std::string v2 = R"({"type":"record","name":"R","fields":[{"name":"b","type":"int"}]})";
    EXPECT_EQ(ok(verb::post, "/subjects/s/versions", json{{"schema", v1}}.dump()),
              (json{{"id", 1}}));
    EXPECT_EQ(ok(verb::post, "/subjects/t/versions", json{{"schema", v1}}.dump()),
              (json{{"id", 1}}));
    auto incompatible = call(verb::post, "/subjects/s/versions", json{{"schema", v2}}.dump());
    EXPECT_EQ(incompatible.status, 409u);
    EXPECT_EQ(json::parse(incompatible.body)["error_code"], 409);
    auto report = ok(verb::post, "/compatibility/subjects/s/versions/latest?verbose=true",
                     json{{"schema", v2}}.dump());
    EXPECT_EQ(report["is_compatible"], false);
    EXPECT_FALSE(report["messages"].empty());
    EXPECT_EQ(fails(verb::delete_, "/subjects/s/versions/1?permanent=true"),
              std::make_pair(404u, 40407));
    EXPECT_EQ(ok(verb::delete_, "/subjects/s/versions/1"), json(1));
    // Its only version soft-deleted, the subject is gone for readers.
    EXPECT_EQ(fails(verb::get, "/subjects/s/versions/1"), std::make_pair(404u, 40401));
    EXPECT_EQ(ok(verb::get, "/schemas/ids/1/subjects"), json::array({"t"}));
    EXPECT_EQ(fails(verb::post, "/subjects/s/versions", R"({"schema":"{nope"})"),
              std::make_pair(422u, 42201));
}

}  // namespace
}  // namespace registry_api_test
}  // namespace spate::http
