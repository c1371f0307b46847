#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/core/provider.h"

namespace spate::registry {
namespace json_schema_test {
namespace {

using json = nlohmann::json;

const schema_provider& provider() {
    return provider_for(schema_type::json);
}

parsed_schema_ptr parse_ok(std::string_view text,
                           const std::vector<resolved_reference>& refs = {}) {
    auto r = provider().parse(text, refs);
    EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.err().message);
    return r.ok() ? r.value() : nullptr;
}

std::string parse_error(std::string_view text, const std::vector<resolved_reference>& refs = {}) {
    auto r = provider().parse(text, refs);
    EXPECT_FALSE(r.ok()) << text << " parsed";
    if (r.ok()) return "";
    EXPECT_EQ(r.err().code, errc::invalid_argument) << r.err().message;
    return r.err().message;
}

resolved_reference reference(std::string name, std::string schema) {
    resolved_reference r;
    r.ref.name = std::move(name);
    r.ref.subject = "refs";
    r.ref.version = schema_version{1};
    r.schema = std::move(schema);
    return r;
}

std::string join(const std::vector<std::string>& messages) {
    std::string out;
    for (const auto& m : messages)
        out += m + "\n";
    return out;
}

// --- the data-driven compatibility table ---

TEST(json_schema_compat, cases_from_table) {
    std::ifstream in(std::string(SPATE_REGISTRY_TESTDATA) + "/json_schema/tests/compat_cases.json");
    ASSERT_TRUE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    const json cases = json::parse(text.str());
    ASSERT_GE(cases.size(), 50u);
    std::set<std::string> levels_seen;
    for (const json& c : cases) {
        const std::string name = c.at("name");
        SCOPED_TRACE(name);
        const std::string level_name = c.at("level");
        auto level = parse_compat_level(level_name);
        ASSERT_TRUE(level.has_value()) << level_name;
        levels_seen.insert(level_name);
        // "old" is one schema or, as an array, the history oldest first.
        std::vector<parsed_schema_ptr> history;
        const json& old = c.at("old");
        for (const json& s : old.is_array() ? old : json::array({old})) {
            history.push_back(parse_ok(s.dump()));
            ASSERT_NE(history.back(), nullptr);
        }
        auto candidate = parse_ok(c.at("new").dump());
        ASSERT_NE(candidate, nullptr);
        auto messages = check_compatibility(*level, *candidate, history);
        EXPECT_EQ(messages.empty(), c.at("compatible").get<bool>()) << join(messages);
        for (const json& expected : c.value("errors", json::array())) {
            const std::string tag = "errorType:\"" + expected.get<std::string>() + "\"";
            bool found = false;
            for (const auto& m : messages)
                found = found || m.find(tag) != std::string::npos;
            EXPECT_TRUE(found) << "no " << tag << " in:\n" << join(messages);
        }
        for (const auto& m : messages) {
            EXPECT_NE(m.find("description:\""), std::string::npos) << m;
            EXPECT_NE(m.find("path:\"#/"), std::string::npos) << m;
        }
    }
    EXPECT_EQ(levels_seen.size(), 7u);
}

// --- messages ---

TEST(json_schema_compat, messages_name_the_rule_and_path) {
    auto writer = parse_ok(
        R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
            "additionalProperties":false})");
    auto reader = parse_ok(
        R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})");
    auto messages = provider().incompatibilities(*reader, *writer);
    ASSERT_EQ(messages.size(), 1u) << join(messages);
    EXPECT_EQ(messages[0],
              "{errorType:\"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL\", description:\"The reader "
              "schema has a closed content model and is missing a property or item present at "
              "path '#/properties/b' in the writer schema\", path:\"#/properties/b\"}");
    EXPECT_TRUE(provider().incompatibilities(*writer, *reader).empty());
}

