#pragma once

// Helpers shared by the storage tests and the crash writer.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/record_batch.h"
#include "storage/config.h"
#include "storage/log.h"

namespace spate::storage::testing {

// A temporary directory removed (recursively) on destruction.
class temp_dir {
  public:
    temp_dir();
    ~temp_dir();
    const std::filesystem::path& path() const { return _path; }

  private:
    std::filesystem::path _path;
};

// A v2 batch of `count` records. Record i has key "k<seed>-<i>", a value of
// `value_size` bytes derived from (seed, i), and timestamp first_ts + i.
std::vector<std::byte> make_batch(int count, size_t value_size, int64_t first_ts, uint64_t seed = 0,
                                  model::compression c = model::compression::none);

// The value make_batch() puts in record `i` of the batch made with `seed`.
std::string expected_value(uint64_t seed, int i, size_t value_size);

// Topic config with the defaults and the given overrides; crashes if invalid.
topic_config config_with(const config_map& overrides = {});

struct stored_batch {
    model::offset base;
    model::offset last;
    int64_t max_timestamp;
    std::vector<std::byte> bytes;
};

// Reads every batch from `from` to the log end, checking CRCs (test failure otherwise).
std::vector<stored_batch> read_all(const log& l, model::offset from);

// The values of every record in `b`, in order.
std::vector<std::string> values_of(const stored_batch& b);

}  // namespace spate::storage::testing
