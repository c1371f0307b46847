// DescribeUserScramCredentials (key 50), v0: each user's SCRAM mechanisms and
// iteration counts (never salts or keys). Users null or empty: every user
// with a credential. A named user without one: RESOURCE_NOT_FOUND; a user
// named twice: DUPLICATE_RESOURCE for it (as Kafka).

#include <map>

#include "broker/connection_auth.h"
#include "broker/credential_log.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_request.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_response.h"

namespace spate::broker::handlers {

namespace describe_user_scram_credentials_impl {
namespace {

using resp = proto::describe_user_scram_credentials_response;

int8_t mechanism_code(security::scram_mechanism m) {
    return m == security::scram_mechanism::sha256 ? 1 : 2;
}

resp::describe_user_scram_credentials_result describe_one(const security::credential_store& store,
                                                          const std::string& user) {
    resp::describe_user_scram_credentials_result out;
    out.user = user;
    out.error_message = std::nullopt;
    auto creds = store.describe(user);
    if (creds.empty()) {
        out.error_code = k_resource_not_found;
        out.error_message = "Attempt to describe a user credential that does not exist: " + user;
        return out;
    }
    for (const auto& [m, iterations] : creds)
        out.credential_infos.push_back({mechanism_code(m), iterations});
    return out;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_user_scram_credentials_request>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    r.error_message = std::nullopt;
    if (!authorize_cluster(ctx, proto::acl_operation::describe)) {
        r.error_code = code(error_code::cluster_authorization_failed);
        r.error_message = "Cluster authorization failed.";
        co_return respond(ctx, r);
    }
    if (!ctx.svc.credentials) {
        r.error_code = code(error_code::unknown_server_error);
        co_return respond(ctx, r);
    }
    const auto& store = ctx.svc.credentials->store();
    if (!req->users || req->users->empty()) {
        for (const auto& u : store.users())
            r.results.push_back(describe_one(store, u));
        co_return respond(ctx, r);
    }
    std::map<std::string, int> count;
    for (const auto& u : *req->users)
        ++count[u.name];
    for (const auto& [name, n] : count) {
        if (n > 1) {
            resp::describe_user_scram_credentials_result dup;
            dup.user = name;
            dup.error_code = k_duplicate_resource;
            dup.error_message =
                "Cannot describe SCRAM credentials for the same user twice in a "
                "single request: " +
                name;
            r.results.push_back(std::move(dup));
            continue;
        }
        r.results.push_back(describe_one(store, name));
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_user_scram_credentials_impl

const handler_spec describe_user_scram_credentials{proto::api_key::describe_user_scram_credentials,
                                                   0,
                                                   0,
                                                   &describe_user_scram_credentials_impl::handle,
                                                   proto::acl_operation::describe,
                                                   proto::resource_type::cluster};

}  // namespace spate::broker::handlers
