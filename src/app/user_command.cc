#include "app/user_command.h"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "broker/credential_log.h"
#include "broker/storage_service.h"
#include "kafka/client/client_properties.h"
#include "kafka/client/error.h"
#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_request.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_response.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_request.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_response.h"
#include "net/runtime.h"
#include "security/scram.h"

namespace spate::app {

namespace {

namespace proto = kafka::protocol;
using security::scram_mechanism;

constexpr int16_t k_resource_not_found = 91;  // Kafka's RESOURCE_NOT_FOUND

// A user's mechanisms with their iterations.
using credential_infos = std::vector<std::pair<scram_mechanism, int32_t>>;

std::vector<scram_mechanism> mechanisms_of(const user_options& o) {
    if (o.mechanisms.empty()) return {scram_mechanism::sha256, scram_mechanism::sha512};
    std::vector<scram_mechanism> out;
    for (const auto& m : o.mechanisms)
        out.push_back(*security::parse_scram_mechanism(m));
    return out;
}

int8_t code_of(scram_mechanism m) {
    return m == scram_mechanism::sha256 ? 1 : 2;
}

std::vector<std::byte> bytes_of(std::string_view s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    return {b, b + s.size()};
}

int fail(const std::string& what) {
    std::fprintf(stderr, "spate user: %s\n", what.c_str());
    return 1;
}

void print_user(const std::string& user, const credential_infos& creds) {
    std::string line = user;
    for (const auto& [m, it] : creds)
        line += std::string(" ") + security::scram_mechanism_name(m) +
                "(iterations=" + std::to_string(it) + ")";
    std::printf("%s\n", line.c_str());
}

// The mechanisms `spate user delete` removes: those named with --mechanism
// (each must exist), else every one the user has (the whole user).
result<std::vector<scram_mechanism>> deletions_of(const user_options& o,
                                                  const credential_infos& existing) {
    if (existing.empty())
        return make_error(errc::not_found, "user '" + o.name + "' does not exist");
    if (o.mechanisms.empty()) {
        std::vector<scram_mechanism> all;
        for (const auto& [m, iterations] : existing)
            all.push_back(m);
        return all;
    }
    auto named = mechanisms_of(o);
    for (auto m : named) {
        auto has = [m](const auto& e) { return e.first == m; };
        if (std::find_if(existing.begin(), existing.end(), has) == existing.end())
            return make_error(errc::not_found, "user '" + o.name + "' has no " +
                                                   security::scram_mechanism_name(m) +
                                                   " credential");
    }
    return named;
}

// Applies create or delete to the store; the user's credentials after it.
result<security::user_credentials> change_offline(security::credential_store& store,
                                                  const user_options& o) {
    security::user_credentials after;
    if (o.action == "create") {
        for (auto m : mechanisms_of(o)) {
            auto c = security::make_scram_credential(m, o.password, "", o.iterations);
            SPATE_TRY(c);
            after = store.upsert(o.name, std::move(*c));
        }
        return after;
    }
    auto gone = deletions_of(o, store.describe(o.name));
    SPATE_TRY(gone);
    for (auto m : *gone) {
        auto r = store.remove(o.name, m);
        SPATE_TRY(r);
        after = std::move(*r);
    }
    return after;
}

// One create or delete in the data directory's credential log, durable.
status write_offline(broker::credential_log& log, const user_options& o) {
    auto after = change_offline(log.store(), o);
    SPATE_TRY(after);
    auto w = log.write(o.name, *after);
    SPATE_TRY(w);
    return log.log()->wait_durable(w->last_offset + 1);
}

// The data directory's credentials, changed in place (the server stopped).
int run_offline(const user_options& o) {
    broker::broker_config cfg;
    // The server's properties (spate.encryption.key.file: an encrypted data
    // directory opens only with its keys).
    if (o.config)
        if (auto s = broker::load_properties(cfg, *o.config); !s.ok()) return fail(s.err().message);
    cfg.data_dir = *o.data_dir;
    net::runtime rt;
    rt.start(1);
    broker::storage_service storage(cfg);
    if (auto s = storage.start(rt); !s.ok()) {
        rt.stop();
        return fail(s.err().message);
    }
    int rc = 0;
    broker::credential_log log(storage.logs());
    if (auto s = log.load(); !s.ok()) {
        rc = fail(s.err().message);
    } else if (o.action == "list") {
        for (const auto& u : log.store().users())
            print_user(u, log.store().describe(u));
    } else if (auto w = write_offline(log, o); !w.ok()) {
        rc = fail(w.err().message);
    } else {
        std::printf("%s user %s in %s\n", o.action == "create" ? "created" : "deleted",
                    o.name.c_str(), o.data_dir->c_str());
    }
    storage.stop();
    rt.stop();
    if (rc == 0 && !storage.close_status().ok()) rc = fail(storage.close_status().err().message);
    return rc;
}

credential_infos infos_of(
    const proto::describe_user_scram_credentials_response::describe_user_scram_credentials_result&
        u) {
    credential_infos out;
    for (const auto& c : u.credential_infos)
        out.push_back(
            {c.mechanism == 1 ? scram_mechanism::sha256 : scram_mechanism::sha512, c.iterations});
    return out;
}

// DescribeUserScramCredentials of `name` (nullopt: every user); a missing
// user is absent from the answer.
result<std::vector<std::pair<std::string, credential_infos>>> describe_online(
    kafka::client::raw_connection& conn, const std::optional<std::string>& name) {
    proto::describe_user_scram_credentials_request req;
    req.users = std::nullopt;
    if (name)
        req.users = std::vector<proto::describe_user_scram_credentials_request::user_name>{{*name}};
    auto r = conn.call<proto::describe_user_scram_credentials_response>(req, 0);
    SPATE_TRY(r);
    if (r->error_code)
        return kafka::client::kafka_error(r->error_code, r->error_message.value_or(""));
    std::vector<std::pair<std::string, credential_infos>> out;
    for (const auto& u : r->results) {
        if (u.error_code == k_resource_not_found) continue;
        if (u.error_code)
            return kafka::client::kafka_error(u.error_code, u.error_message.value_or(""));
        out.push_back({u.user, infos_of(u)});
    }
    return out;
}

// The AlterUserScramCredentials request of `spate user create|delete`.
result<proto::alter_user_scram_credentials_request> alter_request(
    kafka::client::raw_connection& conn, const user_options& o) {
    proto::alter_user_scram_credentials_request req;
    if (o.action == "delete") {
        auto users = describe_online(conn, o.name);
        SPATE_TRY(users);
        auto gone = deletions_of(o, users->empty() ? credential_infos{} : users->front().second);
        SPATE_TRY(gone);
        for (auto m : *gone)
            req.deletions.push_back({o.name, code_of(m)});
        return req;
    }
    for (auto m : mechanisms_of(o)) {
        // The client salts and hashes; the broker derives the stored keys.
        auto c = security::make_scram_credential(m, o.password, "", o.iterations);
        SPATE_TRY(c);
        auto salted = security::salted_password_of(m, o.password, c->salt, o.iterations);
        req.upsertions.push_back(
            {o.name, code_of(m), o.iterations, bytes_of(c->salt), bytes_of(salted)});
    }
    return req;
}

int run_online(const user_options& o) {
    kafka::client::client_config cc;
    cc.bootstrap = o.bootstrap;
    cc.client_id = "spate-cli";
    if (!o.command_config.empty())
        if (auto s = kafka::client::load_client_properties(cc, o.command_config); !s.ok())
            return fail(s.err().message);
    auto conn = kafka::client::raw_connection::open_bootstrap(cc);
    if (!conn.ok()) return fail(conn.err().message);
    if (o.action == "list") {
        auto users = describe_online(**conn, std::nullopt);
        if (!users.ok()) return fail(users.err().message);
        for (const auto& [user, creds] : *users)
            print_user(user, creds);
        return 0;
    }
    auto req = alter_request(**conn, o);
    if (!req.ok()) return fail(req.err().message);
    auto r = (*conn)->call<proto::alter_user_scram_credentials_response>(*req, 0);
    if (!r.ok()) return fail(r.err().message);
    for (const auto& u : r->results)
        if (u.error_code)
            return fail(u.user + ": " +
                        u.error_message.value_or("error " + std::to_string(u.error_code)));
    std::printf("%s user %s\n", o.action == "create" ? "created" : "deleted", o.name.c_str());
    return 0;
}

}  // namespace

CLI::App* add_user_command(CLI::App& app, user_options& opts) {
    CLI::App* user = app.add_subcommand("user", "Users' SCRAM credentials (SASL PLAIN and SCRAM)");
    user->require_subcommand(1);
    auto where = [&opts](CLI::App* c) {
        c->add_option_function<std::string>(
             "--data-dir", [&opts](const std::string& v) { opts.data_dir = v; },
             "Change a stopped server's data directory directly")
            ->type_name("DIR");
        c->add_option_function<std::string>(
             "--config", [&opts](const std::string& v) { opts.config = v; },
             "With --data-dir: the server's properties file (its encryption keys)")
            ->type_name("FILE");
        c->add_option("--bootstrap", opts.bootstrap, "A broker to change the users on (online)")
            ->type_name("HOST:PORT")
            ->capture_default_str();
        c->add_option("--command-config", opts.command_config,
                      "Online: Kafka client properties (security.protocol, sasl.*, ssl.*)")
            ->check(CLI::ExistingFile)
            ->type_name("FILE");
    };
    auto mech = [&opts](CLI::App* c, const char* help) {
        c->add_option("--mechanism", opts.mechanisms, help)
            ->check(CLI::IsMember({"SCRAM-SHA-256", "SCRAM-SHA-512"}))
            ->type_name("MECHANISM");
    };
    CLI::App* create = user->add_subcommand("create", "Create a user or change its password");
    create->add_option("name", opts.name, "User name")->required();
    create->add_option("--password", opts.password, "The password")->required();
    create->add_option("--iterations", opts.iterations, "SCRAM iterations")
        ->check(CLI::Range(security::k_scram_min_iterations, security::k_scram_max_iterations))
        ->capture_default_str();
    mech(create, "SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default: both)");
    where(create);
    create->callback([&opts] { opts.action = "create"; });
    CLI::App* del = user->add_subcommand(
        "delete", "Delete a user: every SCRAM credential it has, or those named by --mechanism");
    del->add_option("name", opts.name, "User name")->required();
    mech(del,
         "Delete only this mechanism's credential (repeatable; default: every mechanism the "
         "user has)");
    where(del);
    del->callback([&opts] { opts.action = "delete"; });
    CLI::App* list = user->add_subcommand("list", "List users and their mechanisms");
    where(list);
    list->callback([&opts] { opts.action = "list"; });
    return user;
}

int run_user_command(const user_options& opts) {
    std::signal(SIGPIPE, SIG_IGN);  // a TLS connection's writes
    if (opts.data_dir && !opts.command_config.empty())
        return fail("--command-config is for a running broker (--bootstrap), not --data-dir");
    return opts.data_dir ? run_offline(opts) : run_online(opts);
}

}  // namespace spate::app
