#include "broker/credential_log.h"

#include "model/records.h"

namespace spate::broker {

credential_log::credential_log(storage::log_manager& logs)
    : _topic(logs, k_credentials_topic, {{"cleanup.policy", "compact"}}) {}

status credential_log::load() {
    return _topic.replay_keyed(
        [&](std::string_view key, std::optional<std::string_view> value) -> status {
            return _store.apply(std::string(key), value);
        });
}

result<storage::append_result> credential_log::write(const std::string& user,
                                                     const security::user_credentials& creds) {
    std::vector<coordinator::key_value> records;
    std::optional<std::vector<std::byte>> value;
    if (!creds.empty()) value = coordinator::text_bytes(security::encode_user_credentials(creds));
    records.emplace_back(coordinator::text_bytes(user), std::move(value));
    return _topic.append(records);
}

std::shared_ptr<storage::log> credential_log::log() {
    auto l = _topic.partition(false);
    return l.ok() ? *l : nullptr;
}

}  // namespace spate::broker
