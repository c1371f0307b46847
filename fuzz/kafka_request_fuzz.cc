// libFuzzer target: the Kafka request decoder as the broker runs it on a
// frame body (the bytes after the size prefix): the request header, then the
// body of every API the broker serves (served_apis.h, from its handler
// table), at the version the header names, with the broker's lenient
// decode_request_body; JoinGroup's consumer-protocol metadata as the group
// coordinator reads it; Produce's records as the Produce handler checks them
// (legacy message sets up-converted, every v2 batch parsed and its records
// decoded, decompressing gzip, snappy, lz4 and zstd). A batch's CRC32C is
// recomputed before the parse: a client can always send a matching one, and
// the fuzzer could not, which would stop it at the CRC check.
//
// Besides "no crash, no sanitizer report", a body that decodes must
// re-encode to bytes that decode again and re-encode identically (the
// codecs agree with themselves on everything they accept).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "base/log.h"
#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/consumer_protocol_subscription.h"
#include "kafka/protocol/message.h"
#include "model/legacy_message_set.h"
#include "model/record_batch.h"
#include "model/record_layout.h"
#include "model/records.h"
#include "served_apis.h"

namespace {

namespace proto = spate::kafka::protocol;
using spate::errc;

[[noreturn]] void fail(const char* what, int16_t key, int16_t version) {
    std::fprintf(stderr, "kafka_request_fuzz: %s (api key %d, version %d)\n", what, key, version);
    std::abort();
}

template <typename Message>
void check_reencoding(const Message& m, int16_t version, int16_t key) {
    const auto bytes = proto::encode_message(m, version);
    auto again = proto::decode_message<Message>(bytes, version);
    if (!again.ok()) fail("a decoded message does not decode after re-encoding", key, version);
    if (proto::encode_message(*again, version) != bytes)
        fail("a decoded message re-encodes differently the second time", key, version);
}

// As membership.cc: an int16 version, then the subscription at
// min(version, the highest known).
void decode_subscription(std::span<const std::byte> metadata) {
    proto::reader r(metadata);
    const int16_t version = r.read_int16();
    if (!r.ok() || version < 0) return;
    proto::consumer_protocol_subscription sub;
    const auto known = std::min(version, proto::consumer_protocol_subscription::k_max_version);
    if (sub.decode(r, known).ok()) check_reencoding(sub, known, -1);
}

// As the Produce handler: the first version whose records are v2 batches.
constexpr int16_t k_first_v2_records_version = 3;

void check_batches(std::span<std::byte> data, std::vector<std::byte>& scratch) {
    namespace layout = spate::model::batch_layout;
    for (size_t at = 0; at < data.size();) {
        const auto rest = data.subspan(at);
        auto size = spate::model::record_batch_view::peek_size(rest, SIZE_MAX);
        if (!size.ok() || *size > rest.size()) return;
        const auto batch = rest.first(*size);
        if (batch.size() > layout::attributes)
            spate::bytes::store_be<uint32_t>(
                batch.data() + layout::crc,
                spate::bytes::crc32c(batch.subspan(layout::attributes)));
        auto view = spate::model::record_batch_view::parse(batch);
        if (!view.ok() || view->size_bytes() != *size) return;
        const bool plain = view->compression_type() == spate::model::compression::none;
        if (plain && !spate::model::check_uncompressed_records(*view).ok()) return;
        // Every record's fields, as the record-level checks read them.
        auto reader = spate::model::record_reader::create(*view, scratch);
        if (!reader.ok()) return;
        size_t bytes = 0;
        const auto st = reader->for_each([&bytes](const spate::model::record_view& r) {
            bytes += r.key ? r.key->size() : 0;
            bytes += r.value ? r.value->size() : 0;
            r.for_each_header([&bytes](const spate::model::record_header& h) {
                bytes += h.key.size() + (h.value ? h.value->size() : 0);
            });
        });
        if (!st.ok()) return;
        spate::model::set_partition_leader_epoch(batch, 0);
        at += *size;
    }
}

void inspect(const proto::produce_request& m, int16_t version) {
    std::vector<std::byte> data, scratch;
    for (const auto& t : m.topic_data)
        for (const auto& p : t.partition_data) {
            if (!p.records || p.records->empty()) continue;
            if (version < k_first_v2_records_version) {
                data.clear();
                if (!spate::model::up_convert_legacy_message_set(*p.records, data, scratch).ok())
                    continue;
            } else {
                data.assign(p.records->begin(), p.records->end());
            }
            check_batches(data, scratch);
        }
}

void inspect(const proto::join_group_request& m, int16_t) {
    for (const auto& p : m.protocols)
        decode_subscription(p.metadata);
}
template <typename Request>
void inspect(const Request&, int16_t) {}

template <typename Request>
void decode_body(std::span<const std::byte> body, int16_t version) {
    auto m = proto::decode_request_body<Request>(body, version);
    const auto key = static_cast<int16_t>(Request::k_api_key);
    if (!m.ok()) {
        const errc c = m.err().code;
        if (c != errc::corrupt && c != errc::unsupported)
            fail("unexpected error code", key, version);
        return;
    }
    check_reencoding(*m, version, key);
    inspect(*m, version);
}

void decode_request(std::span<const std::byte> frame) {
    auto header = proto::parse_request_header(frame);
    if (!header.ok()) return;
    if (header->header_size > frame.size())
        fail("header longer than the frame", header->api_key, 0);
    const auto body = frame.subspan(header->header_size);
    const int16_t v = header->api_version;
    switch (static_cast<proto::api_key>(header->api_key)) {
#define SPATE_FUZZ_SERVED_API(name)                  \
    case proto::api_key::name:                       \
        decode_body<proto::name##_request>(body, v); \
        break;
        SPATE_FUZZ_SERVED_APIS
#undef SPATE_FUZZ_SERVED_API
        default:
            break;  // not served: the broker closes the connection
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)spate::logging::configure("off", spate::logging::format::text);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    // The size prefix the broker reads first (bounded as socket.request.max.bytes).
    if (in.size() >= proto::k_frame_size_prefix) (void)proto::frame_size(in, 100 * 1024 * 1024);
    decode_request(in);
    return 0;
}
