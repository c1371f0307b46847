// SaslAuthenticate (key 36), v0-v2: one token of the exchange SaslHandshake
// v1 chose. Success: the server's token, and v1+ the session lifetime
// (connections.max.reauth.ms; 0: none). Failure (wrong password, unknown
// user, malformed token): after connection.failed.authentication.delay.ms
// (a timer on the connection's strand) SASL_AUTHENTICATION_FAILED with the
// same message whatever the reason, then the connection is closed. Without
// a handshake, or on a listener without SASL: ILLEGAL_SASL_STATE.

#include "broker/connection_auth.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/sasl_authenticate_request.h"
#include "kafka/protocol/generated/sasl_authenticate_response.h"

namespace spate::broker::handlers {

namespace sasl_authenticate_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::sasl_authenticate_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::sasl_authenticate_response r;
    connection_auth& auth = *ctx.auth;
    if (!auth.sasl()) {
        r.error_code = k_illegal_sasl_state;
        r.error_message = "SASL is not enabled on this listener";
        auto o = respond(ctx, r);
        o.close_after = true;
        co_return o;
    }
    const auto now = connection_auth::clock::now();
    std::string_view token(reinterpret_cast<const char*>(req->auth_bytes.data()),
                           req->auth_bytes.size());
    auto out = auth.step(token, now);
    if (!out.ok()) {
        boost::asio::steady_timer delay(ctx.executor,
                                        std::chrono::milliseconds(auth.failed_delay_ms()));
        boost::system::error_code ec;
        co_await delay.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        r.error_code = k_sasl_authentication_failed;
        r.error_message = out.err().message;
        auto o = respond(ctx, r);
        o.close_after = true;
        co_return o;
    }
    const auto* b = reinterpret_cast<const std::byte*>(out->data());
    r.auth_bytes.assign(b, b + out->size());
    if (auth.authenticated()) r.session_lifetime_ms = auth.session_lifetime_ms(now);
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace sasl_authenticate_impl

const handler_spec sasl_authenticate{proto::api_key::sasl_authenticate, 0, 2,
                                     &sasl_authenticate_impl::handle};

}  // namespace spate::broker::handlers
