#include "broker/acl_log.h"

#include "base/log.h"
#include "model/records.h"
#include "security/acl_codec.h"

namespace spate::broker {

namespace {

std::vector<std::byte> to_bytes(const std::string& s) {
    auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

std::string_view as_text(std::span<const std::byte> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

acl_log::acl_log(storage::log_manager& logs)
    : _topic(logs, k_acls_topic, {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}) {}

status acl_log::load_into(security::authorizer& a) {
    return _topic.replay([&](const model::record_batch_view& batch) -> status {
        if (batch.is_control()) return {};
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        status bad;
        SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
            if (!bad.ok()) return;
            if (!rec.key) {
                bad = make_error(errc::corrupt,
                                 std::string(k_acls_topic) + ": a record without a key");
                return;
            }
            auto pattern = security::decode_acl_key(as_text(*rec.key));
            if (!pattern.ok()) {
                bad = pattern.err();
                return;
            }
            if (!rec.value) {
                a.set(*pattern, {});
                return;
            }
            auto entries = security::decode_acl_entries(*pattern, as_text(*rec.value));
            if (!entries.ok()) {
                bad = entries.err();
                return;
            }
            a.set(*pattern, std::move(*entries));
        }));
        return bad;
    });
}

status acl_log::write(const std::vector<pattern_entries>& patterns) {
    if (patterns.empty()) return {};
    std::vector<coordinator::key_value> records;
    for (const auto& [pattern, entries] : patterns)
        records.emplace_back(to_bytes(security::encode_acl_key(pattern)),
                             entries.empty() ? std::nullopt
                                             : std::optional<std::vector<std::byte>>(to_bytes(
                                                   security::encode_acl_entries(entries))));
    auto r = _topic.append(records);
    if (!r.ok()) return r.err();
    auto l = _topic.partition(false);
    if (!l.ok()) return l.err();
    if (!*l)
        return make_error(errc::io_error, std::string(k_acls_topic) + " vanished after an append");
    return (*l)->wait_durable(model::offset(r->last_offset.value() + 1));
}

}  // namespace spate::broker
