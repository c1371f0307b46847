#include "base/log.h"

#include <gtest/gtest.h>

namespace spate::logging {
namespace log_test {
namespace {

TEST(logging, unknown_level_is_an_error_naming_it) {
    auto s = configure("loud", format::text);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.err().message.find("'loud'"), std::string::npos);
}

TEST(logging, json_lines_escape_the_message_and_name_the_module) {
    ASSERT_TRUE(configure("info", format::json).ok());
    testing::internal::CaptureStderr();
    get("storage").warn("sync of \"{}\" failed\n", "a/b");
    get("storage").debug("below the level");
    auto out = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(configure("info", format::text).ok());
    EXPECT_NE(out.find(R"("level":"warning","module":"storage")"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("msg":"sync of \"a/b\" failed\n"})"), std::string::npos) << out;
    EXPECT_EQ(out.find("below the level"), std::string::npos) << out;
}

TEST(logging, level_applies_to_loggers_created_before_configure) {
    auto& l = get("early");
    ASSERT_TRUE(configure("error", format::text).ok());
    EXPECT_FALSE(l.should_log(spdlog::level::warn));
    ASSERT_TRUE(configure("info", format::text).ok());
    EXPECT_TRUE(l.should_log(spdlog::level::info));
}

}  // namespace
}  // namespace log_test
}  // namespace spate::logging