TEST(json_schema_compat, nested_paths) {
    auto writer = parse_ok(
        R"({"type":"object","properties":{"addr":{"type":"object","properties":{"zip":{"type":"string","maxLength":9}}}}})");
    auto reader = parse_ok(
        R"({"type":"object","properties":{"addr":{"type":"object","properties":{"zip":{"type":"string","maxLength":5}}}}})");
    auto messages = provider().incompatibilities(*reader, *writer);
    ASSERT_EQ(messages.size(), 1u) << join(messages);
    EXPECT_NE(messages[0].find("MAX_LENGTH_DECREASED"), std::string::npos);
    EXPECT_NE(messages[0].find("path:\"#/properties/addr/properties/zip/maxLength\""),
              std::string::npos)
        << messages[0];
}

TEST(json_schema_compat, recursive_refs_terminate_and_report_changes) {
    // A linked list through definitions, and a mutually recursive pair.
    const char* v1 = R"({"$ref":"#/definitions/node","definitions":{
        "node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/definitions/node"},
                "other":{"$ref":"#/definitions/other"}}},
        "other":{"type":"object","properties":{"back":{"$ref":"#/definitions/node"}}}}})";
    const char* v2 = R"({"$ref":"#/definitions/node","definitions":{
        "node":{"type":"object","properties":{"v":{"type":"number"},"next":{"$ref":"#/definitions/node"},
                "other":{"$ref":"#/definitions/other"}}},
        "other":{"type":"object","properties":{"back":{"$ref":"#/definitions/node"}}}}})";
    auto a = parse_ok(v1);
    auto b = parse_ok(v2);
    EXPECT_TRUE(provider().incompatibilities(*a, *a).empty());
    EXPECT_TRUE(provider().incompatibilities(*b, *a).empty());  // integer -> number
    auto messages = provider().incompatibilities(*a, *b);       // number -> integer
    ASSERT_FALSE(messages.empty());
    EXPECT_NE(join(messages).find("TYPE_NARROWED"), std::string::npos);
    EXPECT_NE(join(messages).find("#/properties/v"), std::string::npos) << join(messages);
}

TEST(json_schema_compat, ref_siblings_count_from_2019_09_on) {
    // Drafts 4-7: "$ref" hides its siblings; 2019-09 on: they constrain too.
    for (const char* dialect : {"http://json-schema.org/draft-07/schema#",
                                "https://json-schema.org/draft/2019-09/schema"}) {
        SCOPED_TRACE(dialect);
        const std::string head = std::string(R"({"$schema":")") + dialect +
                                 R"(","$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s")";
        auto writer = parse_ok(head + "}");
        auto reader = parse_ok(head + R"(,"maxLength":5})");
        auto messages = provider().incompatibilities(*reader, *writer);
        EXPECT_EQ(messages.empty(), std::string(dialect).find("draft-07") != std::string::npos)
            << join(messages);
    }
}

TEST(json_schema_compat, long_ref_chains_stop_at_a_depth_limit) {
    // Each definition nests the next: comparing follows them one level per
    // definition, so a long chain ends in COMPARISON_TOO_DEEP, not a crash.
    auto chain = [](int n, const char* last) {
        json defs = json::object();
        for (int i = 0; i < n; ++i)
            defs["d" + std::to_string(i)] = {
                {"type", "object"},
                {"properties", {{"n", {{"$ref", "#/definitions/d" + std::to_string(i + 1)}}}}}};
        defs["d" + std::to_string(n)] = {{"type", last}};
        return json{{"definitions", defs}, {"$ref", "#/definitions/d0"}}.dump();
    };
    auto shallow_a = parse_ok(chain(50, "integer"));
    auto shallow_b = parse_ok(chain(50, "number"));
    EXPECT_TRUE(provider().incompatibilities(*shallow_b, *shallow_a).empty());
    auto deep_a = parse_ok(chain(450, "integer"));
    auto deep_b = parse_ok(chain(450, "integer"));
    auto messages = provider().incompatibilities(*deep_b, *deep_a);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(messages[0].find("COMPARISON_TOO_DEEP"), std::string::npos);
}

// --- parsing ---

