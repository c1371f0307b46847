#pragma once

// A real Spate broker for the store's tests: `spate serve` (the binary of
// this build tree, SPATE_BINARY) on a fresh data directory, Kafka on an
// ephemeral port, no PostgreSQL listener. stop() (and the destructor) sends
// SIGTERM, then SIGKILL after a deadline, and removes the directory.
// Header-only; one broker per object; not thread-safe.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "kafka/client/config.h"

namespace spate::registry::test_support {

class broker {
  public:
    broker() = default;
    broker(const broker&) = delete;
    broker& operator=(const broker&) = delete;
    ~broker() { stop(); }

    // False (see error()) unless the broker announces its Kafka listener
    // within `timeout_ms`.
    bool start(int timeout_ms = 20000) {
        std::string dir = (std::filesystem::temp_directory_path() / "spate-registry-XXXXXX");
        if (mkdtemp(dir.data()) == nullptr) return failed("mkdtemp failed");
        _dir = dir;
        const std::string data = _dir + "/data", log = _dir + "/broker.log",
                          config = _dir + "/broker.properties";
        std::ofstream(config) << "group.initial.rebalance.delay.ms=0\n";
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) return failed("pipe failed");
        _pid = fork();
        if (_pid < 0) return failed("fork failed");
        if (_pid == 0) run_child(out[1], data.c_str(), log.c_str(), config.c_str());
        close(out[1]);
        _out = out[0];
        return read_listener(timeout_ms);
    }

    void stop() {
        if (_pid > 0) {
            kill(_pid, SIGTERM);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            int st = 0;
            while (waitpid(_pid, &st, WNOHANG) == 0) {
                if (std::chrono::steady_clock::now() > deadline) {
                    kill(_pid, SIGKILL);
                    waitpid(_pid, &st, 0);
                    break;
                }
                usleep(10000);  // a child's exit has no descriptor to wait on
            }
            _pid = -1;
        }
        if (_out >= 0) close(_out);
        _out = -1;
        if (!_dir.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(_dir, ec);
            _dir.clear();
        }
    }

    const std::string& bootstrap() const { return _bootstrap; }
    const std::string& error() const { return _error; }
    kafka::client::client_config client() const {
        kafka::client::client_config c;
        c.bootstrap = _bootstrap;
        c.client_id = "registry-test";
        c.timeout_ms = 10000;
        return c;
    }

  private:
    [[noreturn]] static void run_child(int out_fd, const char* data, const char* log,
                                       const char* config) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // no broker left behind by a crashed test
        dup2(out_fd, STDOUT_FILENO);
        int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, STDERR_FILENO);
        execl(SPATE_BINARY, SPATE_BINARY, "serve", "--data-dir", data, "--kafka-listen",
              "127.0.0.1:0", "--pg-listen", "off", "--config", config, static_cast<char*>(nullptr));
        _exit(127);
    }

    bool read_listener(int timeout_ms) {
        const std::string marker = "kafka listener on ";
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        std::string text;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return failed("no listener announced; output: " + text);
            pollfd p{_out, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[4096];
            ssize_t n = read(_out, buf, sizeof buf);
            if (n <= 0) return failed("broker exited; output: " + text);
            text.append(buf, static_cast<size_t>(n));
            auto at = text.find(marker);
            auto end = at == std::string::npos ? at : text.find('\n', at);
            if (end == std::string::npos) continue;
            _bootstrap = text.substr(at + marker.size(), end - at - marker.size());
            return true;
        }
    }

    bool failed(std::string what) {
        _error = std::move(what);
        return false;
    }

    pid_t _pid = -1;
    int _out = -1;
    std::string _dir;
    std::string _bootstrap;
    std::string _error;
};

}  // namespace spate::registry::test_support
