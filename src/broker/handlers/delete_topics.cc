// DeleteTopics (key 20), v0-v6. v0-v5 by name; v6 by name or by topic id.
// Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/delete_topics_request.h"
#include "kafka/protocol/generated/delete_topics_response.h"

namespace spate::broker::handlers {

namespace delete_topics_impl {
namespace {

using resp = proto::delete_topics_response;

void delete_one(request_context& ctx, const std::string& name, resp::deletable_topic_result& out) {
    handler_deps& b = ctx.svc;
    out.name = name;
    if (!authorize_topic(ctx, proto::acl_operation::del, name)) {
        out.error_code = code(error_code::topic_authorization_failed);
        return;
    }
    auto t = b.topics.describe(name);
    if (!t) {
        out.error_code = code(error_code::unknown_topic_or_partition);
        return;
    }
    out.topic_id = to_uuid(t->id);
    if (b.topics.is_internal(name)) {
        out.error_code = code(error_code::invalid_topic_exception);
        out.error_message = "internal topic " + name + " cannot be deleted";
        return;
    }
    if (!admit_mutations(ctx, ctx.version() >= 5, t->partitions)) {
        out.error_code = k_throttling_quota_exceeded;
        out.error_message = k_throttling_quota_message;
        return;
    }
    auto s = b.topics.delete_topic(name);
    if (!s.ok()) {
        out.error_code =
            code(s.err().code == errc::not_found ? error_code::unknown_topic_or_partition
                                                 : to_error_code(s.err()));
        out.error_message = s.err().message;
        return;
    }
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::delete_topics_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    resp r;
    if (ctx.version() < 6) {
        for (const auto& name : req->topic_names)
            delete_one(ctx, name, r.responses.emplace_back());
    } else {
        for (const auto& t : req->topics) {
            auto& out = r.responses.emplace_back();
            if (t.name) {
                delete_one(ctx, *t.name, out);
                continue;
            }
            auto found = b.topics.find_by_id(t.topic_id);
            if (!found) {
                out.name = std::nullopt;
                out.topic_id = t.topic_id;
                out.error_code = code(error_code::unknown_topic_id);
                continue;
            }
            delete_one(ctx, found->name, out);
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace delete_topics_impl

const handler_spec delete_topics{
    proto::api_key::delete_topics, 0, 6, &delete_topics_impl::handle, proto::acl_operation::del,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