TEST(json_schema_parse, accepts_objects_and_booleans) {
    parse_ok("{}");
    parse_ok("true");
    parse_ok("false");
    parse_ok(R"({"type":["string","null"],"maxLength":3})");
    parse_ok(R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"number","minimum":0,
                 "exclusiveMinimum":true})");
    parse_ok(R"({"$schema":"http://json-schema.org/draft-06/schema#","const":1})");
    parse_ok(R"({"$schema":"https://json-schema.org/draft/2019-09/schema","type":"object",
                 "dependentRequired":{"a":["b"]},"unevaluatedProperties":false})");
    parse_ok(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array",
                 "prefixItems":[{"type":"string"}],"items":false})");
    // Unknown keywords and a "$schema" Spate does not know (draft 7 rules).
    parse_ok(R"({"x-custom":{"type":5},"$schema":"http://example.com/meta","type":"string"})");
}

TEST(json_schema_parse, rejects_malformed_json) {
    EXPECT_NE(parse_error(R"({"type":"string")").find("invalid JSON"), std::string::npos);
    EXPECT_NE(parse_error("").find("invalid JSON"), std::string::npos);
    EXPECT_NE(parse_error(R"({"maximum":1e999})").find("invalid JSON"), std::string::npos);
    EXPECT_NE(parse_error("{\"title\":\"\xff\"}").find("invalid JSON"), std::string::npos);
    EXPECT_NE(parse_error(R"({"a":1} {"b":2})").find("invalid JSON"), std::string::npos);
    EXPECT_NE(parse_error("[1,2]").find("object or boolean"), std::string::npos);
    EXPECT_NE(parse_error("\"string\"").find("object or boolean"), std::string::npos);
    EXPECT_NE(parse_error(std::string(500, '[') + std::string(500, ']')).find("nested"),
              std::string::npos);
}

