// The compatibility table (compat_cases.json): each case registers `old`
// (or the versions of `history`, oldest first) and checks `new` at `level`
// through check_compatibility, as the store will.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/core/provider.h"

namespace spate::registry {
namespace avro_compat_test {
namespace {

using json = nlohmann::ordered_json;

json load_cases() {
    std::ifstream in(std::string(SPATE_REGISTRY_TESTDATA) + "/avro/tests/compat_cases.json");
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

parsed_schema_ptr parse(const json& schema) {
    auto p = provider_for(schema_type::avro).parse(schema.dump(), {});
    EXPECT_TRUE(p.ok()) << schema.dump() << ": " << (p.ok() ? "" : p.err().message);
    return p.ok() ? p.value() : nullptr;
}

std::string joined(const std::vector<std::string>& messages) {
    std::string out;
    for (const auto& m : messages)
        out += "\n  " + m;
    return out;
}

TEST(avro_compat, table_covers_every_level_and_at_least_fifty_cases) {
    const json cases = load_cases();
    EXPECT_GE(cases.size(), 50u);
    std::set<std::string> levels;
    for (const auto& c : cases)
        levels.insert(c.at("level").get<std::string>());
    EXPECT_EQ(levels, (std::set<std::string>{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                                             "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}));
}

TEST(avro_compat, table_cases_decide_as_confluent) {
    for (const auto& c : load_cases()) {
        const std::string name = c.at("name").get<std::string>();
        SCOPED_TRACE(name);
        std::vector<parsed_schema_ptr> existing;
        if (c.contains("history")) {
            for (const auto& s : c.at("history"))
                existing.push_back(parse(s));
        } else {
            existing.push_back(parse(c.at("old")));
        }
        const parsed_schema_ptr candidate = parse(c.at("new"));
        auto level = parse_compat_level(c.at("level").get<std::string>());
        ASSERT_TRUE(level.has_value());
        ASSERT_TRUE(candidate);
        for (const auto& e : existing)
            ASSERT_TRUE(e);
        const auto messages = check_compatibility(*level, *candidate, existing);
        EXPECT_EQ(messages.empty(), c.at("compatible").get<bool>()) << joined(messages);
        if (c.contains("error")) {
            const std::string want = c.at("error").get<std::string>();
            bool found = false;
            for (const auto& m : messages)
                found = found || m.find(want) != std::string::npos;
            EXPECT_TRUE(found) << "no message contains: " << want << joined(messages);
        }
    }
}

TEST(avro_compat, schemas_of_another_type_are_incompatible) {
    class other final : public parsed_schema {
      public:
        schema_type type() const override { return schema_type::json; }
        std::string canonical() const override { return "{}"; }
        std::string normalized() const override { return "{}"; }
        std::string record_name() const override { return ""; }
    };
    auto avro = parse(json("string"));
    ASSERT_TRUE(avro);
    other o;
    EXPECT_FALSE(provider_for(schema_type::avro).incompatibilities(*avro, o).empty());
}

TEST(avro_compat, recursion_through_both_schemas_terminates_with_one_message) {
    // Mutually recursive records, changed deep inside: the check ends and
    // reports the change once.
    const json old_schema = json::parse(R"({"type":"record","name":"A","fields":[
        {"name":"b","type":{"type":"record","name":"B","fields":[
            {"name":"a","type":["null","A"],"default":null},
            {"name":"n","type":"int"}]}}]})");
    const json new_schema = json::parse(R"({"type":"record","name":"A","fields":[
        {"name":"b","type":{"type":"record","name":"B","fields":[
            {"name":"a","type":["null","A"],"default":null},
            {"name":"n","type":"string"}]}}]})");
    auto o = parse(old_schema);
    auto n = parse(new_schema);
    ASSERT_TRUE(o && n);
    const auto messages = provider_for(schema_type::avro).incompatibilities(*n, *o);
    ASSERT_EQ(messages.size(), 1u) << joined(messages);
    EXPECT_NE(messages[0].find("'/fields/0/type/fields/1/type'"), std::string::npos) << messages[0];
}

}  // namespace
}  // namespace avro_compat_test
}  // namespace spate::registry
