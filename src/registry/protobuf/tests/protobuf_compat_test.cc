#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "registry/core/provider.h"
#include "registry/protobuf/protobuf_internal.h"

namespace spate::registry {
namespace protobuf_compat_test {
namespace {

const schema_provider& pb() {
    return provider_for(schema_type::protobuf);
}

nlohmann::json load_cases() {
    std::ifstream in(std::string(SPATE_REGISTRY_TESTDATA) + "/protobuf/tests/compat_cases.json");
    EXPECT_TRUE(in.good()) << "compat_cases.json not found";
    if (!in.good()) return nlohmann::json::array();
    return nlohmann::json::parse(in)["cases"];
}

std::vector<resolved_reference> refs_of(const nlohmann::json& c, const char* key) {
    std::vector<resolved_reference> out;
    if (!c.contains(key)) return out;
    for (const auto& r : c[key]) {
        out.push_back(resolved_reference{
            schema_reference{r["name"].get<std::string>(), r["subject"].get<std::string>(),
                             schema_version{r["version"].get<int32_t>()}},
            r["schema"].get<std::string>()});
    }
    return out;
}

TEST(protobuf_compat, table_of_cases) {
    const auto cases = load_cases();
    ASSERT_GE(cases.size(), 50u);
    std::set<std::string> levels;
    for (const auto& c : cases) {
        const std::string name = c["name"].get<std::string>();
        SCOPED_TRACE(name);
        const std::string level_name = c["level"].get<std::string>();
        auto level = parse_compat_level(level_name);
        ASSERT_TRUE(level.has_value()) << level_name;
        levels.insert(level_name);

        std::vector<std::string> olds;
        if (c["old"].is_array()) {
            for (const auto& v : c["old"])
                olds.push_back(v.get<std::string>());
        } else {
            olds.push_back(c["old"].get<std::string>());
        }
        std::vector<parsed_schema_ptr> existing;
        const auto old_refs = refs_of(c, "old_refs");
        for (const auto& text : olds) {
            auto p = pb().parse(text, old_refs);
            ASSERT_TRUE(p.ok()) << "old: " << p.err().message;
            existing.push_back(p.value());
        }
        auto candidate = pb().parse(c["new"].get<std::string>(), refs_of(c, "new_refs"));
        ASSERT_TRUE(candidate.ok()) << "new: " << candidate.err().message;

        auto messages = check_compatibility(*level, *candidate.value(), existing);
        std::string all;
        for (const auto& m : messages)
            all += "\n  " + m;
        const bool compatible = c["compatible"].get<bool>();
        EXPECT_EQ(messages.empty(), compatible) << name << " (" << level_name << ")" << all;
        if (c.contains("errors")) {
            for (const auto& e : c["errors"]) {
                const std::string want = e.get<std::string>();
                bool found = false;
                for (const auto& m : messages)
                    found = found || m.find(want) != std::string::npos;
                EXPECT_TRUE(found) << name << ": no message has \"" << want << "\"" << all;
            }
        }
    }
    for (const char* l : {"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                          "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}) {
        EXPECT_EQ(levels.count(l), 1u) << "no case at level " << l;
    }
}

TEST(protobuf_compat, messages_name_the_kind_the_path_and_the_problem) {
    auto writer = pb().parse(R"(syntax = "proto3"; package p;
                                message M { int32 count = 1; })",
                             {});
    auto reader = pb().parse(R"(syntax = "proto3"; package p;
                                message M { string count = 1; })",
                             {});
    ASSERT_TRUE(writer.ok() && reader.ok());
    auto messages = pb().incompatibilities(*reader.value(), *writer.value());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0],
              "FIELD_SCALAR_KIND_CHANGED #/M/1: field 'count' (1) changed type from int32 to "
              "string, which is not wire-compatible");
}

TEST(protobuf_compat, identical_schemas_have_no_differences) {
    constexpr std::string_view text = R"(syntax = "proto3"; package p;
        import "google/protobuf/timestamp.proto";
        message M {
          int32 a = 1; map<string, M> children = 2; google.protobuf.Timestamp t = 3;
          oneof o { string s = 4; bytes b = 5; }
          message N { repeated N n = 1; }
          enum E { X = 0; }
        })";
    auto a = pb().parse(text, {});
    auto b = pb().parse(text, {});
    ASSERT_TRUE(a.ok() && b.ok());
    auto diffs = pb::diff_schemas(dynamic_cast<const pb::protobuf_parsed&>(*a.value()),
                                  dynamic_cast<const pb::protobuf_parsed&>(*b.value()));
    std::string all;
    for (const auto& d : diffs)
        all += d.to_string() + "\n";
    EXPECT_TRUE(diffs.empty()) << all;
}

TEST(protobuf_compat, compatible_changes_are_listed_but_not_reported) {
    auto oldv = pb().parse("syntax = \"proto3\"; message M { int32 a = 1; }", {});
    auto newv =
        pb().parse("syntax = \"proto3\"; message M { int64 renamed = 1; string b = 2; }", {});
    ASSERT_TRUE(oldv.ok() && newv.ok());
    auto diffs = pb::diff_schemas(dynamic_cast<const pb::protobuf_parsed&>(*oldv.value()),
                                  dynamic_cast<const pb::protobuf_parsed&>(*newv.value()));
    std::multiset<std::string> kinds;
    for (const auto& d : diffs)
        kinds.insert(std::string(pb::diff_type_name(d.type)) + " " + d.path);
    EXPECT_EQ(kinds, (std::multiset<std::string>{"FIELD_NAME_CHANGED #/M/1", "FIELD_ADDED #/M/2"}));
    EXPECT_TRUE(pb().incompatibilities(*newv.value(), *oldv.value()).empty());
}

TEST(protobuf_compat, parses_and_checks_from_many_threads) {
    constexpr std::string_view v1 = R"(syntax = "proto3"; package p;
        import "google/protobuf/timestamp.proto";
        message M { int32 a = 1; google.protobuf.Timestamp t = 2; map<string, int64> m = 3; })";
    constexpr std::string_view v2 = R"(syntax = "proto3"; package p;
        import "google/protobuf/timestamp.proto";
        message M { int32 a = 1; google.protobuf.Timestamp t = 2; map<string, string> m = 3; })";
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                auto a = pb().parse(v1, {});
                auto b = pb().parse(v2, {});
                if (!a.ok() || !b.ok()) {
                    ++failures[t];
                    continue;
                }
                if (pb().incompatibilities(*b.value(), *a.value()).size() != 1) ++failures[t];
            }
        });
    }
    for (auto& t : threads)
        t.join();
    for (int f : failures)
        EXPECT_EQ(f, 0);
}

TEST(protobuf_compat, other_schema_types_are_incompatible) {
    class other final : public parsed_schema {
      public:
        schema_type type() const override { return schema_type::avro; }
        std::string canonical() const override { return "{}"; }
        std::string normalized() const override { return "{}"; }
        std::string record_name() const override { return ""; }
    };
    auto a = pb().parse("syntax = \"proto3\"; message M {}", {});
    ASSERT_TRUE(a.ok());
    other o;
    EXPECT_FALSE(pb().incompatibilities(*a.value(), o).empty());
}

}  // namespace
}  // namespace protobuf_compat_test
}  // namespace spate::registry
