#include "broker/client_quotas.h"

#include "base/log.h"
#include "model/records.h"
#include "security/quota_codec.h"

namespace spate::broker {

client_quotas::client_quotas(storage::log_manager& logs, int64_t window_ms, int samples)
    : _topic(logs, k_quotas_topic, {{"cleanup.policy", "compact"}}), _manager(window_ms, samples) {}

status client_quotas::load() {
    return _topic.replay_keyed(
        [&](std::string_view key, std::optional<std::string_view> value) -> status {
            auto e = security::decode_quota_key(key);
            if (!e.ok()) return e.err();
            security::quota_values values;
            if (value) {
                auto v = security::decode_quota_values(*value);
                if (!v.ok()) return v.err();
                values = std::move(*v);
            }
            _manager.set_all(*e, values);
            return {};
        });
}

result<std::optional<storage::append_result>> client_quotas::alter(
    const security::quota_entity& e, bool validate_only,
    const std::function<status(security::quota_values&)>& edit) {
    std::lock_guard lock(_alter_mu);
    auto values = _manager.configured(e);
    SPATE_TRY(edit(values));
    if (validate_only) return std::optional<storage::append_result>();
    std::vector<coordinator::key_value> records;
    std::optional<std::vector<std::byte>> value;
    if (!values.empty()) value = coordinator::text_bytes(security::encode_quota_values(values));
    records.emplace_back(coordinator::text_bytes(security::encode_quota_key(e)), std::move(value));
    auto appended = _topic.append(records);
    if (!appended.ok()) return appended.err();
    _manager.set_all(e, values);
    return std::optional<storage::append_result>(*appended);
}

std::shared_ptr<storage::log> client_quotas::log() {
    auto l = _topic.partition(false);
    return l.ok() ? *l : nullptr;
}

}  // namespace spate::broker
