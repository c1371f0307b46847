#include "coordinator/producer_ids.h"

#include <charconv>
#include <string>

#include "base/assert.h"
#include "storage/file.h"

namespace spate::coordinator {

namespace {

constexpr const char* k_prefix = "next_block=";

}  // namespace

result<std::unique_ptr<producer_id_allocator>> producer_id_allocator::open(
    std::filesystem::path file, int64_t block_size) {
    SPATE_ASSERT(block_size > 0);
    int64_t next_block = 0;
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        auto content = storage::read_small_file(file, 256);
        if (!content.ok()) return content.err();
        const std::string& s = *content;
        std::string prefix = k_prefix;
        if (s.rfind(prefix, 0) != 0 || s.size() < prefix.size() + 2 || s.back() != '\n')
            return make_error(errc::corrupt, file.string() + ": unreadable");
        const char* b = s.data() + prefix.size();
        const char* e = s.data() + s.size() - 1;
        auto [p, err] = std::from_chars(b, e, next_block);
        if (err != std::errc() || p != e || next_block < 0)
            return make_error(errc::corrupt, file.string() + ": bad block");
    }
    return std::unique_ptr<producer_id_allocator>(
        new producer_id_allocator(std::move(file), block_size, next_block));
}

result<model::producer_id> producer_id_allocator::next() {
    std::lock_guard lk(_mu);
    if (_next == _end) {
        int64_t end = _end + _block_size;
        SPATE_TRY(storage::write_file_atomic(_file, k_prefix + std::to_string(end) + "\n"));
        _end = end;
    }
    return model::producer_id(_next++);
}

}  // namespace spate::coordinator
