#include "broker/acl_log.h"

#include "base/log.h"
#include "model/records.h"
#include "security/acl_codec.h"

namespace spate::broker {

acl_log::acl_log(storage::log_manager& logs)
    : _topic(logs, k_acls_topic, {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}) {}

status acl_log::load_into(security::authorizer& a) {
    return _topic.replay_keyed(
        [&](std::string_view key, std::optional<std::string_view> value) -> status {
            auto pattern = security::decode_acl_key(key);
            if (!pattern.ok()) return pattern.err();
            if (!value) {
                a.set(*pattern, {});
                return {};
            }
            auto entries = security::decode_acl_entries(*pattern, *value);
            if (!entries.ok()) return entries.err();
            a.set(*pattern, std::move(*entries));
            return {};
        });
}

status acl_log::write(const std::vector<pattern_entries>& patterns) {
    if (patterns.empty()) return {};
    std::vector<coordinator::key_value> records;
    for (const auto& [pattern, entries] : patterns)
        records.emplace_back(
            coordinator::text_bytes(security::encode_acl_key(pattern)),
            entries.empty() ? std::nullopt
                            : std::optional<std::vector<std::byte>>(
                                  coordinator::text_bytes(security::encode_acl_entries(entries))));
    auto r = _topic.append(records);
    if (!r.ok()) return r.err();
    auto l = _topic.partition(false);
    if (!l.ok()) return l.err();
    if (!*l)
        return make_error(errc::io_error, std::string(k_acls_topic) + " vanished after an append");
    return (*l)->wait_durable(model::offset(r->last_offset.value() + 1));
}

}  // namespace spate::broker
