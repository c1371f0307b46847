#pragma once

// A real Spate broker for the tests of modules above the log (header only):
// runs `spate serve` (the binary at `binary`, usually the build tree's
// SPATE_BINARY) on a fresh data directory with an ephemeral Kafka port and
// no PostgreSQL or HTTP listener (parallel tests never share a port), and
// stops it (SIGTERM, then SIGKILL after a deadline) on destruction.
// A `broker_setup` adds properties (e.g. a SASL listener) and users created
// offline with `spate user create --data-dir` before the start, as an
// administrator bootstraps the first users.
// Header-only; one broker per object; not thread-safe.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "kafka/client/config.h"

namespace spate::kafka::client::testing {

struct broker_setup {
    // More "key=value" lines of the properties file (`listeners=...`: the
    // first listener is the bootstrap()).
    std::vector<std::string> properties;
    // (name, password): SCRAM-SHA-512 users created before the start.
    std::vector<std::pair<std::string, std::string>> users;
};

class broker_process {
  public:
    explicit broker_process(std::string binary, broker_setup setup = {})
        : _binary(std::move(binary)), _setup(std::move(setup)) {}
    broker_process(const broker_process&) = delete;
    broker_process& operator=(const broker_process&) = delete;
    ~broker_process() { stop(); }

    // Starts the broker; false (with `error()`) when it does not announce its
    // Kafka listener within `timeout_ms`.
    bool start(int timeout_ms = 20000) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "spate-test-XXXXXX");
        if (mkdtemp(tmpl.data()) == nullptr) return fail("mkdtemp failed");
        _dir = tmpl;
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) return fail("pipe failed");
        // Everything the child needs is built before fork (no allocation after).
        std::string log = _dir + "/broker.log";
        std::string data = _dir + "/data";
        std::string config = _dir + "/broker.properties";
        {
            // Groups form at once instead of after Kafka's 3 s join delay.
            std::ofstream f(config);
            f << "group.initial.rebalance.delay.ms=0\n";
            for (const auto& line : _setup.properties)
                f << line << "\n";
        }
        for (const auto& [name, password] : _setup.users)
            if (!run_tool({"user", "create", name, "--password", password, "--mechanism",
                           "SCRAM-SHA-512", "--data-dir", data},
                          log))
                return fail("spate user create " + name + " failed; see " + log);
        _pid = fork();
        if (_pid < 0) return fail("fork failed");
        if (_pid == 0)
            exec_child(_binary.c_str(), out[1], log.c_str(), data.c_str(), config.c_str());
        close(out[1]);
        _out = out[0];
        return read_bootstrap(timeout_ms);
    }

    void stop() {
        if (_pid > 0) {
            kill(_pid, SIGTERM);
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            int st = 0;
            while (waitpid(_pid, &st, WNOHANG) == 0) {
                if (std::chrono::steady_clock::now() > deadline) {
                    kill(_pid, SIGKILL);
                    waitpid(_pid, &st, 0);
                    break;
                }
                usleep(10000);  // reaping a child has no event to wait on here
            }
            _pid = -1;
        }
        if (_out >= 0) {
            close(_out);
            _out = -1;
        }
        if (!_dir.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(_dir, ec);
            _dir.clear();
        }
    }

    const std::string& bootstrap() const { return _bootstrap; }
    // Everything the broker wrote to stderr (its log) so far.
    std::string log_text() const {
        std::ifstream f(_dir + "/broker.log");
        return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    }
    const std::string& error() const { return _error; }
    kafka::client::client_config client() const {
        kafka::client::client_config c;
        c.bootstrap = _bootstrap;
        c.client_id = "spate-test";
        c.timeout_ms = 10000;
        return c;
    }

  private:
    [[noreturn]] static void exec_child(const char* binary, int out_fd, const char* log,
                                        const char* data, const char* config) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned broker if the test process dies
        dup2(out_fd, STDOUT_FILENO);
        int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, STDERR_FILENO);
        execl(binary, binary, "serve", "--data-dir", data, "--kafka-listen", "127.0.0.1:0",
              "--pg-listen", "off", "--http-listen", "off", "--config", config,
              static_cast<char*>(nullptr));
        _exit(127);
    }

    // Runs `binary args...` to completion, its output appended to `log`.
    bool run_tool(std::vector<std::string> args, const std::string& log) {
        std::vector<char*> argv{_binary.data()};
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = fork();
        if (pid < 0) return false;
        if (pid == 0) {
            int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
            }
            execv(argv[0], argv.data());
            _exit(127);
        }
        int st = 0;
        return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }

    bool read_bootstrap(int timeout_ms) {
        const std::string marker = "kafka listener on ";
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        std::string text;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return fail("no listener line; output: " + text);
            pollfd p{_out, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[4096];
            ssize_t n = read(_out, buf, sizeof buf);
            if (n <= 0) return fail("broker exited; output: " + text);
            text.append(buf, static_cast<size_t>(n));
            auto at = text.find(marker);
            if (at == std::string::npos) continue;
            auto end = text.find('\n', at);
            if (end == std::string::npos) continue;
            _bootstrap = text.substr(at + marker.size(), end - at - marker.size());
            return true;
        }
    }

    bool fail(std::string what) {
        _error = std::move(what);
        return false;
    }

    std::string _binary;
    broker_setup _setup;
    pid_t _pid = -1;
    int _out = -1;
    std::string _dir;
    std::string _bootstrap;
    std::string _error;
};

}  // namespace spate::kafka::client::testing
