#include "broker/config_keys_encryption.h"
#include "broker/config_text.h"

#include <algorithm>
#include <cstdlib>

namespace spate::broker {

namespace {

broker_key text(const std::string& name, std::string encryption_settings::*field,
                const std::string& range, const std::string& doc) {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        c.encryption.*field = v;
        return {};
    };
    auto value = [=](const broker_config& c) { return c.encryption.*field; };
    return {name, config_kind::string, range, doc, false, "", apply, value, in_file(name)};
}

}  // namespace

std::vector<broker_key> encryption_settings_keys() {
    auto list = text("spate.encryption.internal.topics", &encryption_settings::encrypted_topics,
                     "topic names",
                     "Topics created with spate.encryption=true when encryption keys are "
                     "configured (internal topics holding credentials), comma-separated.");
    list.kind = config_kind::list;
    return {
        text("spate.encryption.key.file", &encryption_settings::key_file, "a file",
             "Encryption-at-rest keys: one per line, 64 hex digits, optionally 'ID:' before; "
             "the last encrypts new data, all decrypt. Unset: SPATE_ENCRYPTION_KEY, if set."),
        std::move(list),
    };
}

result<std::shared_ptr<const storage::key_ring>> load_encryption_keys(const broker_config& c) {
    const char* env = std::getenv(k_encryption_key_env);
    const bool from_env = env && *env;
    std::shared_ptr<const storage::key_ring> ring;
    if (!c.encryption.key_file.empty() && from_env)
        return make_error(errc::invalid_argument,
                          std::string("both spate.encryption.key.file and ") +
                              k_encryption_key_env + " are set: set one");
    if (!c.encryption.key_file.empty()) {
        auto r = storage::key_ring::load(c.encryption.key_file);
        if (!r.ok())
            return make_error(errc::invalid_argument,
                              "spate.encryption.key.file: " + r.err().message);
        ring = std::make_shared<const storage::key_ring>(std::move(*r));
    } else if (from_env) {
        std::string lines(env);
        std::replace(lines.begin(), lines.end(), ',', '\n');
        auto r = storage::key_ring::parse(lines);
        if (!r.ok())
            return make_error(errc::invalid_argument,
                              std::string(k_encryption_key_env) + ": " + r.err().message);
        ring = std::make_shared<const storage::key_ring>(std::move(*r));
    }
    auto d = c.topic_defaults.find(storage::k_encryption_config);
    if (!ring && d != c.topic_defaults.end() && d->second == "true")
        return make_error(errc::invalid_argument,
                          std::string("spate.log.encryption=true needs encryption keys "
                                      "(spate.encryption.key.file or ") +
                              k_encryption_key_env + ")");
    return ring;
}

}  // namespace spate::broker
