#pragma once

// What every connection of one HTTP factory shares (internal): the routes,
// the options and the worker pool running handlers.

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "http/router.h"
#include "http/server.h"

namespace spate::http {

class server_state {
  public:
    server_state(std::shared_ptr<const router> routes, http_options options);
    // Joins the pool (waits for running handlers).
    ~server_state();

    const router& routes() const { return *_routes; }
    const http_options& options() const { return _options; }
    boost::asio::thread_pool& pool() { return _pool; }

  private:
    std::shared_ptr<const router> _routes;
    http_options _options;
    boost::asio::thread_pool _pool;
};

}  // namespace spate::http
