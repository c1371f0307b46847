#pragma once

// Handler time of one request, for the request_percentage quota: the time
// the request's handler coroutine spends running on its connection's
// strand, not the time it waits (fetch long polls, fsyncs, rebalances), as
// Kafka counts request-handler time. The connection spawns each handler on
// a `timed_executor` wrapping its strand; every piece of the coroutine that
// runs through it adds its duration to the request's `request_clock`.
//
// Threading: a clock is touched only on its connection's strand.

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

namespace spate::broker {

class request_clock {
  public:
    using clock = std::chrono::steady_clock;

    void begin() { _segment_start = clock::now(); }
    void end() {
        _busy += clock::now() - _segment_start;
        _segment_start = {};
    }
    // Busy time so far, including the piece running now.
    std::chrono::nanoseconds busy() const {
        auto running = _segment_start == clock::time_point{} ? clock::duration{}
                                                             : clock::now() - _segment_start;
        return std::chrono::duration_cast<std::chrono::nanoseconds>(_busy + running);
    }

  private:
    clock::duration _busy{};
    clock::time_point _segment_start{};
};

// An executor that runs work on `inner` (never inline) and times it.
class timed_executor {
  public:
    timed_executor(boost::asio::any_io_executor inner, std::shared_ptr<request_clock> clock)
        : _inner(std::move(inner)), _clock(std::move(clock)) {}

    boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept {
        return boost::asio::query(_inner, boost::asio::execution::context);
    }
    static constexpr boost::asio::execution::blocking_t query(
        boost::asio::execution::blocking_t) noexcept {
        return boost::asio::execution::blocking.never;
    }
    timed_executor require(boost::asio::execution::blocking_t::never_t) const { return *this; }

    template <typename F>
    void execute(F f) const {
        auto inner = boost::asio::require(_inner, boost::asio::execution::blocking.never);
        boost::asio::execution::execute(inner, [f = std::move(f), c = _clock]() mutable {
            struct timing {
                request_clock& c;
                explicit timing(request_clock& clock) : c(clock) { c.begin(); }
                ~timing() { c.end(); }
            } t(*c);
            f();
        });
    }

    friend bool operator==(const timed_executor& a, const timed_executor& b) noexcept {
        return a._inner == b._inner && a._clock == b._clock;
    }
    friend bool operator!=(const timed_executor& a, const timed_executor& b) noexcept {
        return !(a == b);
    }

  private:
    boost::asio::any_io_executor _inner;
    std::shared_ptr<request_clock> _clock;
};

}  // namespace spate::broker
