#pragma once

// Kafka framing. Every request and response on the wire is
//
//   [int32 size][header][body]
//
// where `size` counts the bytes after itself. Request headers are v0 (api key,
// version, correlation id), v1 (+ nullable client id) or v2 (+ tagged fields);
// response headers are v0 (correlation id) or v1 (+ tagged fields). Which one
// applies follows from the API and its version (request_header_version,
// response_header_version).
//
// A broker reads 4 bytes, calls frame_size, reads that many bytes (the frame
// body), calls parse_request_header on them, decodes the rest with
// decode_message<X_request>(body.subspan(header_size), api_version), and
// answers with append_response_frame.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/generated/api_keys.h"
#include "kafka/protocol/wire.h"

namespace spate::kafka::protocol {

inline constexpr size_t k_frame_size_prefix = 4;

// The body size announced by the size prefix at the start of `prefix`, which
// must hold at least k_frame_size_prefix bytes. errc::corrupt for a negative
// size, errc::too_large for a size above `max_frame`.
result<size_t> frame_size(std::span<const std::byte> prefix, size_t max_frame);

// Header versions for an API key and version as they appear on the wire.
// Versions above an API's maximum keep its flexible/non-flexible rule, so a
// too-new request's header still parses (clients probe with ApiVersions this
// way); unknown API keys get request header v1 / response header v0.
// ApiVersions responses always use response header v0.
int16_t request_header_version(int16_t key, int16_t version);
int16_t response_header_version(int16_t key, int16_t version);

struct request_header_info {
    int16_t api_key = 0;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;
    int16_t header_version = 0;
    // Bytes of `frame_body` taken by the header; the request body follows.
    size_t header_size = 0;
};

// Parses the request header at the start of a frame body (the bytes after the
// size prefix). Succeeds for API keys and versions this codec does not
// implement, as far as the header can be read, so the broker can still answer
// with an error carrying the correlation id. errc::corrupt if malformed.
result<request_header_info> parse_request_header(std::span<const std::byte> frame_body);

void write_request_header(writer& w, int16_t api_key, int16_t api_version, int32_t correlation_id,
                          const std::optional<std::string>& client_id);
void write_response_header(writer& w, int16_t api_key, int16_t api_version, int32_t correlation_id);

struct response_header_info {
    int32_t correlation_id = 0;
    size_t header_size = 0;
};

// Parses the response header at the start of a response frame body, for a
// request of `api_key`/`api_version`.
result<response_header_info> parse_response_header(std::span<const std::byte> frame_body,
                                                   int16_t api_key, int16_t api_version);

// Appends a whole response frame (size prefix, header, body) to `out`.
// `api_version` must be valid for Response.
template <typename Response>
void append_response_frame(std::vector<std::byte>& out, int32_t correlation_id, int16_t api_version,
                           const Response& body) {
    writer w(out);
    const size_t mark = w.begin_size_prefix();
    write_response_header(w, static_cast<int16_t>(Response::k_api_key), api_version,
                          correlation_id);
    body.encode(w, api_version);
    w.end_size_prefix(mark);
}

// Appends a whole request frame (size prefix, header, body) to `out`.
// `api_version` must be valid for Request.
template <typename Request>
void append_request_frame(std::vector<std::byte>& out, int32_t correlation_id,
                          const std::optional<std::string>& client_id, int16_t api_version,
                          const Request& body) {
    writer w(out);
    const size_t mark = w.begin_size_prefix();
    write_request_header(w, static_cast<int16_t>(Request::k_api_key), api_version, correlation_id,
                         client_id);
    body.encode(w, api_version);
    w.end_size_prefix(mark);
}

}  // namespace spate::kafka::protocol
