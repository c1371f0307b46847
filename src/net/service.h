#pragma once

// A long-lived part of the process (storage, a coordinator, a listener)
// with a start/stop lifecycle and a health state, and the ordered set that
// starts services in dependency order and stops them in reverse.
//
// Threading: a service's start() and stop() are called from the thread that
// owns the service_set; health() from any thread.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace spate::net {

class runtime;

enum class health { stopped, starting, serving, failed, stopping };
const char* health_name(health h);

class service {
  public:
    virtual ~service() = default;
    // A short stable name ("storage", "kafka-listener"), used in logs and errors.
    virtual std::string_view name() const = 0;
    // Brings the service up; the runtime's threads may not run yet. An error
    // stops the start of the whole set.
    virtual status start(runtime& rt) = 0;
    // Releases everything start() took. Called once, and only after a
    // successful start(); must not fail (log what goes wrong).
    virtual void stop() = 0;
};

// Owns services in start order. start_all() starts each in turn; when one
// fails, those already started are stopped in reverse and its error is
// returned prefixed with its name. stop_all() stops the started ones in
// reverse order; idempotent.
class service_set {
  public:
    explicit service_set(runtime& rt) : _rt(rt) {}
    ~service_set() { stop_all(); }
    service_set(const service_set&) = delete;
    service_set& operator=(const service_set&) = delete;

    // Appends `s` (started after every service added before it). Returns it.
    template <typename S>
    S& add(std::unique_ptr<S> s) {
        auto& ref = *s;
        _entries.push_back(entry{std::move(s)});
        return ref;
    }

    status start_all();
    void stop_all();

    struct state {
        std::string name;
        health h;
    };
    // Every service's name and health, in start order. Thread-safe.
    std::vector<state> states() const;

  private:
    struct entry {
        std::unique_ptr<service> svc;
        std::unique_ptr<std::atomic<health>> h =
            std::make_unique<std::atomic<health>>(health::stopped);
    };
    runtime& _rt;
    std::vector<entry> _entries;
};

}  // namespace spate::net
