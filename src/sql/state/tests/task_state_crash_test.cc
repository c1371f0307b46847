// A process that dies without flushing RocksDB (no WAL): the test binary
// runs itself again as the child (child_main, before main(), only when the
// parent set its environment), and the parent reopens the directory the
// child left behind.

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sql/state/task_state.h"
#include "sql/state/tests/state_test_util.h"

extern char** environ;

namespace spate::sql {
namespace task_state_crash_test {
namespace {

using namespace test_support;

constexpr const char* k_env_bootstrap = "SPATE_STATE_CRASH_BOOTSTRAP";
constexpr const char* k_env_dir = "SPATE_STATE_CRASH_DIR";
constexpr const char* k_env_topic = "SPATE_STATE_CRASH_TOPIC";
constexpr int k_first = 50, k_second = 30;

std::string key_of(int i) {
    return "key-" + std::to_string(i);
}

// The child: commits k_first keys and closes (a flush), reopens, commits
// k_second more (changelog end passed), then dies without any destructor.
// Runs before main() in the re-executed binary (so it is no test of its
// own); its exit status tells the parent whether every step worked.
int child_main(const char* bootstrap) {
    state_options o;
    o.dir = std::getenv(k_env_dir);
    o.changelog_topic = std::getenv(k_env_topic);
    o.client.bootstrap = bootstrap;
    o.timeout_ms = 10000;
    txn_writer w(o.client, "state-crash-child", o.changelog_topic);
    {
        auto st = task_state::open(o);
        if (!st.ok()) return 2;
        for (int i = 0; i < k_first; ++i)
            st.value()->put(key_of(i), "first");
        if (!w.commit(*st.value(), 0)) return 3;
    }
    auto st = task_state::open(o);
    if (!st.ok()) return 4;
    for (int i = 0; i < k_second; ++i)
        st.value()->put(key_of(i), "second");
    st.value()->remove(key_of(k_first - 1));
    if (!w.commit(*st.value(), 0)) return 5;
    std::_Exit(0);  // no destructor: RocksDB's memtable is lost
}

[[maybe_unused]] const bool k_is_child = [] {
    if (const char* bootstrap = std::getenv(k_env_bootstrap)) std::_Exit(child_main(bootstrap));
    return false;
}();

// Runs the child; its exit status.
int run_child(const std::string& dir, const std::string& topic, const std::string& bootstrap) {
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e)
        env_text.emplace_back(*e);
    env_text.push_back(std::string(k_env_bootstrap) + "=" + bootstrap);
    env_text.push_back(std::string(k_env_dir) + "=" + dir);
    env_text.push_back(std::string(k_env_topic) + "=" + topic);
    std::vector<char*> envp;
    for (auto& s : env_text)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string exe = "/proc/self/exe";
    char* argv[] = {exe.data(), nullptr};
    pid_t pid = -1;
    if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F(task_state_test, a_process_killed_after_commit_loses_only_what_replay_restores) {
    ASSERT_EQ(run_child(_dir.path(), _topic, client().bootstrap), 0);
    auto st = open();
    ASSERT_NE(st, nullptr);
    // The first round was flushed on close; the second lived in the lost
    // memtable (with its checkpoint) and came back from the changelog.
    EXPECT_EQ(st->stats().restored_records, k_second + 1);
    for (int i = 0; i < k_first - 1; ++i)
        EXPECT_EQ(get(*st, key_of(i)), i < k_second ? "second" : "first") << i;
    EXPECT_EQ(get(*st, key_of(k_first - 1)), std::nullopt);
}

}  // namespace
}  // namespace task_state_crash_test
}  // namespace spate::sql
