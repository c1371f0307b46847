#pragma once

// The HTTP listener's security from the broker configuration (the
// spate.http.* keys, config_keys_http.h): HTTPS with the ssl.keystore.*
// certificate (reloaded when its files change), mutual TLS with principals
// by ssl.principal.mapping.rules, HTTP Basic against the broker's stored
// users, and the registry's subject ACLs, all through one identity model
// over the local broker's credentials, authorizer and audit log.

#include <functional>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/kafka_service.h"
#include "http/auth.h"
#include "http/server.h"
#include "net/listener.h"

namespace spate::app {

// http::identity_model over a local broker's Kafka service, which must be
// started before the model is used and outlive it.
class broker_identity final : public http::identity_model {
  public:
    explicit broker_identity(broker::kafka_service& kafka) : _kafka(kafka) {}

    bool check_password(const std::string& user, std::string_view password) override;
    void audit_authentication(const net::connection_info& peer, std::string_view principal,
                              std::string_view mechanism, bool success,
                              std::string_view detail) override;
    bool authorize(const net::connection_info& who, security::acl_operation op,
                   security::resource_type type, std::string_view name,
                   std::string_view action) override;
    bool allowed(const net::connection_info& who, security::acl_operation op,
                 security::resource_type type, std::string_view name) override;

  private:
    broker::kafka_service& _kafka;
};

struct http_security {
    // Unset: plaintext HTTP.
    std::function<std::shared_ptr<boost::asio::ssl::context>()> tls_source;
    std::function<void(const net::connection_info&, const std::string&)> on_tls_failure;
    // Null without a local broker: no authentication or ACLs.
    std::shared_ptr<http::identity_model> identity;
    http::http_options options;  // auth, identity, certificate principals
};

// `kafka`: the local broker (nullptr with --bootstrap: then Basic
// authentication and client certificates are refused as errors, having no
// users to check against). Errors name the key.
result<http_security> make_http_security(const broker::broker_config& c,
                                         broker::kafka_service* kafka);

}  // namespace spate::app
