#include "sql/state/change_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace spate::sql::detail {
namespace {

std::vector<std::string> keys_in_order(const change_buffer& b) {
    std::vector<std::string> out;
    for (const auto* c : b.ordered())
        out.push_back(c->key);
    return out;
}

TEST(change_buffer, finds_added_keys_and_visits_them_in_bytewise_order) {
    change_buffer b;
    EXPECT_TRUE(b.empty());
    for (const std::string& k :
         std::vector<std::string>{"b", "a", std::string("a\0", 2), "\xff", "c"}) {
        auto& c = b.add(k, false);
        c.value = "v" + k;
        c.has_value = true;
    }
    EXPECT_EQ(b.size(), 5u);
    ASSERT_NE(b.find("c"), nullptr);
    EXPECT_EQ(b.find("c")->value, "vc");
    EXPECT_EQ(b.find("d"), nullptr);
    EXPECT_EQ(keys_in_order(b),
              (std::vector<std::string>{"a", std::string("a\0", 2), "b", "c", "\xff"}));
}

TEST(change_buffer, an_erased_key_is_gone_until_added_again) {
    change_buffer b;
    b.add("x", true);
    b.add("y", false);
    b.erase(*b.find("x"));
    EXPECT_EQ(b.find("x"), nullptr);
    EXPECT_EQ(b.size(), 1u);
    EXPECT_EQ(keys_in_order(b), (std::vector<std::string>{"y"}));
    std::vector<std::string> visited;
    b.for_each([&visited](const change_buffer::change& c) { visited.push_back(c.key); });
    EXPECT_EQ(visited, (std::vector<std::string>{"y"}));
    auto& again = b.add("x", false);
    EXPECT_FALSE(again.fresh);
    EXPECT_EQ(b.find("x"), &again);
    EXPECT_EQ(keys_in_order(b), (std::vector<std::string>{"x", "y"}));
}

TEST(change_buffer, holds_many_keys_and_is_empty_after_clear) {
    change_buffer b;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 10000; ++i) {
            auto& c = b.add("k" + std::to_string(i), false);
            c.value = std::to_string(i + round);
            c.has_value = true;
        }
        ASSERT_EQ(b.size(), 10000u);
        for (int i = 0; i < 10000; i += 997) {
            const auto* c = b.find("k" + std::to_string(i));
            ASSERT_NE(c, nullptr);
            EXPECT_EQ(c->value, std::to_string(i + round));
        }
        const auto& order = b.ordered();
        for (size_t i = 1; i < order.size(); ++i)
            ASSERT_LT(order[i - 1]->key, order[i]->key);
        b.clear();
        EXPECT_TRUE(b.empty());
        EXPECT_EQ(b.find("k1"), nullptr);
        EXPECT_TRUE(b.ordered().empty());
    }
}

}  // namespace
}  // namespace spate::sql::detail
