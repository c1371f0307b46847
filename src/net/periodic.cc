#include "net/periodic.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/assert.h"
#include "net/runtime.h"

namespace spate::net {

namespace asio = boost::asio;

struct periodic::state {
    explicit state(asio::io_context& io) : strand(asio::make_strand(io)), timer(strand) {}
    std::mutex mu;  // held while fn runs; guards stopped
    bool stopped = false;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;  // used on `strand` only
};

periodic::periodic(std::chrono::milliseconds every, std::function<void()> fn)
    : _every(every), _fn(std::move(fn)) {}

periodic::~periodic() {
    stop();
}

void periodic::start(runtime& rt) {
    SPATE_ASSERT(!_state);
    _state = std::make_shared<state>(rt.context());
    // The loop holds the state, not `this`: after stop() it never touches fn.
    asio::co_spawn(
        _state->strand,
        [st = _state, every = _every, fn = &_fn]() -> asio::awaitable<void> {
            for (;;) {
                st->timer.expires_after(every);
                boost::system::error_code ec;
                co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                std::lock_guard lk(st->mu);
                if (st->stopped) co_return;
                (*fn)();
            }
        },
        asio::detached);
}

void periodic::stop() {
    if (!_state) return;
    {
        std::lock_guard lk(_state->mu);
        _state->stopped = true;
    }
    asio::post(_state->strand, [st = _state] { st->timer.cancel(); });
}

}  // namespace spate::net
