// AlterUserScramCredentials (key 51), v0: upserts (the client's salt,
// iterations and SaltedPassword; the broker derives and stores StoredKey
// and ServerKey, never the salted password) and deletions of users' SCRAM
// credentials, persisted in __spate_credentials and answered once durable.
// Per user, all or nothing, with Kafka's errors: an unknown mechanism
// UNSUPPORTED_SASL_MECHANISM; iterations outside [4096, 16384], an empty
// user, salt or password UNACCEPTABLE_CREDENTIAL; the same user and
// mechanism twice DUPLICATE_RESOURCE; deleting a credential that does not
// exist RESOURCE_NOT_FOUND.

#include <map>
#include <set>

#include "base/log.h"
#include "broker/connection_auth.h"
#include "broker/credential_log.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_request.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_response.h"

namespace spate::broker::handlers {

namespace alter_user_scram_credentials_impl {
namespace {

using req_t = proto::alter_user_scram_credentials_request;
using resp = proto::alter_user_scram_credentials_response;

std::optional<security::scram_mechanism> mechanism_of(int8_t code) {
    if (code == 1) return security::scram_mechanism::sha256;
    if (code == 2) return security::scram_mechanism::sha512;
    return std::nullopt;
}

std::string_view text_of(const std::vector<std::byte>& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct user_change {
    std::vector<security::scram_mechanism> deletions;
    std::vector<security::scram_credential> upsertions;
    int16_t error = 0;
    std::string message;
    void fail(int16_t e, std::string m) {
        if (error) return;
        error = e;
        message = std::move(m);
    }
};

// Groups the request by user and checks everything but existence.
std::map<std::string, user_change> validate(const req_t& req) {
    std::map<std::string, user_change> users;
    std::set<std::pair<std::string, int8_t>> seen;
    auto common = [&](const std::string& name, int8_t mech) -> user_change& {
        auto& u = users[name];
        if (name.empty()) u.fail(k_unacceptable_credential, "Username must not be empty");
        if (!mechanism_of(mech)) u.fail(k_unsupported_sasl_mechanism, "Unknown SCRAM mechanism");
        if (!seen.insert({name, mech}).second)
            u.fail(k_duplicate_resource,
                   "A user credential cannot be altered twice in the same request");
        return u;
    };
    for (const auto& d : req.deletions) {
        auto& u = common(d.name, d.mechanism);
        if (auto m = mechanism_of(d.mechanism)) u.deletions.push_back(*m);
    }
    for (const auto& up : req.upsertions) {
        auto& u = common(up.name, up.mechanism);
        auto m = mechanism_of(up.mechanism);
        if (!m) continue;
        if (up.iterations < security::k_scram_min_iterations) {
            u.fail(k_unacceptable_credential, "Too few iterations");
            continue;
        }
        if (up.iterations > security::k_scram_max_iterations) {
            u.fail(k_unacceptable_credential, "Too many iterations");
            continue;
        }
        if (up.salt.empty() || up.salted_password.empty()) {
            u.fail(k_unacceptable_credential, "Credential salt and password must not be empty");
            continue;
        }
        auto c = security::scram_credential_from_salted_password(
            *m, text_of(up.salt), up.iterations, text_of(up.salted_password));
        if (!c.ok()) {
            u.fail(k_unacceptable_credential, c.err().message);
            continue;
        }
        u.upsertions.push_back(std::move(*c));
    }
    return users;
}

// Applies one user's change to the store and its log; the record's offset.
result<storage::append_result> apply(credential_log& log, const std::string& name, user_change& u) {
    auto& store = log.store();
    for (auto m : u.deletions)
        if (!store.find(name, m)) {
            u.fail(k_resource_not_found, "Attempt to delete a user credential that does not exist");
            return make_error(errc::not_found, u.message);
        }
    security::user_credentials after;
    for (auto m : u.deletions) {
        auto r = store.remove(name, m);
        if (r.ok()) after = std::move(*r);
    }
    for (auto& c : u.upsertions)
        after = store.upsert(name, std::move(c));
    return log.write(name, after);
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<req_t>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    credential_log* log = ctx.svc.credentials;
    auto users = validate(*req);
    if (!authorize_cluster(ctx, proto::acl_operation::alter)) {
        for (auto& [name, u] : users)
            if (!u.error)
                u.fail(code(error_code::cluster_authorization_failed),
                       "Cluster authorization failed.");
    }
    std::optional<model::offset> wait_for;
    for (auto& [name, u] : users) {
        if (!u.error && !log) u.fail(code(error_code::unknown_server_error), "no credential store");
        if (!u.error) {
            auto w = apply(*log, name, u);
            if (w.ok()) {
                wait_for = w->last_offset;
                logging::get("security")
                    .info("SCRAM credentials of user '{}' altered by {} from {}", name,
                          ctx.conn.user.to_string(), ctx.client_host);
            } else if (!u.error) {
                u.fail(code(error_code::unknown_server_error), w.err().message);
            }
        }
        resp::alter_user_scram_credentials_result out;
        out.user = name;
        out.error_code = u.error;
        out.error_message = u.error ? std::optional<std::string>(u.message) : std::nullopt;
        r.results.push_back(std::move(out));
    }
    if (wait_for) {
        auto s = co_await await_durable(ctx, log->log(), *wait_for + 1);
        if (!s.ok())
            for (auto& res : r.results)
                if (!res.error_code) {
                    res.error_code = code(error_code::unknown_server_error);
                    res.error_message = s.err().message;
                }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace alter_user_scram_credentials_impl

const handler_spec alter_user_scram_credentials{proto::api_key::alter_user_scram_credentials,
                                                0,
                                                0,
                                                &alter_user_scram_credentials_impl::handle,
                                                proto::acl_operation::alter,
                                                proto::resource_type::cluster};

}  // namespace spate::broker::handlers
