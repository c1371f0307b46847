// Confluent's message-index framing and the message an index path names.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "registry/protobuf/protobuf_internal.h"
#include "registry/protobuf/protobuf_schema.h"

namespace spate::registry {
namespace {

namespace gp = google::protobuf;

bool counted(const gp::Descriptor* d, message_index_view view) {
    if (view == message_index_view::descriptor) return true;
    return !d->options().map_entry() && !pb::is_group_body(d);
}

// The messages of a scope (the file when `parent` is null) in `view`.
std::vector<const gp::Descriptor*> scope_messages(const gp::FileDescriptor& file,
                                                  const gp::Descriptor* parent,
                                                  message_index_view view) {
    std::vector<const gp::Descriptor*> out;
    int count = parent == nullptr ? file.message_type_count() : parent->nested_type_count();
    for (int i = 0; i < count; ++i) {
        const gp::Descriptor* d = parent == nullptr ? file.message_type(i) : parent->nested_type(i);
        if (counted(d, view)) out.push_back(d);
    }
    return out;
}

std::string path_text(std::span<const int32_t> indexes) {
    std::string s = "[";
    for (size_t i = 0; i < indexes.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(indexes[i]);
    }
    return s + "]";
}

void put_varint(std::string& out, uint32_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void put_int(std::string& out, int32_t v, index_varint varint) {
    if (varint == index_varint::zigzag) {
        put_varint(out, (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
    } else {
        put_varint(out, static_cast<uint32_t>(v));
    }
}

// Reads a 32-bit varint at `pos`; false when truncated or longer than 5
// bytes / 32 bits.
bool get_varint(std::string_view bytes, size_t& pos, uint32_t& v) {
    v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= bytes.size()) return false;
        auto b = static_cast<uint8_t>(bytes[pos++]);
        if (shift == 28 && (b & 0xf0) != 0) return false;
        v |= static_cast<uint32_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

bool get_int(std::string_view bytes, size_t& pos, int32_t& v, index_varint varint) {
    uint32_t u = 0;
    if (!get_varint(bytes, pos, u)) return false;
    if (varint == index_varint::zigzag) {
        v = static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
    } else {
        v = static_cast<int32_t>(u);
    }
    return true;
}

}  // namespace

result<const gp::Descriptor*> protobuf_message_at(const gp::FileDescriptor& file,
                                                  std::span<const int32_t> indexes,
                                                  message_index_view view) {
    static const int32_t first[] = {0};
    if (indexes.empty()) indexes = first;
    const gp::Descriptor* current = nullptr;
    for (int32_t index : indexes) {
        auto messages = scope_messages(file, current, view);
        if (index < 0 || static_cast<size_t>(index) >= messages.size()) {
            return make_error(errc::not_found, "no message at index path " + path_text(indexes) +
                                                   " in " + file.name());
        }
        current = messages[static_cast<size_t>(index)];
    }
    return current;
}

result<std::vector<int32_t>> protobuf_message_indexes(const gp::Descriptor& message,
                                                      message_index_view view) {
    std::vector<int32_t> out;
    for (const gp::Descriptor* d = &message; d != nullptr; d = d->containing_type()) {
        auto messages = scope_messages(*d->file(), d->containing_type(), view);
        auto it = std::find(messages.begin(), messages.end(), d);
        if (it == messages.end()) {
            return make_error(errc::not_found, "message " + d->full_name() +
                                                   " has no index: it is a map entry or group");
        }
        out.push_back(static_cast<int32_t>(it - messages.begin()));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

void append_message_indexes(std::string& out, std::span<const int32_t> indexes,
                            index_varint varint) {
    if (indexes.empty() || (indexes.size() == 1 && indexes[0] == 0)) {
        out.push_back('\0');
        return;
    }
    put_int(out, static_cast<int32_t>(indexes.size()), varint);
    for (int32_t i : indexes)
        put_int(out, i, varint);
}

std::string encode_message_indexes(std::span<const int32_t> indexes, index_varint varint) {
    std::string out;
    append_message_indexes(out, indexes, varint);
    return out;
}

result<decoded_message_indexes> decode_message_indexes(std::string_view bytes,
                                                       index_varint varint) {
    size_t pos = 0;
    int32_t count = 0;
    if (!get_int(bytes, pos, count, varint)) {
        return make_error(errc::corrupt, "message indexes: truncated or invalid count varint");
    }
    decoded_message_indexes d;
    if (count == 0) {
        d.indexes = {0};
        d.size = pos;
        return d;
    }
    // Each index takes at least a byte: a larger count is corrupt (and must
    // not size an allocation).
    if (count < 0 || static_cast<size_t>(count) > bytes.size() - pos) {
        return make_error(errc::corrupt, "message indexes: invalid count " + std::to_string(count));
    }
    d.indexes.reserve(static_cast<size_t>(count));
    for (int32_t i = 0; i < count; ++i) {
        int32_t v = 0;
        if (!get_int(bytes, pos, v, varint)) {
            return make_error(errc::corrupt, "message indexes: truncated or invalid index varint");
        }
        d.indexes.push_back(v);
    }
    d.size = pos;
    return d;
}

}  // namespace spate::registry
