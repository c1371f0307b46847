#include "net/runtime.h"

#include <pthread.h>
#include <algorithm>
#include <exception>

#include <boost/asio/post.hpp>

#include "base/assert.h"
#include "base/log.h"

namespace spate::net {

runtime::~runtime() {
    stop();
}

namespace {

// Thrown by a retirement handler: ends the I/O thread that runs it.
struct retire_thread {};

}  // namespace

void runtime::spawn_locked() {
    auto w = std::make_unique<worker>();
    worker* self = w.get();
    w->thread = std::thread([this, self] {
        pthread_setname_np(pthread_self(), "spate-io");
        for (;;) {
            try {
                _io.run();
                break;
            } catch (const retire_thread&) {
                break;
            } catch (const std::exception& e) {
                logging::get("net").error("I/O thread: handler threw: {}", e.what());
            }
        }
        self->finished = true;
    });
    _workers.push_back(std::move(w));
}

void runtime::join_finished_locked() {
    for (auto it = _workers.begin(); it != _workers.end();) {
        if ((*it)->finished && (*it)->thread.get_id() != std::this_thread::get_id()) {
            (*it)->thread.join();
            it = _workers.erase(it);
        } else {
            ++it;
        }
    }
}

void runtime::start(int threads) {
    std::lock_guard lk(_mu);
    SPATE_ASSERT(_workers.empty());
    _work.emplace(_io.get_executor());
    _size = std::max(1, threads);
    for (int i = 0; i < _size; ++i)
        spawn_locked();
}

void runtime::resize(int threads) {
    std::lock_guard lk(_mu);
    if (!_work) return;
    join_finished_locked();
    int want = std::max(1, threads);
    for (; _size < want; ++_size)
        spawn_locked();
    for (; _size > want; --_size)
        boost::asio::post(_io, [] { throw retire_thread{}; });
    logging::get("net").info("I/O threads: {}", _size);
}

int runtime::size() const {
    std::lock_guard lk(_mu);
    return _size;
}

bool runtime::running() const {
    std::lock_guard lk(_mu);
    return !_workers.empty();
}

void runtime::stop() {
    std::list<std::unique_ptr<worker>> workers;
    {
        std::lock_guard lk(_mu);
        _work.reset();
        _io.stop();
        workers.swap(_workers);
        _size = 0;
    }
    for (auto& w : workers)
        w->thread.join();
}

}  // namespace spate::net
