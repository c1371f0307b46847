// The first offsets of a stateful continuous query (dataflow.h), and what
// is left of one after DROP (continuous_query.h).

#include <filesystem>

#include "base/log.h"
#include "kafka/client/admin.h"
#include "sql/stream/dataflow.h"
#include "sql/stream/topic_cleanup.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

sql_error io_error(const std::string& what, const error& e) {
    return make_error(sql_errc::io_error, what + ": " + e.message);
}

}  // namespace

sql_status init_start_offsets(const query_spec& spec, int32_t source_partitions) {
    const input_spec& in = spec.inputs.front();
    if (in.start_earliest) return {};
    kc::consumer_options co;
    co.client = spec.client;
    co.group_id = spec.group_id;
    auto c = kc::consumer::create(co);
    if (!c.ok()) return io_error("consumer", c.err());
    std::vector<kc::topic_partition> parts;
    for (int32_t p = 0; p < source_partitions; ++p) {
        parts.push_back({in.topic, p});
        parts.push_back({repartition_topic(spec.query_id), p});
    }
    auto committed = c->committed(parts, spec.client.timeout_ms);
    if (!committed.ok()) return io_error("committed offsets", committed.err());
    for (const auto& o : committed.value())
        if (o.offset >= 0) return {};  // not the query's first start
    std::vector<kc::partition_offset> ends;
    for (int32_t p = 0; p < source_partitions; ++p) {
        auto wm = c->query_watermarks({in.topic, p}, spec.client.timeout_ms);
        if (!wm.ok()) return io_error("end of " + in.topic, wm.err());
        ends.push_back({in.topic, p, wm->high, {}});
    }
    // Fails when a member already joined (then it is not the first start).
    if (auto s = c->commit(ends); !s.ok())
        logging::get("sql").warn("query {}: start offsets of '{}' not committed: {}", spec.name,
                                 in.topic, s.err().message);
    c->close();
    return {};
}

}  // namespace spate::sql::detail

namespace spate::sql {

void delete_owned_topics(const kafka::client::client_config& client, std::string_view owner,
                         const std::vector<std::string>& topics) {
    auto& log = logging::get("sql");
    auto admin = kafka::client::admin::connect(client);
    if (!admin.ok()) {
        log.warn("{}: topics not deleted: {}", owner, admin.err().message);
        return;
    }
    for (const auto& topic : topics) {
        auto s = admin->delete_topic(topic);
        if (!s.ok() && s.err().code != errc::not_found)
            log.warn("{}: topic {} not deleted: {}", owner, topic, s.err().message);
    }
}

void discard_query_state(const query_spec& spec) {
    if (!spec.aggregate) return;
    auto& log = logging::get("sql");
    delete_owned_topics(spec.client, "query " + spec.name,
                        {repartition_topic(spec.query_id), changelog_topic(spec.query_id),
                         input_changelog_topic(spec.query_id)});
    std::error_code ec;
    std::filesystem::remove_all(spec.state_dir, ec);
    if (ec)
        log.warn("query {}: state directory {} not removed: {}", spec.name, spec.state_dir,
                 ec.message());
}

}  // namespace spate::sql
