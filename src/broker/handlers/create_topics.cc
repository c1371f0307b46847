// CreateTopics (key 19), v0-v7. num_partitions -1 → num.partitions;
// replication factor -1 or 1 (this is one node; others →
// INVALID_REPLICATION_FACTOR); manual assignments must name only this node
// (INVALID_REPLICA_ASSIGNMENT). Configs are validated (INVALID_CONFIG).
// validate_only checks without creating. Duplicate names in one request get
// INVALID_REQUEST. v5+ responses carry partitions, replication factor and
// the resulting configs; v7+ the topic id.

#include <map>

#include "broker/handlers/handler_util.h"
#include "broker/topic_configs.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"

namespace spate::broker::handlers {

namespace {

using resp = proto::create_topics_response;

void fail(resp::creatable_topic_result& out, error_code ec, std::string message) {
    out.error_code = code(ec);
    out.error_message = std::move(message);
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::create_topics_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    const int32_t node = b.cluster.config().node_id;
    std::map<std::string, int> seen;
    for (const auto& t : req->topics)
        ++seen[t.name];
    resp r;
    for (const auto& t : req->topics) {
        auto& out = r.topics.emplace_back();
        out.name = t.name;
        out.error_message = std::nullopt;
        out.configs = std::nullopt;
        if (seen[t.name] > 1) {
            fail(out, error_code::invalid_request, "topic named more than once in the request");
            continue;
        }
        if (!valid_topic_name(t.name)) {
            fail(out, error_code::invalid_topic_exception,
                 storage::validate_topic_name(t.name).err().message);
            continue;
        }
        if (b.topics.describe(t.name)) {
            fail(out, error_code::topic_already_exists, "topic '" + t.name + "' already exists");
            continue;
        }
        if (b.topics.is_internal(t.name)) {
            fail(out, error_code::invalid_request,
                 "'" + t.name + "' is an internal topic, created by the broker on first use");
            continue;
        }
        int32_t partitions = t.num_partitions;
        if (!t.assignments.empty()) {
            if (t.num_partitions != -1 || t.replication_factor != -1) {
                fail(out, error_code::invalid_request,
                     "assignments require num_partitions and replication_factor -1");
                continue;
            }
            bool ok = true;
            for (size_t i = 0; i < t.assignments.size(); ++i) {
                const auto& a = t.assignments[i];
                ok = ok && a.partition_index == static_cast<int32_t>(i) &&
                     a.broker_ids == std::vector<int32_t>{node};
            }
            if (!ok) {
                fail(out, error_code::invalid_replica_assignment,
                     "partitions must be 0..n-1, each assigned to node " + std::to_string(node));
                continue;
            }
            partitions = static_cast<int32_t>(t.assignments.size());
        } else {
            if (partitions == -1) partitions = b.cluster.config().num_partitions;
            if (partitions <= 0) {
                fail(out, error_code::invalid_partitions, "number of partitions must be positive");
                continue;
            }
            if (t.replication_factor != -1 && t.replication_factor != 1) {
                fail(out, error_code::invalid_replication_factor,
                     "replication factor must be 1 on a single node");
                continue;
            }
        }
        storage::config_map overrides;
        std::string bad;
        for (const auto& c : t.configs) {
            if (!c.value) continue;  // null: use the default
            auto s = storage::validate_topic_config(c.name, *c.value);
            if (!s.ok()) {
                bad = s.err().message;
                break;
            }
            overrides[c.name] = *c.value;
        }
        if (bad.empty()) {
            auto resolved = storage::topic_config::resolve(b.topics.broker_defaults(), overrides);
            if (!resolved.ok()) bad = resolved.err().message;
        }
        if (!bad.empty()) {
            fail(out, error_code::invalid_config, bad);
            continue;
        }
        if (!req->validate_only) {
            auto created = b.topics.create_topic(t.name, partitions, overrides);
            if (!created.ok()) {
                auto ec = created.err().code == errc::already_exists
                              ? error_code::topic_already_exists
                              : (created.err().code == errc::invalid_argument
                                     ? error_code::invalid_request
                                     : to_error_code(created.err()));
                fail(out, ec, created.err().message);
                continue;
            }
            out.topic_id = to_uuid(created->id);
        }
        out.num_partitions = partitions;
        out.replication_factor = 1;
        std::vector<resp::creatable_topic_configs> configs;
        for (const auto& c : describe_topic_configs(b.topics.broker_defaults(), overrides))
            configs.push_back({c.name, c.value, false, static_cast<int8_t>(c.source), false});
        out.configs = std::move(configs);
    }
    co_return respond(ctx, r);
}

}  // namespace

const handler_spec create_topics{
    proto::api_key::create_topics, 0, 7, &handle, proto::acl_operation::create,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
