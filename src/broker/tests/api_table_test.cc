// src/broker/README.md's API table must list every served API with the
// version range and ACL its handler_spec declares (handlers/handler_table.cc),
// and nothing else: adding a handler or a version without a row fails here.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "broker/handlers/handlers.h"
#include "kafka/protocol/acl.h"

namespace spate::broker::test {
namespace api_table_test {
namespace {

namespace proto = kafka::protocol;

// The source tree: $SPATE_SOURCE_DIR, else the nearest directory above the
// working directory (ctest runs inside the build tree) holding this module.
std::filesystem::path source_dir() {
    if (const char* env = std::getenv("SPATE_SOURCE_DIR")) return env;
    auto dir = std::filesystem::current_path();
    for (; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
        if (std::filesystem::exists(dir / "src/broker/README.md")) return dir;
    return {};
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(' ');
    auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line.substr(1));  // after the leading '|'
    std::string cell;
    while (std::getline(in, cell, '|'))
        out.push_back(trim(cell));
    return out;
}

struct row {
    std::string name;
    std::string versions;  // "0–9" or "0"
    std::string acl;       // "WRITE TOPIC" or "—"
};

// The "## APIs" table's rows by API key.
std::map<int, row> readme_rows(const std::filesystem::path& readme) {
    std::ifstream in(readme);
    std::map<int, row> out;
    std::string line;
    bool in_section = false;
    while (std::getline(in, line)) {
        if (line.starts_with("## ")) in_section = line == "## APIs";
        if (!in_section || !line.starts_with("| ")) continue;
        auto c = cells(line);
        if (c.size() < 4 || c[1] == "key" || c[1].empty() ||
            c[1].find_first_not_of("0123456789") != std::string::npos)
            continue;
        EXPECT_FALSE(out.contains(std::stoi(c[1]))) << "two rows for key " << c[1];
        out[std::stoi(c[1])] = {c[0], c[2], c[3]};
    }
    return out;
}

std::string versions_of(const handler_spec& h) {
    if (h.min_version == h.max_version) return std::to_string(h.min_version);
    return std::to_string(h.min_version) + "\u2013" + std::to_string(h.max_version);
}

std::string acl_of(const handler_spec& h) {
    if (h.operation == proto::acl_operation::unknown) return "\u2014";
    return std::string(proto::acl_operation_name(h.operation)) + " " +
           proto::resource_type_name(h.resource);
}

TEST(api_table, readme_lists_every_served_api_with_its_versions_and_acl) {
    auto root = source_dir();
    ASSERT_FALSE(root.empty()) << "source tree not found; set SPATE_SOURCE_DIR";
    auto rows = readme_rows(root / "src/broker/README.md");
    ASSERT_FALSE(rows.empty()) << "no API table in src/broker/README.md";
    for (const auto& h : handlers::kafka_handlers()) {
        const int key = static_cast<int>(h.key);
        auto it = rows.find(key);
        if (it == rows.end()) {
            ADD_FAILURE() << "API key " << key << " is served (versions " << versions_of(h)
                          << ") but has no row in src/broker/README.md's API table";
            continue;
        }
        EXPECT_EQ(it->second.versions, versions_of(h))
            << it->second.name << " (key " << key << "): README versions differ from its spec";
        EXPECT_EQ(it->second.acl, acl_of(h))
            << it->second.name << " (key " << key << "): README ACL differs from its spec";
        rows.erase(it);
    }
    for (const auto& [key, r] : rows)
        ADD_FAILURE() << "README row " << r.name << " (key " << key << ") is not served";
}

// The "## Authorization" table's API names (first column).
std::set<std::string> authorization_rows(const std::filesystem::path& readme) {
    std::ifstream in(readme);
    std::set<std::string> out;
    std::string line;
    bool in_section = false;
    while (std::getline(in, line)) {
        if (line.starts_with("## ")) in_section = line == "## Authorization";
        if (!in_section || !line.starts_with("| ")) continue;
        auto c = cells(line);
        if (c.size() < 2 || c[0] == "API" || c[0].starts_with("---") || c[1].empty()) continue;
        out.insert(c[0]);
    }
    return out;
}

TEST(api_table, authorization_table_states_the_checks_of_every_served_api) {
    auto root = source_dir();
    ASSERT_FALSE(root.empty()) << "source tree not found; set SPATE_SOURCE_DIR";
    auto names = authorization_rows(root / "src/broker/README.md");
    ASSERT_FALSE(names.empty()) << "no Authorization table in src/broker/README.md";
    auto apis = readme_rows(root / "src/broker/README.md");
    for (const auto& h : handlers::kafka_handlers()) {
        auto it = apis.find(static_cast<int>(h.key));
        if (it == apis.end()) continue;  // the API table test reports it
        EXPECT_TRUE(names.erase(it->second.name))
            << it->second.name << " is served but src/broker/README.md's Authorization table "
            << "does not say what it checks";
    }
    for (const auto& n : names)
        ADD_FAILURE() << "Authorization row " << n << " names no served API";
}

}  // namespace
}  // namespace api_table_test
}  // namespace spate::broker::test
