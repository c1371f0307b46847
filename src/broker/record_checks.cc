#include "broker/record_checks.h"

#include "model/records.h"

namespace spate::broker {

namespace {

// How many record errors the summary message quotes.
constexpr size_t k_quoted_errors = 3;

}  // namespace

record_checker::record_checker(std::string_view topic, int32_t partition,
                               const storage::topic_config& cfg, schema_validator* validator)
    : _topic(topic)
    , _partition_name(std::string(topic) + "-" + std::to_string(partition))
    , _compacted(cfg.cleanup_compact) {
    if (cfg.schema_validation.enabled()) _schemas.emplace(topic, cfg.schema_validation, validator);
}

bool record_checker::needed(const storage::topic_config& cfg) {
    return cfg.cleanup_compact || cfg.schema_validation.enabled();
}

status record_checker::check_batch(const model::record_batch_view& batch,
                                   std::vector<std::byte>& scratch) {
    auto reader = model::record_reader::create(batch, scratch);
    if (!reader.ok()) return reader.err();
    return reader->for_each([this](const model::record_view& r) { check(r.key, r.value); });
}

void record_checker::check(std::optional<std::span<const std::byte>> key,
                           std::optional<std::span<const std::byte>> value) {
    std::optional<std::string> why;
    if (_compacted && !key) {
        // Kafka's wording: clients and operators match on it.
        why = "Compacted topic cannot accept message without key in topic partition " +
              _partition_name;
        ++_keyless;
    } else if (_schemas) {
        why = _schemas->reason(key, value);
    }
    if (why) {
        ++_refused;
        if (_errors.size() < k_max_record_errors) _errors.push_back({_index, std::move(*why)});
    }
    ++_index;
}

std::optional<schema_refusal> record_checker::refusal() const {
    if (_refused == 0) return std::nullopt;
    schema_refusal r;
    r.records = _errors;
    r.refused_records = _refused;
    if (_keyless > 0) {
        // Kafka's summary: the count and the first few errors.
        r.message = "One or more records have been rejected due to " + std::to_string(_refused) +
                    " record errors in total, and only showing the first three errors at most: [";
        for (size_t i = 0; i < _errors.size() && i < k_quoted_errors; ++i) {
            if (i > 0) r.message += ", ";
            r.message += "RecordError(batchIndex=" + std::to_string(_errors[i].index) +
                         ", message='" + _errors[i].message + "')";
        }
        r.message += "]";
    } else {
        r.message = std::to_string(_refused) + " of " + std::to_string(_index) +
                    " records of topic " + _topic + " failed schema validation; record " +
                    std::to_string(_errors.front().index) + ": " + _errors.front().message;
    }
    return r;
}

}  // namespace spate::broker
