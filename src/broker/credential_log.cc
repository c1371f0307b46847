#include "broker/credential_log.h"

#include "model/records.h"

namespace spate::broker {

namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    return {b, b + s.size()};
}

std::string_view text_of(std::span<const std::byte> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

credential_log::credential_log(storage::log_manager& logs)
    : _topic(logs, k_credentials_topic, {{"cleanup.policy", "compact"}}) {}

status credential_log::load() {
    return _topic.replay([&](const model::record_batch_view& batch) -> status {
        if (batch.is_control()) return {};
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        status bad;
        SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
            if (!bad.ok() || !rec.key) return;
            std::optional<std::string_view> value;
            if (rec.value) value = text_of(*rec.value);
            auto s = _store.apply(std::string(text_of(*rec.key)), value);
            if (!s.ok())
                bad = make_error(errc::corrupt, std::string(k_credentials_topic) + " offset " +
                                                    std::to_string(batch.base_offset().value() +
                                                                   rec.offset_delta) +
                                                    ": " + s.err().message);
        }));
        return bad;
    });
}

result<storage::append_result> credential_log::write(const std::string& user,
                                                     const security::user_credentials& creds) {
    std::vector<coordinator::key_value> records;
    std::optional<std::vector<std::byte>> value;
    if (!creds.empty()) value = bytes_of(security::encode_user_credentials(creds));
    records.emplace_back(bytes_of(user), std::move(value));
    return _topic.append(records);
}

std::shared_ptr<storage::log> credential_log::log() {
    auto l = _topic.partition(false);
    return l.ok() ? *l : nullptr;
}

}  // namespace spate::broker
