#pragma once

// State shared by every connection of one pgwire factory (internal).
//
// Threading: the registry is guarded by its mutex and used from any thread;
// the pool runs session calls.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <utility>

#include <boost/asio/thread_pool.hpp>

#include "pgwire/server.h"
#include "sql/engine/session.h"

namespace spate::pgwire {

struct backend_key {
    int32_t pid = 0;
    int32_t secret = 0;
    auto operator<=>(const backend_key&) const = default;
};

class server_state {
  public:
    server_state(std::shared_ptr<sql::session_factory> sessions, pg_options options);
    // Cancels every registered session, then joins the pool.
    ~server_state();

    sql::session_factory& sessions() { return *_sessions; }
    const pg_options& options() const { return _options; }
    boost::asio::thread_pool& pool() { return _pool; }

    // A fresh key (unique pid among live sessions) for `s`.
    backend_key register_session(const std::shared_ptr<sql::session>& s);
    void unregister_session(backend_key k);
    // Cancels the session of `k` if the key matches a live one; false otherwise.
    bool cancel(backend_key k);

  private:
    std::shared_ptr<sql::session_factory> _sessions;
    pg_options _options;
    boost::asio::thread_pool _pool;
    std::mutex _mu;
    std::map<int32_t, std::pair<int32_t, std::weak_ptr<sql::session>>> _by_pid;  // guarded by _mu
    std::mt19937 _rng;                                                           // guarded by _mu
};

}  // namespace spate::pgwire
