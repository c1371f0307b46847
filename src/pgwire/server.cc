#include "pgwire/server.h"

#include "base/assert.h"
#include "pgwire/connection.h"
#include "pgwire/server_state.h"

namespace spate::pgwire {

server_state::server_state(std::shared_ptr<sql::session_factory> sessions, pg_options options)
    : _sessions(std::move(sessions))
    , _options(options)
    , _pool(options.execution_threads == 0 ? 1 : options.execution_threads)
    , _rng(std::random_device{}()) {
    SPATE_ASSERT(_sessions != nullptr);
}

server_state::~server_state() {
    {
        std::lock_guard lock(_mu);
        for (auto& [pid, entry] : _by_pid)
            if (auto s = entry.second.lock()) s->cancel();
    }
    _pool.join();
}

backend_key server_state::register_session(const std::shared_ptr<sql::session>& s) {
    std::lock_guard lock(_mu);
    std::uniform_int_distribution<int32_t> pid_dist(1, INT32_MAX);
    std::uniform_int_distribution<int32_t> secret_dist(INT32_MIN, INT32_MAX);
    backend_key k;
    do {
        k.pid = pid_dist(_rng);
    } while (_by_pid.contains(k.pid));
    k.secret = secret_dist(_rng);
    _by_pid.emplace(k.pid, std::make_pair(k.secret, std::weak_ptr<sql::session>(s)));
    return k;
}

void server_state::unregister_session(backend_key k) {
    std::lock_guard lock(_mu);
    auto it = _by_pid.find(k.pid);
    if (it != _by_pid.end() && it->second.first == k.secret) _by_pid.erase(it);
}

bool server_state::cancel(backend_key k) {
    std::shared_ptr<sql::session> s;
    {
        std::lock_guard lock(_mu);
        auto it = _by_pid.find(k.pid);
        if (it == _by_pid.end() || it->second.first != k.secret) return false;
        s = it->second.second.lock();
    }
    if (!s) return false;
    s->cancel();
    return true;
}

net::connection_factory make_pg_connection_factory(std::shared_ptr<sql::session_factory> sessions,
                                                   pg_options options) {
    auto state = std::make_shared<server_state>(std::move(sessions), options);
    return [state](net::stream s, net::connection_info info) -> std::shared_ptr<net::connection> {
        return std::make_shared<pg_connection>(state, std::move(s), std::move(info));
    };
}

}  // namespace spate::pgwire
