// DescribeLogDirs (key 35), v0-v4: the one data directory, with the size of
// every requested partition (null topics: all). v4 adds the file system's
// total and usable bytes.

#include <filesystem>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_log_dirs_request.h"
#include "kafka/protocol/generated/describe_log_dirs_response.h"

namespace spate::broker::handlers {

namespace describe_log_dirs_impl {
namespace {

using resp = proto::describe_log_dirs_response;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_log_dirs_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    resp r;
    // DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (v3+; older
    // versions have no error field and answer no directory).
    if (!authorize_cluster(ctx, proto::acl_operation::describe)) {
        r.error_code = code(error_code::cluster_authorization_failed);
        co_return respond(ctx, r);
    }
    auto& dir = r.results.emplace_back();
    std::error_code fec;
    dir.log_dir =
        std::filesystem::absolute(b.cluster.config().data_dir, fec).lexically_normal().string();
    auto space = std::filesystem::space(b.cluster.config().data_dir, fec);
    if (!fec) {
        dir.total_bytes = static_cast<int64_t>(space.capacity);
        dir.usable_bytes = static_cast<int64_t>(space.available);
    }
    auto add = [&](const std::string& topic, const std::vector<int32_t>& parts) {
        resp::describe_log_dirs_topic t;
        t.name = topic;
        for (int32_t p : parts) {
            auto log = b.topics.get(topic, p);
            if (!log) continue;
            t.partitions.push_back({p, static_cast<int64_t>(log->size_bytes()), 0, false});
        }
        if (!t.partitions.empty()) dir.topics.push_back(std::move(t));
    };
    if (!req->topics) {
        for (const auto& t : b.topics.list_topics()) {
            std::vector<int32_t> parts;
            for (int32_t p = 0; p < t.partitions; ++p)
                parts.push_back(p);
            add(t.name, parts);
        }
    } else {
        for (const auto& t : *req->topics)
            add(t.topic, t.partitions);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_log_dirs_impl

const handler_spec describe_log_dirs{proto::api_key::describe_log_dirs,
                                     0,
                                     4,
                                     &describe_log_dirs_impl::handle,
                                     proto::acl_operation::describe,
                                     proto::resource_type::cluster};

}  // namespace spate::broker::handlers
