#include "security/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace spate::security {
namespace audit_log_test {
namespace {

TEST(audit_log, each_event_is_one_json_line_with_who_where_and_what) {
    audit_event e;
    e.kind = audit_kind::denied;
    e.principal = "User:alice";
    e.host = "10.0.0.1";
    e.listener = "kafka";
    e.operation = "WRITE";
    e.resource = "TOPIC:orders";
    e.detail = std::string("bad \xff byte");
    auto j = nlohmann::json::parse(audit_line(e, 42));
    EXPECT_EQ(j["time_ms"], 42);
    EXPECT_EQ(j["event"], "denied");
    EXPECT_EQ(j["success"], false);
    EXPECT_EQ(j["principal"], "User:alice");
    EXPECT_EQ(j["resource"], "TOPIC:orders");
    EXPECT_FALSE(j.contains("mechanism"));
}

TEST(audit_log, concurrent_records_append_whole_lines_to_a_private_file) {
    auto path = std::filesystem::temp_directory_path() /
                ("spate-audit-" + std::to_string(::getpid()) + ".log");
    std::filesystem::remove(path);
    {
        auto log = audit_log::open(path.string());
        ASSERT_TRUE(log.ok()) << log.err().message;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 100; ++i) {
                    audit_event e;
                    e.success = true;
                    e.principal = "User:t" + std::to_string(t);
                    e.mechanism = "SCRAM-SHA-256";
                    (*log)->record(e);
                }
            });
        for (auto& t : threads)
            t.join();
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(path);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        EXPECT_EQ(j["event"], "authentication");
        ++lines;
    }
    EXPECT_EQ(lines, 400);
    std::filesystem::remove(path);
    EXPECT_FALSE(audit_log::open("/nonexistent-dir/audit.log").ok());
}

}  // namespace
}  // namespace audit_log_test
}  // namespace spate::security
