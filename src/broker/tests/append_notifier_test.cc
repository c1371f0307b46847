#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "broker/append_notifier.h"

namespace spate::broker {
namespace append_notifier_test {
namespace {

TEST(append_notifier, wakes_only_subscribers_of_the_appended_partition) {
    append_notifier n;
    int a = 0, b = 0, both = 0;
    auto sa = n.subscribe({{"t", 0}}, [&] { ++a; });
    auto sb = n.subscribe({{"t", 1}}, [&] { ++b; });
    auto sboth = n.subscribe({{"t", 0}, {"u", 3}}, [&] { ++both; });
    n.notify("t", 0);
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(both, 1);
    n.notify("u", 3);
    n.notify("v", 0);  // nobody waits there
    EXPECT_EQ(a, 1);
    EXPECT_EQ(both, 2);
}

TEST(append_notifier, a_reset_subscription_is_never_woken_again) {
    append_notifier n;
    int a = 0, b = 0;
    auto sa = n.subscribe({{"t", 0}}, [&] { ++a; });
    auto sb = n.subscribe({{"t", 0}}, [&] { ++b; });
    sa.reset();
    n.notify("t", 0);
    EXPECT_EQ(a, 0);
    EXPECT_EQ(b, 1);
    EXPECT_EQ(n.subscription_count(), 1u);
    { auto moved = std::move(sb); }
    n.notify("t", 0);
    EXPECT_EQ(b, 1);
    EXPECT_EQ(n.subscription_count(), 0u);
}

TEST(append_notifier, many_idle_subscribers_elsewhere_do_not_see_an_append) {
    append_notifier n;
    std::atomic<int> woken{0};
    std::vector<append_notifier::subscription> idle;
    for (int i = 0; i < 10000; ++i)
        idle.push_back(n.subscribe({{"idle", i}}, [&] { ++woken; }));
    int hot = 0;
    auto s = n.subscribe({{"hot", 0}}, [&] { ++hot; });
    for (int i = 0; i < 1000; ++i)
        n.notify("hot", 0);
    EXPECT_EQ(hot, 1000);
    EXPECT_EQ(woken.load(), 0);
    n.notify("idle", 42);
    EXPECT_EQ(woken.load(), 1);
}

TEST(append_notifier, subscribe_notify_and_reset_race_safely) {
    append_notifier n;
    std::atomic<bool> stop{false};
    std::thread notifier([&] {
        while (!stop)
            n.notify("t", 0);
    });
    std::atomic<int> woken{0};
    for (int i = 0; i < 2000; ++i) {
        auto s = n.subscribe({{"t", 0}, {"t", i % 7}}, [&] { ++woken; });
    }
    stop = true;
    notifier.join();
    EXPECT_EQ(n.subscription_count(), 0u);
}

}  // namespace
}  // namespace append_notifier_test
}  // namespace spate::broker
