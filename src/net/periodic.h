#pragma once

// Periodic work on the runtime (coordinator ticks, expiry passes): the
// service that owns the work owns its periodic task, so no front end has to
// tick anyone.
//
// Threading: `fn` runs on a runtime thread, never twice at once. After
// stop() returns, `fn` is not running and will not run again.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace spate::net {

class runtime;

class periodic {
  public:
    periodic(std::chrono::milliseconds every, std::function<void()> fn);
    ~periodic();
    periodic(const periodic&) = delete;
    periodic& operator=(const periodic&) = delete;

    void start(runtime& rt);
    void stop();

  private:
    struct state;
    std::chrono::milliseconds _every;
    std::function<void()> _fn;
    std::shared_ptr<state> _state;
};

}  // namespace spate::net
