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
// owning thread only; resize from any thread, I/O threads included (it never
// joins the calling thread).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

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
    bool running() const;
    // Grows or shrinks the running pool to `threads` (>= 1): new threads
    // start at once; surplus threads leave after the handler they run (each
    // picks up one retirement handler) and are joined by a later resize or
    // by stop(). Ignored before start().
    void resize(int threads);
    // Threads running or asked to run (not those retiring).
    int size() const;

  private:
    struct worker {
        std::thread thread;
        std::atomic<bool> finished{false};
    };
    void spawn_locked();
    void join_finished_locked();

    boost::asio::io_context _io;
    // Keeps run() from returning while no work is queued yet.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> _work;
    mutable std::mutex _mu;
    std::list<std::unique_ptr<worker>> _workers;
    int _size = 0;
};

}  // namespace spate::net
