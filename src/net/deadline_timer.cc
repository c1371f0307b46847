#include "net/deadline_timer.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/assert.h"
#include "net/runtime.h"

namespace spate::net {

namespace asio = boost::asio;

struct deadline_timer::state {
    explicit state(asio::io_context& io) : strand(asio::make_strand(io)), timer(strand) {}
    std::mutex mu;  // held while fn runs; guards stopped
    bool stopped = false;
    asio::strand<asio::io_context::executor_type> strand;
    // Used on `strand` only, as are the fields below.
    asio::steady_timer timer;
    int64_t armed_ms = k_never;  // the deadline `timer` waits for
    uint64_t generation = 0;     // bumped on every re-arm: stale waits do nothing
    clock_fn now;
    std::function<int64_t()>* fn = nullptr;

    // Arms the timer for `deadline_ms` (on the strand).
    static void arm(const std::shared_ptr<state>& st, int64_t deadline_ms) {
        st->armed_ms = deadline_ms;
        uint64_t gen = ++st->generation;
        if (deadline_ms == k_never) {
            st->timer.cancel();
            return;
        }
        int64_t delay = std::max<int64_t>(0, deadline_ms - st->now());
        st->timer.expires_after(std::chrono::milliseconds(delay));
        st->timer.async_wait([st, gen](const boost::system::error_code& ec) {
            if (ec || gen != st->generation) return;  // cancelled or re-armed
            run(st);
        });
    }

    static void run(const std::shared_ptr<state>& st) {
        int64_t next;
        {
            std::lock_guard lk(st->mu);
            if (st->stopped) return;
            // Anything asked for while fn runs is either seen by fn or posted
            // behind this handler, which re-arms earlier if needed.
            st->armed_ms = k_never;
            next = (*st->fn)();
        }
        arm(st, next);
    }
};

deadline_timer::deadline_timer(clock_fn now_ms, std::function<int64_t()> fn)
    : _now(std::move(now_ms)), _fn(std::move(fn)) {}

deadline_timer::~deadline_timer() {
    stop();
}

void deadline_timer::start(runtime& rt) {
    SPATE_ASSERT(!_state);
    auto st = std::make_shared<state>(rt.context());
    st->now = _now;
    st->fn = &_fn;
    _state = st;
    asio::post(st->strand, [st] { state::run(st); });
}

void deadline_timer::stop() {
    if (!_state) return;
    {
        std::lock_guard lk(_state->mu);
        _state->stopped = true;
    }
    asio::post(_state->strand, [st = _state] {
        ++st->generation;
        st->timer.cancel();
    });
}

void deadline_timer::wake_at(int64_t deadline_ms) {
    auto st = _state;
    if (!st || deadline_ms == k_never) return;
    asio::post(st->strand, [st, deadline_ms] {
        if (deadline_ms >= st->armed_ms) return;
        {
            std::lock_guard lk(st->mu);
            if (st->stopped) return;
        }
        state::arm(st, deadline_ms);
    });
}

}  // namespace spate::net
