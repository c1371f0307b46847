#include "model/record_batch.h"

#include <cstdint>
#include <string>

#include "bytes/crc32c.h"

namespace spate::model {

using namespace batch_layout;

result<size_t> record_batch_view::peek_size(std::span<const std::byte> data, size_t max_size) {
    if (data.size() < log_overhead) {
        return make_error(errc::out_of_range, "fewer bytes than a batch length prefix");
    }
    int32_t len = bytes::load_be<int32_t>(data.data() + batch_length);
    if (len < static_cast<int32_t>(header_size - log_overhead)) {
        return make_error(errc::corrupt,
                          "batch length " + std::to_string(len) + " below header size");
    }
    size_t total = static_cast<size_t>(len) + log_overhead;
    if (total > max_size) {
        return make_error(errc::too_large, "batch of " + std::to_string(total) +
                                               " bytes exceeds limit " + std::to_string(max_size));
    }
    return total;
}

// Validates the batch at the start of `data` and returns its total size.
static result<size_t> validate(std::span<const std::byte> data, bool check_crc) {
    auto size = record_batch_view::peek_size(data, data.size());
    if (!size.ok()) {
        if (size.err().code == errc::too_large) {
            return make_error(errc::out_of_range, "batch extends past the available bytes");
        }
        return size.err();
    }
    auto d = data.subspan(0, *size);
    if (static_cast<int8_t>(d[magic]) != k_magic_v2) {
        return make_error(errc::corrupt, "unsupported record batch magic " +
                                             std::to_string(static_cast<int>(d[magic])));
    }
    int32_t count = bytes::load_be<int32_t>(d.data() + records_count);
    int32_t delta = bytes::load_be<int32_t>(d.data() + last_offset_delta);
    if (count < 0 || delta < 0) {
        return make_error(errc::corrupt, "negative records count or last offset delta");
    }
    // Offset deltas are distinct values in [0, last_offset_delta].
    if (count > 0 && count - 1 > delta) {
        return make_error(errc::corrupt, "records count " + std::to_string(count) +
                                             " exceeds last offset delta " + std::to_string(delta) +
                                             " + 1");
    }
    int64_t base = bytes::load_be<int64_t>(d.data() + base_offset);
    if (base > INT64_MAX - delta) {
        return make_error(errc::corrupt, "base offset plus last offset delta overflows");
    }
    if (check_crc) {
        uint32_t stored = bytes::load_be<uint32_t>(d.data() + crc);
        uint32_t computed = bytes::crc32c(d.subspan(attributes));
        if (stored != computed) return make_error(errc::corrupt, "record batch CRC mismatch");
    }
    return *size;
}

result<record_batch_view> record_batch_view::parse(std::span<const std::byte> data) {
    auto size = validate(data, true);
    if (!size.ok()) return size.err();
    return record_batch_view(data.subspan(0, *size));
}

result<record_batch_view> record_batch_view::parse_unchecked_crc(std::span<const std::byte> data) {
    auto size = validate(data, false);
    if (!size.ok()) return size.err();
    return record_batch_view(data.subspan(0, *size));
}

uint32_t record_batch_view::compute_crc() const {
    return bytes::crc32c(_data.subspan(batch_layout::attributes));
}

void set_base_offset(std::span<std::byte> batch, model::offset o) {
    SPATE_ASSERT(batch.size() >= header_size);
    bytes::store_be<int64_t>(batch.data() + base_offset, o.value());
}

void set_partition_leader_epoch(std::span<std::byte> batch, int32_t epoch) {
    SPATE_ASSERT(batch.size() >= header_size);
    bytes::store_be<int32_t>(batch.data() + partition_leader_epoch, epoch);
}

void set_log_append_time(std::span<std::byte> batch, int64_t timestamp_ms) {
    SPATE_ASSERT(batch.size() >= header_size);
    int16_t attrs = bytes::load_be<int16_t>(batch.data() + attributes);
    bytes::store_be<int16_t>(batch.data() + attributes,
                             static_cast<int16_t>(attrs | batch_attr::timestamp_log_append));
    bytes::store_be<int64_t>(batch.data() + max_timestamp, timestamp_ms);
    bytes::store_be<uint32_t>(batch.data() + crc, bytes::crc32c(batch.subspan(attributes)));
}

}  // namespace spate::model
