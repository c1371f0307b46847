#pragma once

// Broker-side schema id validation (Confluent Server semantics), applied by
// Produce to topics with confluent.key.schema.validation or
// confluent.value.schema.validation on. Each record key (value) must be
// non-null, start with magic byte 0 and a 4-byte big-endian schema id that
// exists and is registered (not soft-deleted) under the subject the topic's
// subject name strategy names:
//   TopicNameStrategy        <topic>-key / <topic>-value
//   RecordNameStrategy       the schema's record name
//   TopicRecordNameStrategy  <topic>-<record name>
// Otherwise the whole partition's batches are refused with INVALID_RECORD.
//
// The broker cannot see the registry (a higher layer): it asks a
// schema_validator, which the app implements over the registry's in-memory
// state and installs in the broker's schema_validator_slot.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/record_batch.h"
#include "storage/config.h"

namespace spate::broker {

// What validation asks of a schema registry (default context). Called on the
// produce path from any I/O thread: implementations must be thread-safe and
// must not block (answer from memory).
class schema_validator {
  public:
    virtual ~schema_validator() = default;

    // Whether schema `id` exists at all.
    virtual bool id_exists(int32_t id) = 0;
    // Whether `id` is a live (not deleted) version of `subject`.
    virtual bool id_registered_under(int32_t id, std::string_view subject) = 0;
    // The fully qualified record name of schema `id` (Avro record, Protobuf
    // message, JSON Schema title), if it has one.
    virtual std::optional<std::string> record_name_of(int32_t id) = 0;
};

// The validator the broker's Produce uses; empty until the app installs one
// (validated topics are then refused, saying no registry is available).
// Thread-safe; get() hands out shared ownership, so set() may replace or
// clear the validator while produce requests are using the old one.
class schema_validator_slot {
  public:
    void set(std::shared_ptr<schema_validator> v);
    std::shared_ptr<schema_validator> get() const;

  private:
    mutable std::mutex _mu;
    std::shared_ptr<schema_validator> _validator;
};

// The subject a key (value) of `topic` framed with a schema named
// `record_name` must be registered under (record_name is unused by
// TopicNameStrategy).
std::string subject_name(storage::subject_name_strategy s, std::string_view topic, bool is_key,
                         std::string_view record_name);

// One refused record: its index among the partition's records (in batch
// order, counting across batches) and why.
struct record_error {
    int32_t index = 0;
    std::string message;
};

// Why a partition's batches were refused.
struct schema_refusal {
    std::string message;                // for the response's error_message
    std::vector<record_error> records;  // at most k_max_record_errors
    int64_t refused_records = 0;        // every refused record, listed or not
};

// Cap on the record errors one response lists.
inline constexpr size_t k_max_record_errors = 100;

// Checks the keys and values of one partition's record batches against the
// topic's validation config. Reuses the reader's scratch buffer to decompress.
// The outcome for the last id seen (per key and value) is remembered, so
// records sharing a schema id cost one round of registry lookups.
// Not thread-safe; one checker per produce partition.
class schema_id_checker {
  public:
    // `validator` may be null (no registry available): every record of a
    // validated kind is then refused.
    schema_id_checker(std::string_view topic, const storage::schema_validation_config& cfg,
                      schema_validator* validator);

    // Decodes every record of `batch` (decompressing into `scratch`) and
    // checks each. Errors: those of model::validate_records (the batch is
    // corrupt); a refused record is not an error (see refusal()).
    status check_batch(const model::record_batch_view& batch, std::vector<std::byte>& scratch);

    // Checks one record's key and value; records the reason when refused.
    void check(std::optional<std::span<const std::byte>> key,
               std::optional<std::span<const std::byte>> value);

    // Why one record's key or value is refused (nullopt: accepted), without
    // counting it: for callers that keep their own record errors.
    std::optional<std::string> reason(std::optional<std::span<const std::byte>> key,
                                      std::optional<std::span<const std::byte>> value);

    // nullopt when every record checked so far passed.
    std::optional<schema_refusal> refusal() const;

  private:
    struct side_cache {
        std::optional<int32_t> last_id;          // the last id checked
        std::optional<std::string> last_reason;  // its outcome (nullopt: accepted)
    };

    // nullopt: accepted; otherwise why not.
    std::optional<std::string> check_one(bool is_key,
                                         std::optional<std::span<const std::byte>> data);
    std::optional<std::string> check_id(bool is_key, int32_t id);

    std::string _topic;
    storage::schema_validation_config _cfg;
    schema_validator* _validator;
    side_cache _key_cache;
    side_cache _value_cache;
    int32_t _index = 0;
    int64_t _refused = 0;
    std::vector<record_error> _errors;
};

}  // namespace spate::broker
