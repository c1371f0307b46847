#include "kafka/protocol/frame.h"

#include "bytes/endian.h"
#include "kafka/protocol/generated/request_header.h"
#include "kafka/protocol/generated/response_header.h"

namespace spate::kafka::protocol {

namespace {

bool is_flexible(int16_t key, int16_t version) {
    const api_info* api = find_api(key);
    return api != nullptr && api->first_flexible_version >= 0 &&
           version >= api->first_flexible_version;
}

}  // namespace

result<size_t> frame_size(std::span<const std::byte> prefix, size_t max_frame) {
    SPATE_ASSERT(prefix.size() >= k_frame_size_prefix);
    const int32_t size = bytes::load_be<int32_t>(prefix.data());
    if (size < 0) {
        return make_error(errc::corrupt, "negative frame size " + std::to_string(size));
    }
    if (static_cast<size_t>(size) > max_frame) {
        return make_error(errc::too_large, "frame size " + std::to_string(size) +
                                               " exceeds the limit of " +
                                               std::to_string(max_frame));
    }
    return static_cast<size_t>(size);
}

int16_t request_header_version(int16_t key, int16_t version) {
    // ControlledShutdown v0 predates the client id.
    if (key == static_cast<int16_t>(api_key::controlled_shutdown) && version == 0) return 0;
    return is_flexible(key, version) ? 2 : 1;
}

int16_t response_header_version(int16_t key, int16_t version) {
    // Clients parse ApiVersions responses before they know the broker's
    // versions, so those never carry header tagged fields.
    if (key == static_cast<int16_t>(api_key::api_versions)) return 0;
    return is_flexible(key, version) ? 1 : 0;
}

result<request_header_info> parse_request_header(std::span<const std::byte> frame_body) {
    if (frame_body.size() < 4) {
        return make_error(errc::corrupt, "kafka protocol: request header truncated");
    }
    const auto key = bytes::load_be<int16_t>(frame_body.data());
    const auto version = bytes::load_be<int16_t>(frame_body.data() + 2);
    const int16_t header_version = request_header_version(key, version);
    reader r(frame_body);
    request_header h;
    SPATE_TRY(h.decode(r, header_version));
    request_header_info info;
    info.api_key = h.request_api_key;
    info.api_version = h.request_api_version;
    info.correlation_id = h.correlation_id;
    info.client_id = std::move(h.client_id);
    info.header_version = header_version;
    info.header_size = r.position();
    return info;
}

void write_request_header(writer& w, int16_t api_key, int16_t api_version, int32_t correlation_id,
                          const std::optional<std::string>& client_id) {
    request_header h;
    h.request_api_key = api_key;
    h.request_api_version = api_version;
    h.correlation_id = correlation_id;
    h.client_id = client_id;
    h.encode(w, request_header_version(api_key, api_version));
}

void write_response_header(writer& w, int16_t api_key, int16_t api_version,
                           int32_t correlation_id) {
    response_header h;
    h.correlation_id = correlation_id;
    h.encode(w, response_header_version(api_key, api_version));
}

result<response_header_info> parse_response_header(std::span<const std::byte> frame_body,
                                                   int16_t api_key, int16_t api_version) {
    reader r(frame_body);
    response_header h;
    SPATE_TRY(h.decode(r, response_header_version(api_key, api_version)));
    return response_header_info{h.correlation_id, r.position()};
}

}  // namespace spate::kafka::protocol
