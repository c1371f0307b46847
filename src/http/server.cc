#include "http/server.h"

#include "base/assert.h"
#include "base/log.h"
#include "http/connection.h"
#include "http/server_state.h"

namespace spate::http {

server_state::server_state(std::shared_ptr<const router> routes, http_options options)
    : _routes(std::move(routes))
    , _options(std::move(options))
    , _pool(_options.worker_threads == 0 ? 1 : _options.worker_threads) {
    SPATE_ASSERT(_routes != nullptr);
}

server_state::~server_state() {
    _pool.join();
}

net::connection_factory make_http_connection_factory(std::shared_ptr<const router> routes,
                                                     http_options options) {
    auto state = std::make_shared<server_state>(std::move(routes), std::move(options));
    return [state](net::stream s, net::connection_info info) -> std::shared_ptr<net::connection> {
        if (s.is_tls()) {
            logging::get("http").warn("refusing a TLS connection from {}: HTTP serves plaintext",
                                      info.peer_address);
            s.close();
            return nullptr;
        }
        return std::make_shared<http_connection>(
            state, boost::beast::tcp_stream(std::move(s.tcp())), std::move(info));
    };
}

}  // namespace spate::http
