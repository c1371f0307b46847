#include "app/user_command.h"

#include <csignal>
#include <cstdio>

#include "broker/credential_log.h"
#include "broker/storage_service.h"
#include "kafka/client/client_properties.h"
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

void print_user(const std::string& user,
                const std::vector<std::pair<scram_mechanism, int32_t>>& creds) {
    std::string line = user;
    for (const auto& [m, it] : creds)
        line += std::string(" ") + security::scram_mechanism_name(m) +
                "(iterations=" + std::to_string(it) + ")";
    std::printf("%s\n", line.c_str());
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
    auto& store = log.store();
    if (auto s = log.load(); !s.ok()) {
        rc = fail(s.err().message);
    } else if (o.action == "list") {
        for (const auto& u : store.users())
            print_user(u, store.describe(u));
    } else {
        security::user_credentials after;
        bool changed = false;
        for (auto m : mechanisms_of(o)) {
            if (o.action == "create") {
                auto c = security::make_scram_credential(m, o.password, "", o.iterations);
                if (!c.ok()) {
                    rc = fail(c.err().message);
                    break;
                }
                after = store.upsert(o.name, std::move(*c));
                changed = true;
            } else if (auto r = store.remove(o.name, m); r.ok()) {
                after = std::move(*r);
                changed = true;
            }
        }
        if (rc == 0 && !changed) rc = fail("user '" + o.name + "' has no such credential");
        if (rc == 0) {
            auto w = log.write(o.name, after);
            if (!w.ok()) rc = fail(w.err().message);
            if (w.ok()) {
                if (auto s = log.log()->wait_durable(w->last_offset + 1); !s.ok())
                    rc = fail(s.err().message);
            }
        }
        if (rc == 0)
            std::printf("%s user %s in %s\n", o.action == "create" ? "created" : "deleted",
                        o.name.c_str(), o.data_dir->c_str());
    }
    storage.stop();
    rt.stop();
    if (rc == 0 && !storage.close_status().ok()) rc = fail(storage.close_status().err().message);
    return rc;
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
        proto::describe_user_scram_credentials_request req;
        req.users = std::nullopt;
        auto r = (*conn)->call<proto::describe_user_scram_credentials_response>(req, 0);
        if (!r.ok()) return fail(r.err().message);
        if (r->error_code)
            return fail(r->error_message.value_or("error " + std::to_string(r->error_code)));
        for (const auto& u : r->results) {
            std::vector<std::pair<scram_mechanism, int32_t>> creds;
            for (const auto& c : u.credential_infos)
                creds.push_back(
                    {c.mechanism == 1 ? scram_mechanism::sha256 : scram_mechanism::sha512,
                     c.iterations});
            print_user(u.user, creds);
        }
        return 0;
    }
    proto::alter_user_scram_credentials_request req;
    for (auto m : mechanisms_of(o)) {
        if (o.action == "delete") {
            req.deletions.push_back({o.name, code_of(m)});
            continue;
        }
        // The client salts and hashes; the broker derives the stored keys.
        auto c = security::make_scram_credential(m, o.password, "", o.iterations);
        if (!c.ok()) return fail(c.err().message);
        auto salted = security::salted_password_of(m, o.password, c->salt, o.iterations);
        req.upsertions.push_back(
            {o.name, code_of(m), o.iterations, bytes_of(c->salt), bytes_of(salted)});
    }
    auto r = (*conn)->call<proto::alter_user_scram_credentials_response>(req, 0);
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
    auto mech = [&opts](CLI::App* c) {
        c->add_option("--mechanism", opts.mechanisms,
                      "SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default: both)")
            ->check(CLI::IsMember({"SCRAM-SHA-256", "SCRAM-SHA-512"}))
            ->type_name("MECHANISM");
    };
    CLI::App* create = user->add_subcommand("create", "Create a user or change its password");
    create->add_option("name", opts.name, "User name")->required();
    create->add_option("--password", opts.password, "The password")->required();
    create->add_option("--iterations", opts.iterations, "SCRAM iterations")
        ->check(CLI::Range(security::k_scram_min_iterations, security::k_scram_max_iterations))
        ->capture_default_str();
    mech(create);
    where(create);
    create->callback([&opts] { opts.action = "create"; });
    CLI::App* del = user->add_subcommand("delete", "Delete a user's credentials");
    del->add_option("name", opts.name, "User name")->required();
    mech(del);
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
