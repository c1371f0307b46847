#include "net/service.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/deadline_timer.h"
#include "net/periodic.h"
#include "net/runtime.h"

namespace spate::net {
namespace {

class recording_service final : public service {
  public:
    recording_service(std::string name, std::vector<std::string>& log, bool fail = false)
        : _name(std::move(name)), _log(log), _fail(fail) {}
    std::string_view name() const override { return _name; }
    status start(runtime&) override {
        _log.push_back("start " + _name);
        if (_fail) return make_error(errc::io_error, "boom");
        return {};
    }
    void stop() override { _log.push_back("stop " + _name); }

  private:
    std::string _name;
    std::vector<std::string>& _log;
    bool _fail;
};

TEST(service_set, starts_in_order_and_stops_in_reverse) {
    runtime rt;
    std::vector<std::string> log;
    service_set set(rt);
    set.add(std::make_unique<recording_service>("storage", log));
    set.add(std::make_unique<recording_service>("groups", log));
    set.add(std::make_unique<recording_service>("kafka", log));
    ASSERT_TRUE(set.start_all().ok());
    for (const auto& s : set.states())
        EXPECT_EQ(s.h, health::serving) << s.name;
    set.stop_all();
    set.stop_all();  // idempotent
    EXPECT_EQ(log, (std::vector<std::string>{"start storage", "start groups", "start kafka",
                                             "stop kafka", "stop groups", "stop storage"}));
    for (const auto& s : set.states())
        EXPECT_EQ(s.h, health::stopped) << s.name;
}

TEST(service_set, a_failed_start_stops_the_started_ones_and_names_the_service) {
    runtime rt;
    std::vector<std::string> log;
    service_set set(rt);
    set.add(std::make_unique<recording_service>("storage", log));
    set.add(std::make_unique<recording_service>("kafka", log, true));
    set.add(std::make_unique<recording_service>("never", log));
    auto s = set.start_all();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.err().message, "kafka: boom");
    EXPECT_EQ(log, (std::vector<std::string>{"start storage", "start kafka", "stop storage"}));
    EXPECT_EQ(set.states()[1].h, health::failed);
    EXPECT_EQ(set.states()[2].h, health::stopped);
}

TEST(periodic, runs_repeatedly_and_never_after_stop) {
    runtime rt;
    rt.start(2);
    std::atomic<int> runs{0};
    periodic p(std::chrono::milliseconds(1), [&] { ++runs; });
    p.start(rt);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (runs < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_GE(runs.load(), 3);
    p.stop();
    int at_stop = runs.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(runs.load(), at_stop);
    rt.stop();
}

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The timer runs its work at the deadline it asked for, and earlier when
// woken for an earlier one; never after stop(). Slack: 20 ms covers a busy
// 2-core machine's scheduling latency, far below the 50 ms tick it replaces.
TEST(deadline_timer, runs_at_the_deadline_and_when_woken_earlier) {
    runtime rt;
    rt.start(2);
    std::mutex mu;
    std::vector<int64_t> runs;
    int64_t next = deadline_timer::k_never;
    deadline_timer t(steady_ms, [&] {
        std::lock_guard lk(mu);
        runs.push_back(steady_ms());
        int64_t n = next;
        next = deadline_timer::k_never;
        return n;
    });
    auto wait_runs = [&](size_t n) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (;;) {
            {
                std::lock_guard lk(mu);
                if (runs.size() >= n) return;
            }
            if (std::chrono::steady_clock::now() > deadline) return;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    };
    {
        std::lock_guard lk(mu);
        next = steady_ms() + 100;  // the first run (at start) asks for +100 ms
    }
    int64_t asked = steady_ms() + 100;
    t.start(rt);
    wait_runs(2);
    {
        std::lock_guard lk(mu);
        ASSERT_EQ(runs.size(), 2u);
        EXPECT_GE(runs[1], asked - 1);
        EXPECT_LT(runs[1], asked + 20);
    }
    // Nothing armed now; a wake-up for 30 ms from now runs it then.
    int64_t woken = steady_ms() + 30;
    t.wake_at(woken);
    wait_runs(3);
    {
        std::lock_guard lk(mu);
        ASSERT_EQ(runs.size(), 3u);
        EXPECT_GE(runs[2], woken - 1);
        EXPECT_LT(runs[2], woken + 20);
    }
    t.stop();
    t.wake_at(steady_ms());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
        std::lock_guard lk(mu);
        EXPECT_EQ(runs.size(), 3u);
    }
    rt.stop();
}

}  // namespace
}  // namespace spate::net

namespace {

int io_threads_named() {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(e.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name == "spate-io") ++n;
    }
    return n;
}

bool wait_for_io_threads(int n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (io_threads_named() == n) return true;
        std::this_thread::yield();
    }
    return false;
}

}  // namespace

TEST(runtime_test, resize_grows_and_shrinks_the_running_pool_even_from_an_io_thread) {
    spate::net::runtime rt;
    rt.start(2);
    ASSERT_TRUE(wait_for_io_threads(2));
    rt.resize(5);
    EXPECT_EQ(rt.size(), 5);
    EXPECT_TRUE(wait_for_io_threads(5));
    // Shrinking from one of the pool's own threads: it is never joined by itself.
    std::promise<void> done;
    boost::asio::post(rt.context(), [&] {
        rt.resize(1);
        done.set_value();
    });
    done.get_future().wait();
    EXPECT_EQ(rt.size(), 1);
    EXPECT_TRUE(wait_for_io_threads(1));
    // The one left still runs handlers.
    std::promise<int> ran;
    boost::asio::post(rt.context(), [&] { ran.set_value(7); });
    EXPECT_EQ(ran.get_future().get(), 7);
    rt.stop();
    EXPECT_EQ(io_threads_named(), 0);
}
