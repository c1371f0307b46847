#pragma once

// The per-record checks Produce applies to one partition's batches before
// anything of them is appended, as Kafka's log validator does:
//   - compacted topics (cleanup.policy includes compact) refuse records
//     without a key;
//   - topics with confluent.{key,value}.schema.validation on check each
//     record's schema id (schema_validator.h).
// A refused record refuses the partition's batches: INVALID_RECORD with an
// error_message and record_errors (index among the partition's records,
// counting across batches, at most k_max_record_errors listed).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "broker/schema_validator.h"
#include "model/record_batch.h"
#include "storage/config.h"

namespace spate::broker {

// Not thread-safe; one per produce partition. `validator` may be null (no
// registry available; schema-validated records are then refused) and must
// outlive the checker.
class record_checker {
  public:
    record_checker(std::string_view topic, int32_t partition, const storage::topic_config& cfg,
                   schema_validator* validator);

    // Whether any record-level check applies (records must be decoded).
    static bool needed(const storage::topic_config& cfg);

    // Decodes every record of `batch` (decompressing into `scratch`) and
    // checks each. Errors: those of model::validate_records (the batch is
    // corrupt); a refused record is not an error (see refusal()).
    status check_batch(const model::record_batch_view& batch, std::vector<std::byte>& scratch);

    // nullopt when every record checked so far passed.
    std::optional<schema_refusal> refusal() const;

  private:
    void check(std::optional<std::span<const std::byte>> key,
               std::optional<std::span<const std::byte>> value);

    std::string _topic;
    std::string _partition_name;  // "<topic>-<partition>", as Kafka names it
    bool _compacted;
    std::optional<schema_id_checker> _schemas;
    int32_t _index = 0;
    int64_t _refused = 0;
    int64_t _keyless = 0;
    std::vector<record_error> _errors;
};

}  // namespace spate::broker
