#pragma once

// What decoding and encoding Confluent-framed Protobuf needs from a parsed
// PROTOBUF schema: its linked FileDescriptor, the message a Confluent
// message-index path names, and the message-index framing itself.
//
// Confluent's Protobuf wire format is: magic byte 0, a 4-byte big-endian
// schema id, the message indexes (below), then the message's protobuf
// encoding. The indexes say which message of the schema's file the payload
// is: the first index is the position among the file's top-level messages,
// each next one the position among the previous message's nested messages.
//
// Threading: everything here is pure or reads immutable descriptors; call
// from any thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/core/provider.h"

namespace google::protobuf {
class Descriptor;
class FileDescriptor;
}  // namespace google::protobuf

namespace spate::registry {

// The linked file of a PROTOBUF parsed schema (built in a DescriptorPool of
// its own, holding its references and the well-known google/protobuf files
// underneath); null when `s` is not a schema of this provider. The pointer
// lives as long as `s`.
const google::protobuf::FileDescriptor* protobuf_file(const parsed_schema& s);
// The same, sharing ownership of the parsed schema; null when `s` is null or
// not a PROTOBUF schema.
std::shared_ptr<const google::protobuf::FileDescriptor> protobuf_file(parsed_schema_ptr s);

// Which nested messages count when indexing.
//  - declared: the messages the .proto text declares, as Confluent's Java
//    clients count them on schema text (and as canonical() shows it):
//    synthesized map-entry messages and proto2 group bodies are skipped.
//  - descriptor: every nested type of the descriptor, map entries and groups
//    included, as confluent-kafka-python counts them (its serializer walks
//    `nested_types`). The two differ only for messages declared after a map
//    field or a group in the same parent.
enum class message_index_view { declared, descriptor };

// The message at `indexes` in `file`; empty indexes mean [0], the first
// message. errc::not_found when an index is negative or past the end.
result<const google::protobuf::Descriptor*> protobuf_message_at(
    const google::protobuf::FileDescriptor& file, std::span<const int32_t> indexes,
    message_index_view view = message_index_view::declared);

// The indexes of `message` within its file (the inverse of
// protobuf_message_at). errc::not_found when the message is not counted in
// `view` (a map entry or group body in the declared view).
result<std::vector<int32_t>> protobuf_message_indexes(
    const google::protobuf::Descriptor& message,
    message_index_view view = message_index_view::declared);

// How the framing writes each integer.
//  - zigzag: Confluent's format (Java's ByteUtils.writeVarint, librdkafka's
//    serdes, confluent-kafka-python >= 1.8): zigzag varints.
//  - unsigned_varint: confluent-kafka-python 1.7, which wrote plain unsigned
//    varints. The common path [0] is the single byte 0 in both.
enum class index_varint { zigzag, unsigned_varint };

// Appends the framing of `indexes`: the count then each index; [0] (and the
// empty list) is the single byte 0. Negative indexes are not valid input in
// unsigned_varint.
void append_message_indexes(std::string& out, std::span<const int32_t> indexes,
                            index_varint varint = index_varint::zigzag);
std::string encode_message_indexes(std::span<const int32_t> indexes,
                                   index_varint varint = index_varint::zigzag);

struct decoded_message_indexes {
    // [0] when the count was 0.
    std::vector<int32_t> indexes;
    // Bytes of the framing consumed; the message's encoding starts there.
    size_t size = 0;
};
// Reads the framing at the start of `bytes` (after the magic byte and id).
// errc::corrupt on a truncated or over-long varint, a negative count, or a
// count larger than the bytes that follow could hold.
result<decoded_message_indexes> decode_message_indexes(std::string_view bytes,
                                                       index_varint varint = index_varint::zigzag);

}  // namespace spate::registry
