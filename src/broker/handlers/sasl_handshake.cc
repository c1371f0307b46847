// SaslHandshake (key 17), v0-v1: chooses the SASL mechanism of the
// connection's next exchange and lists the enabled ones. v0: the tokens that
// follow are raw frames (no SaslAuthenticate); v1: SaslAuthenticate carries
// them. On a listener without SASL, or while an exchange is under way:
// ILLEGAL_SASL_STATE; a mechanism not enabled: UNSUPPORTED_SASL_MECHANISM.
// A handshake on an authenticated connection starts re-authentication.

#include "broker/connection_auth.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/sasl_handshake_request.h"
#include "kafka/protocol/generated/sasl_handshake_response.h"

namespace spate::broker::handlers {

namespace sasl_handshake_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::sasl_handshake_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::sasl_handshake_response r;
    r.error_code = ctx.auth->handshake(req->mechanism, ctx.version());
    r.mechanisms = ctx.auth->mechanisms();
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace sasl_handshake_impl

const handler_spec sasl_handshake{proto::api_key::sasl_handshake, 0, 1,
                                  &sasl_handshake_impl::handle};

}  // namespace spate::broker::handlers
