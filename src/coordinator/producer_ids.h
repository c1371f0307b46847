#pragma once

// Producer ids for InitProducerId, unique for the life of a data directory.
// Ids are handed out from blocks; the end of the current block is persisted
// (atomically, synced) before any id of the block is used, so a restart —
// clean or not — continues after every id ever handed out.
//
// File (docs/formats/data-dir.md): `producer-ids`, one line
// "next_block=<first id of the next block>\n".
//
// Threading: next() may be called from any thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "model/ids.h"

namespace spate::coordinator {

class producer_id_allocator {
  public:
    static constexpr int64_t k_default_block_size = 1000;

    // Opens (or starts) the allocator persisted in `file`. errc::corrupt
    // when the file exists but does not hold a valid line.
    static result<std::unique_ptr<producer_id_allocator>> open(
        std::filesystem::path file, int64_t block_size = k_default_block_size);

    // A fresh id; errc::io_error when a new block cannot be persisted.
    result<model::producer_id> next();

  private:
    producer_id_allocator(std::filesystem::path file, int64_t block_size, int64_t next_block)
        : _file(std::move(file)), _block_size(block_size), _next(next_block), _end(next_block) {}

    std::filesystem::path _file;
    int64_t _block_size;
    std::mutex _mu;
    int64_t _next;  // next id to hand out
    int64_t _end;   // end of the persisted block (exclusive)
};

}  // namespace spate::coordinator