TEST(json_schema_parse, rejects_bad_keyword_shapes_naming_the_path) {
    struct bad {
        const char* text;
        const char* path;
    };
    const bad cases[] = {
        {R"({"properties":{"a":{"type":"strin"}}})", "#/properties/a/type"},
        {R"({"type":[]})", "#/type"},
        {R"({"type":["string","string"]})", "#/type"},
        {R"({"type":7})", "#/type"},
        {R"({"properties":[]})", "#/properties"},
        {R"({"properties":{"a":5}})", "#/properties/a"},
        {R"({"required":"a"})", "#/required"},
        {R"({"required":[1]})", "#/required"},
        {R"({"enum":"a"})", "#/enum"},
        {R"({"minimum":"3"})", "#/minimum"},
        {R"({"multipleOf":0})", "#/multipleOf"},
        {R"({"maxLength":-1})", "#/maxLength"},
        {R"({"minItems":1.5})", "#/minItems"},
        {R"({"items":5})", "#/items"},
        {R"({"items":[{"type":"string"},3]})", "#/items/1"},
        {R"({"additionalProperties":"no"})", "#/additionalProperties"},
        {R"({"additionalItems":1})", "#/additionalItems"},
        {R"({"anyOf":[]})", "#/anyOf"},
        {R"({"oneOf":[{"type":"string"},"x"]})", "#/oneOf/1"},
        {R"({"$ref":5})", "#/$ref"},
        {R"({"definitions":{"a":{"type":"bogus"}}})", "#/definitions/a/type"},
        {R"({"dependencies":{"a":[1]}})", "#/dependencies/a"},
        {R"({"exclusiveMaximum":true})", "#/exclusiveMaximum"},  // a number from draft 6 on
        {R"({"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMaximum":3})",
         "#/exclusiveMaximum"},
        {R"({"$schema":"https://json-schema.org/draft/2020-12/schema","items":[{}]})", "#/items"},
        {R"({"title":3})", "#/title"},
        {R"({"uniqueItems":"yes"})", "#/uniqueItems"},
        {R"({"not":null})", "#/not"},
    };
    for (const auto& b : cases) {
        std::string message = parse_error(b.text);
        EXPECT_NE(message.find("'" + std::string(b.path) + "'"), std::string::npos)
            << b.text << " -> " << message;
    }
}

TEST(json_schema_parse, local_refs_resolve_or_fail) {
    parse_ok(
        R"({"definitions":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/a"}}})");
    parse_ok(R"({"$defs":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}})");
    // Confluent resolves either bucket.
    parse_ok(R"({"definitions":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}})");
    parse_ok(R"({"properties":{"self":{"$ref":"#"}}})");
    parse_ok(
        R"({"definitions":{"a~b/c":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/a~0b~1c"}}})");
    parse_ok(
        R"({"definitions":{"a b":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/a%20b"}}})");
    parse_ok(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
                 "$defs":{"a":{"$anchor":"thing","type":"string"}},"properties":{"x":{"$ref":"#thing"}}})");
    parse_ok(
        R"({"definitions":{"a":{"$id":"#thing","type":"string"}},"properties":{"x":{"$ref":"#thing"}}})");
    // A $ref into a place no keyword declares a schema is validated there.
    parse_ok(R"({"x-lib":{"s":{"type":"string"}},"properties":{"x":{"$ref":"#/x-lib/s"}}})");
    EXPECT_NE(
        parse_error(R"({"x-lib":{"s":{"type":"nope"}},"properties":{"x":{"$ref":"#/x-lib/s"}}})")
            .find("#/x-lib/s/type"),
        std::string::npos);

    EXPECT_NE(parse_error(R"({"properties":{"x":{"$ref":"#/definitions/missing"}}})")
                  .find("#/properties/x"),
              std::string::npos);
    EXPECT_NE(
        parse_error(R"({"properties":{"x":{"$ref":"#/properties/y/type"},"y":{"type":"string"}}})")
            .find("not a schema"),
        std::string::npos);
    EXPECT_NE(parse_error(R"({"properties":{"x":{"$ref":"#nowhere"}}})").find("anchor"),
              std::string::npos);
    // A cycle of $refs that never reaches a schema.
    EXPECT_NE(parse_error(
                  R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},
                              "properties":{"x":{"$ref":"#/definitions/a"}}})")
                  .find("cycle"),
              std::string::npos);
}

TEST(json_schema_parse, refs_to_unknown_documents_fail) {
    std::string message = parse_error(R"({"properties":{"a":{"$ref":"address.json"}}})");
    EXPECT_NE(message.find("address.json"), std::string::npos) << message;
    EXPECT_NE(message.find("#/properties/a"), std::string::npos) << message;
    parse_error(R"({"properties":{"a":{"$ref":"http://json-schema.org/draft-07/schema#"}}})");
    // A reference that does not parse fails the referring schema.
    EXPECT_NE(parse_error(R"({"properties":{"a":{"$ref":"address.json"}}})",
                          {reference("address.json", R"({"type":)")})
                  .find("address.json"),
              std::string::npos);
}

// --- references ---

TEST(json_schema_references, resolve_by_name) {
    const std::string address =
        R"({"type":"object","properties":{"street":{"type":"string"},"zip":{"type":"string"}}})";
    auto s = parse_ok(R"({"type":"object","properties":{"home":{"$ref":"address.json"}}})",
                      {reference("address.json", address)});
    ASSERT_NE(s, nullptr);
    // A name with a scheme, a fragment into it, and a chain of references
    // (dependencies first).
    parse_ok(R"({"properties":{"street":{"$ref":"http://x/address.json#/properties/street"}}})",
             {reference("http://x/address.json", address)});
    parse_ok(R"({"properties":{"c":{"$ref":"customer.json"}}})",
             {reference("address.json", address),
              reference("customer.json",
                        R"({"type":"object","properties":{"addr":{"$ref":"address.json"}}})")});
    // Relative to the referring schema's $id, or matching the reference's own $id.
    parse_ok(R"({"$id":"http://example.com/schemas/customer.json",
                 "properties":{"home":{"$ref":"address.json"}}})",
             {reference("address.json", address)});
    parse_ok(R"({"$id":"http://example.com/schemas/customer.json",
                 "properties":{"home":{"$ref":"address.json"}}})",
             {reference("http://example.com/schemas/address.json", address)});
    parse_ok(
        R"({"properties":{"home":{"$ref":"https://acme.com/address.json#/properties/zip"}}})",
        {reference(
            "addr",
            R"({"$id":"https://acme.com/address.json","properties":{"zip":{"type":"string"}}})")});
}

TEST(json_schema_references, compatibility_follows_references) {
    const char* root = R"({"type":"object","properties":{"home":{"$ref":"address.json"}},
                           "additionalProperties":false})";
    auto v1 = parse_ok(
        root,
        {reference("address.json", R"({"type":"object","properties":{"zip":{"type":"string"}}})")});
    auto v2 =
        parse_ok(root, {reference("address.json",
                                  R"({"type":"object","properties":{"zip":{"type":"integer"}}})")});
    auto v3 = parse_ok(
        root, {reference("address.json",
                         R"({"type":"object","properties":{"zip":{"type":["string","null"]}}})")});
    auto messages = provider().incompatibilities(*v2, *v1);
    ASSERT_EQ(messages.size(), 1u) << join(messages);
    EXPECT_NE(messages[0].find("path:\"#/properties/home/properties/zip\""), std::string::npos)
        << messages[0];
    EXPECT_TRUE(provider().incompatibilities(*v3, *v1).empty());
    // Same root text: the same identity whatever the references hold.
    EXPECT_EQ(v1->canonical(), v2->canonical());
}

// --- identity ---

TEST(json_schema_identity, canonical_ignores_whitespace_and_key_order) {
    auto a =
        parse_ok(R"({"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"string"}},
                         "required":["b","a"]})");
    auto b = parse_ok(R"(  {
        "required" : [ "b", "a" ],
        "properties": { "a": {"type": "string"}, "b": {"type": "integer"} },
        "type": "object"
    } )");
    EXPECT_EQ(a->canonical(), b->canonical());
    EXPECT_EQ(
        a->canonical(),
        R"({"properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["b","a"],"type":"object"})");
    EXPECT_EQ(parse_ok("true")->canonical(), "true");
    // Arrays keep their order in the canonical text.
    auto c = parse_ok(R"({"type":"object","required":["a","b"],"properties":{"a":{},"b":{}}})");
    auto d = parse_ok(R"({"type":"object","required":["b","a"],"properties":{"a":{},"b":{}}})");
    EXPECT_NE(c->canonical(), d->canonical());
    EXPECT_EQ(c->normalized(), d->normalized());
    // Unicode and escapes survive.
    auto e = parse_ok(R"({"title":"caf\u00e9 \"x\"","description":"line\nnext"})");
    EXPECT_EQ(e->canonical(),
              "{\"description\":\"line\\nnext\",\"title\":\"caf\xc3\xa9 \\\"x\\\"\"}");
}

TEST(json_schema_identity, normalized_sorts_required_and_types_at_schema_positions_only) {
    auto t = parse_ok(R"({"type":["string","null"],"enum":["b","a"],
        "properties":{"required":{"type":["integer"]},"x":{"type":"object","required":["z","y","z"],
        "default":{"required":["q","p"]}}}})");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(
        t->normalized(),
        R"({"enum":["b","a"],"properties":{"required":{"type":"integer"},"x":{"default":{"required":["q","p"]},"required":["y","z"],"type":"object"}},"type":["null","string"]})");
}

TEST(json_schema_identity, record_name_is_the_title) {
    EXPECT_EQ(parse_ok(R"({"title":"com.acme.Order","type":"object"})")->record_name(),
              "com.acme.Order");
    EXPECT_EQ(parse_ok(R"({"type":"object","properties":{"a":{"title":"inner"}}})")->record_name(),
              "");
    EXPECT_EQ(parse_ok("true")->record_name(), "");
    EXPECT_EQ(parse_ok("{}")->type(), schema_type::json);
}

}  // namespace
}  // namespace json_schema_test
}  // namespace spate::registry
