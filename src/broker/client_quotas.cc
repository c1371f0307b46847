#include "broker/client_quotas.h"

#include "base/log.h"
#include "model/records.h"
#include "security/quota_codec.h"

namespace spate::broker {

namespace {

std::vector<std::byte> quota_bytes(const std::string& s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    return {b, b + s.size()};
}

std::string_view quota_text(std::span<const std::byte> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

client_quotas::client_quotas(storage::log_manager& logs, int64_t window_ms, int samples)
    : _topic(logs, k_quotas_topic, {{"cleanup.policy", "compact"}}), _manager(window_ms, samples) {}

status client_quotas::load() {
    return _topic.replay([&](const model::record_batch_view& batch) -> status {
        if (batch.is_control()) return {};
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        status bad;
        SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
            if (!bad.ok()) return;
            if (!rec.key) {
                bad = make_error(errc::corrupt,
                                 std::string(k_quotas_topic) + ": a record without a key");
                return;
            }
            auto e = security::decode_quota_key(quota_text(*rec.key));
            if (!e.ok()) {
                bad = e.err();
                return;
            }
            security::quota_values values;
            if (rec.value) {
                auto v = security::decode_quota_values(quota_text(*rec.value));
                if (!v.ok()) {
                    bad = v.err();
                    return;
                }
                values = std::move(*v);
            }
            _manager.set_all(*e, values);
        }));
        return bad;
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
    if (!values.empty()) value = quota_bytes(security::encode_quota_values(values));
    records.emplace_back(quota_bytes(security::encode_quota_key(e)), std::move(value));
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
