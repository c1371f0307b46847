#include "broker/schema_validator.h"

#include "bytes/endian.h"
#include "model/records.h"

namespace spate::broker {

namespace {

constexpr std::byte k_magic_byte{0};
constexpr size_t k_header_size = 5;  // magic byte + 4-byte schema id

const char* side(bool is_key) {
    return is_key ? "key" : "value";
}

const char* strategy_name(storage::subject_name_strategy s) {
    switch (s) {
        case storage::subject_name_strategy::topic_name:
            return "TopicNameStrategy";
        case storage::subject_name_strategy::record_name:
            return "RecordNameStrategy";
        case storage::subject_name_strategy::topic_record_name:
            return "TopicRecordNameStrategy";
    }
    return "?";
}

}  // namespace

void schema_validator_slot::set(std::shared_ptr<schema_validator> v) {
    std::lock_guard lock(_mu);
    _validator = std::move(v);
}

std::shared_ptr<schema_validator> schema_validator_slot::get() const {
    std::lock_guard lock(_mu);
    return _validator;
}

std::string subject_name(storage::subject_name_strategy s, std::string_view topic, bool is_key,
                         std::string_view record_name) {
    switch (s) {
        case storage::subject_name_strategy::topic_name:
            return std::string(topic) + "-" + side(is_key);
        case storage::subject_name_strategy::record_name:
            return std::string(record_name);
        case storage::subject_name_strategy::topic_record_name:
            return std::string(topic) + "-" + std::string(record_name);
    }
    return {};
}

schema_id_checker::schema_id_checker(std::string_view topic,
                                     const storage::schema_validation_config& cfg,
                                     schema_validator* validator)
    : _topic(topic), _cfg(cfg), _validator(validator) {}

status schema_id_checker::check_batch(const model::record_batch_view& batch,
                                      std::vector<std::byte>& scratch) {
    auto reader = model::record_reader::create(batch, scratch);
    if (!reader.ok()) return reader.err();
    return reader->for_each([this](const model::record_view& r) { check(r.key, r.value); });
}

void schema_id_checker::check(std::optional<std::span<const std::byte>> key,
                              std::optional<std::span<const std::byte>> value) {
    std::optional<std::string> why = reason(key, value);
    if (why) {
        ++_refused;
        if (_errors.size() < k_max_record_errors) _errors.push_back({_index, std::move(*why)});
    }
    ++_index;
}

std::optional<std::string> schema_id_checker::reason(
    std::optional<std::span<const std::byte>> key,
    std::optional<std::span<const std::byte>> value) {
    std::optional<std::string> why;
    if (_cfg.key) why = check_one(true, key);
    if (!why && _cfg.value) why = check_one(false, value);
    return why;
}

std::optional<std::string> schema_id_checker::check_one(
    bool is_key, std::optional<std::span<const std::byte>> data) {
    const std::string what = side(is_key);
    if (!data) return what + " is null";
    if (data->size() < k_header_size || (*data)[0] != k_magic_byte)
        return what + " does not start with magic byte 0 and a 4-byte schema id";
    const auto id = bytes::load_be<int32_t>(data->data() + 1);
    auto& cache = is_key ? _key_cache : _value_cache;
    if (cache.last_id != id) {
        cache.last_id = id;
        cache.last_reason = check_id(is_key, id);
    }
    return cache.last_reason;
}

std::optional<std::string> schema_id_checker::check_id(bool is_key, int32_t id) {
    const std::string what = side(is_key);
    if (!_validator) return what + " schema validation is on but no schema registry is available";
    const std::string sid = "schema id " + std::to_string(id);
    if (!_validator->id_exists(id)) return what + " " + sid + " does not exist";
    const auto strategy = is_key ? _cfg.key_strategy : _cfg.value_strategy;
    std::string record_name;
    if (strategy != storage::subject_name_strategy::topic_name) {
        auto name = _validator->record_name_of(id);
        if (!name || name->empty())
            return what + " " + sid + " has no record name for " + strategy_name(strategy);
        record_name = std::move(*name);
    }
    auto subject = subject_name(strategy, _topic, is_key, record_name);
    if (!_validator->id_registered_under(id, subject))
        return what + " " + sid + " is not registered under subject " + subject;
    return std::nullopt;
}

std::optional<schema_refusal> schema_id_checker::refusal() const {
    if (_refused == 0) return std::nullopt;
    schema_refusal r;
    r.records = _errors;
    r.refused_records = _refused;
    r.message = std::to_string(_refused) + " of " + std::to_string(_index) + " records of topic " +
                _topic + " failed schema validation; record " +
                std::to_string(_errors.front().index) + ": " + _errors.front().message;
    return r;
}

}  // namespace spate::broker
