#pragma once

// The process's I/O runtime: one boost::asio::io_context run by a fixed pool
// of threads. Every listener, connection and periodic task of every service
// runs on it.
//
// Lifecycle: construct, start(threads) once, ..., stop() (idempotent): stop
// ends io_context::run on every thread and joins them; handlers still queued
// are dropped. Services must be stopped before the runtime (their timers and
// sockets refer to its io_context) and destroyed after it.
//
// Threading: context()/executor() from any thread; start/stop from the
// owning thread only.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace spate::net {

class runtime {
  public:
    runtime() = default;
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    boost::asio::io_context& context() { return _io; }
    boost::asio::io_context::executor_type executor() { return _io.get_executor(); }

    // Runs the io_context on `threads` (>= 1) threads. An exception escaping a
    // handler is logged and that thread resumes running.
    void start(int threads);
    void stop();
    bool running() const { return !_threads.empty(); }

  private:
    boost::asio::io_context _io;
    // Keeps run() from returning while no work is queued yet.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> _work;
    std::vector<std::thread> _threads;
};

}  // namespace spate::net
