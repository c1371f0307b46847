#pragma once

// Work that runs exactly when it is due rather than on a fixed tick (group
// coordinator sessions and rebalance deadlines). The work function returns
// the next deadline it needs; anyone may ask for an earlier wake-up with
// wake_at(). Deadlines are milliseconds on the caller's clock (`now_ms`,
// e.g. wall-clock): the timer waits `deadline - now_ms()` on Asio's steady
// clock, so a wake-up is late by the runtime's scheduling latency only.
//
// Threading: `fn` runs on a runtime thread, never twice at once. wake_at()
// may be called from any thread, including from inside `fn`. After stop()
// returns, `fn` is not running and will not run again.

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

namespace spate::net {

class runtime;

class deadline_timer {
  public:
    static constexpr int64_t k_never = std::numeric_limits<int64_t>::max();
    using clock_fn = std::function<int64_t()>;
    // `fn` does the due work and returns the next deadline (k_never: none).
    deadline_timer(clock_fn now_ms, std::function<int64_t()> fn);
    ~deadline_timer();
    deadline_timer(const deadline_timer&) = delete;
    deadline_timer& operator=(const deadline_timer&) = delete;

    // Runs `fn` once right away, then at the deadlines it returns.
    void start(runtime& rt);
    void stop();
    // Makes `fn` run at `deadline_ms` at the latest (earlier if it is already
    // armed for an earlier time). Ignored before start() and after stop().
    void wake_at(int64_t deadline_ms);

  private:
    struct state;
    clock_fn _now;
    std::function<int64_t()> _fn;
    std::shared_ptr<state> _state;
};

}  // namespace spate::net
