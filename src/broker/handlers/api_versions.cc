// ApiVersions (key 18), v0-v3. v3 requests are flexible and carry the
// client's software name/version (accepted, unused). Versions outside the
// range are answered by the connection with UNSUPPORTED_VERSION and a v0 body
// (KIP-511). The response always uses response header v0.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"

namespace spate::broker::handlers {

namespace api_versions_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::api_versions_request>(ctx);
    proto::api_versions_response r;
    if (!req.ok()) {
        // Kafka answers a malformed ApiVersions with INVALID_REQUEST.
        r.error_code = code(error_code::invalid_request);
        co_return respond(ctx, r);
    }
    for (const auto& h : kafka_handlers())
        r.api_keys.push_back({static_cast<int16_t>(h.key), h.min_version, h.max_version});
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace api_versions_impl

const handler_spec api_versions{
    proto::api_key::api_versions, 0, 3, &api_versions_impl::handle, proto::acl_operation::unknown,
    proto::resource_type::unknown};

}  // namespace spate::broker::handlers
