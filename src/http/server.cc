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
    SPATE_ASSERT(_options.identity != nullptr ||
                 (_options.auth.method == authentication_method::none &&
                  _options.certificate_principals == nullptr));
}

server_state::~server_state() {
    _pool.join();
}

net::connection_factory make_http_connection_factory(std::shared_ptr<const router> routes,
                                                     http_options options) {
    auto state = std::make_shared<server_state>(std::move(routes), std::move(options));
    return [state](net::stream s, net::connection_info info) -> std::shared_ptr<net::connection> {
        bool certificate = false;
        const auto& o = state->options();
        if (o.certificate_principals) {
            if (auto dn = s.peer_certificate_subject()) {
                auto user = o.certificate_principals->map(*dn);
                if (!user.ok()) {
                    logging::get("security")
                        .warn("refusing {}:{} on {}: certificate subject '{}': {}",
                              info.peer_address, info.peer_port, info.listener, *dn,
                              user.err().message);
                    if (o.identity)
                        o.identity->audit_authentication(info, *dn, "mTLS", false,
                                                         user.err().message);
                    s.close();
                    return nullptr;
                }
                info.user = {"User", *user};
                certificate = true;
                logging::get("security")
                    .info("authenticated: listener {} peer {}:{} as User:{} (certificate)",
                          info.listener, info.peer_address, info.peer_port, *user);
                if (o.identity)
                    o.identity->audit_authentication(info, info.user.to_string(), "mTLS", true,
                                                     *dn);
            }
        }
        return std::make_shared<http_connection>(state, std::move(s), std::move(info), certificate);
    };
}

}  // namespace spate::http
