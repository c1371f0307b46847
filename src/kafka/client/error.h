#pragma once

// Kafka errors as spate errors. Every Kafka failure the client module returns
// is a `spate::error` whose message carries the Kafka error name
// ("[context: ]NAME[: detail]"); its `errc` is the closest internal category. Codes are
// Kafka's protocol error codes (>= -1) or librdkafka's local codes (< -1,
// names starting with '_'); no librdkafka type appears here.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace spate::kafka::client {

// Kafka's name of `code` ("TOPIC_ALREADY_EXISTS", "UNKNOWN_SERVER_ERROR"
// for -1, "_TIMED_OUT" for librdkafka's local timeout); "KAFKA_ERROR_<code>"
// for a code neither Kafka 3.x nor librdkafka 2.0 knows.
std::string error_name(int32_t code);

// The internal category of `code`: not_found, already_exists, timed_out,
// invalid_argument, unsupported, too_large, out_of_range, producer_fenced,
// out_of_order_sequence, io_error (transport and everything else).
errc error_category(int32_t code);

// "NAME" or "NAME: detail" with the category of `code`; `code` must not be 0.
error kafka_error(int32_t code, std::string_view detail = {});

}  // namespace spate::kafka::client
