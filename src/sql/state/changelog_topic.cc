#include <string>

#include "base/log.h"
#include "kafka/client/admin.h"
#include "sql/state/task_state.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

constexpr const char* k_changelog_segment_bytes = "67108864";
// One state value per record: a group's value (e.g. count(DISTINCT) over
// many values) may pass the broker's 1 MB default.
constexpr const char* k_changelog_max_message_bytes = "33554432";

sql_error changelog_error(const std::string& topic, const std::string& what, const error& e) {
    return make_error(sql_errc::io_error,
                      "state: " + what + " of changelog topic " + topic + ": " + e.message);
}

// An existing changelog must be compacted: under delete retention its old
// records, and with them the state they carry, would go.
sql_status check_compacted(kc::admin& admin, const std::string& topic) {
    auto cfg = admin.describe_configs(kc::resource_type::topic, topic);
    if (!cfg.ok()) return changelog_error(topic, "configs", cfg.err());
    for (const auto& e : *cfg) {
        if (e.name != "cleanup.policy") continue;
        if (e.value && e.value->find("compact") != std::string::npos) return {};
        return make_error(sql_errc::invalid_parameter_value,
                          "state: changelog topic " + topic +
                              " exists with cleanup.policy=" + e.value.value_or("") +
                              "; it must be compacted (alter it to cleanup.policy=compact or "
                              "delete it)");
    }
    return {};  // a broker that does not report the policy is trusted
}

}  // namespace

sql_status task_state::ensure_changelog_topic(const kc::client_config& c, const std::string& topic,
                                              int32_t partitions) {
    if (partitions <= 0)
        return make_error(sql_errc::invalid_parameter_value,
                          "state: changelog topic " + topic + " needs at least one partition");
    auto admin = kc::admin::connect(c);
    if (!admin.ok()) return changelog_error(topic, "admin client", admin.err());
    auto md = admin->topic(topic);
    if (!md.ok() && md.err().code != errc::not_found)
        return changelog_error(topic, "metadata", md.err());
    if (!md.ok()) {
        // Replication -1: the cluster's default (1 on a single Spate node).
        kc::new_topic t{topic,
                        partitions,
                        -1,
                        {{"cleanup.policy", "compact"},
                         {"segment.bytes", k_changelog_segment_bytes},
                         {"max.message.bytes", k_changelog_max_message_bytes}}};
        auto s = admin->create_topic(t);
        if (s.ok()) return {};
        if (s.err().code != errc::already_exists)
            return changelog_error(topic, "creation", s.err());
        md = admin->topic(topic);  // a concurrent creator won
        if (!md.ok()) return changelog_error(topic, "metadata", md.err());
    }
    if (auto s = check_compacted(*admin, topic); !s.ok()) return s;
    auto have = static_cast<int32_t>(md->partitions.size());
    if (have >= partitions) return {};
    logging::get("sql").info("state: growing changelog topic {} from {} to {} partitions", topic,
                             have, partitions);
    if (auto s = admin->create_partitions(topic, partitions); !s.ok())
        return changelog_error(topic, "partition growth", s.err());
    return {};
}

}  // namespace spate::sql
