// Registration of the client sub-commands on the `spate` command line.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

#include "cli/acl_args.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/quota_args.h"
#include "cli/sql_shell.h"

namespace spate::cli {

namespace {

extern "C" void on_stop_signal(int) {
    g_stop = 1;
}

// Runs `body` on `args`; a failure is printed as "spate CMD: message" (exit 1).
template <typename Args>
int run_body(const std::string& name, const Args& args, status (*body)(const Args&)) {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    auto s = body(args);
    if (s.ok()) return 0;
    std::fprintf(stderr, "spate %s: %s\n", name.c_str(), s.err().message.c_str());
    return 1;
}

using leaf_list = std::vector<std::pair<CLI::App*, std::function<int()>>>;

// A leaf command: `define` binds its options into a heap-held Args that the
// runner hands to `body`.
template <typename Args, typename Define>
void add_leaf(leaf_list& leaves, CLI::App& parent, const char* name, const char* help,
              Define define, status (*body)(const Args&)) {
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand(name, help);
    define(*cmd, *args);
    std::string full = parent.get_parent() ? parent.get_name() + " " + name : name;
    leaves.emplace_back(cmd, [args, full, body] { return run_body(full, *args, body); });
}

// `spate schema ...`: the registry client (HTTP, not Kafka).
void add_schema_commands(leaf_list& leaves, CLI::App& app) {
    CLI::App* schema = app.add_subcommand(
        "schema", "Schema registry: subjects, schemas, compatibility (over HTTP, --registry URL)");
    schema->require_subcommand(1);
    add_leaf(leaves, *schema, "list", "List subjects", define_schema_list, schema_list);
    add_leaf(leaves, *schema, "get", "Print a subject's version or the schema with an id",
             define_schema_get, schema_get);
    add_leaf(
        leaves, *schema, "register", "Register a schema file under a subject; prints its id",
        [](CLI::App& c, schema_register_args& a) { define_schema_register(c, a, false); },
        schema_register);
    add_leaf(
        leaves, *schema, "check", "Test a schema file's compatibility with a subject (exit 1: not)",
        [](CLI::App& c, schema_register_args& a) { define_schema_register(c, a, true); },
        schema_check);
    add_leaf(leaves, *schema, "delete", "Delete a subject or one of its versions",
             define_schema_delete, schema_delete);
    add_leaf(leaves, *schema, "config",
             "Print or set the compatibility level (global or a subject's)", define_schema_config,
             schema_config);
}

// `spate acl ...`: kafka-acls' flags over CreateAcls/DescribeAcls/DeleteAcls.
void add_acl_commands(leaf_list& leaves, CLI::App& app) {
    CLI::App* acl = app.add_subcommand("acl", "ACLs (CreateAcls, DescribeAcls, DeleteAcls)");
    acl->require_subcommand(1);
    add_leaf(leaves, *acl, "create", "Add ACLs", define_acl, acl_create);
    leaves.back().first->alias("add");
    add_leaf(leaves, *acl, "list", "List ACLs", define_acl, acl_list);
    add_leaf(leaves, *acl, "delete", "Remove ACLs", define_acl, acl_delete);
    leaves.back().first->alias("remove");
}

// `spate quota ...`: kafka-configs' client quota flags over
// DescribeClientQuotas/AlterClientQuotas.
void add_quota_commands(leaf_list& leaves, CLI::App& app) {
    CLI::App* quota =
        app.add_subcommand("quota", "Client quotas (DescribeClientQuotas, AlterClientQuotas)");
    quota->require_subcommand(1);
    add_leaf(leaves, *quota, "alter", "Set or remove quotas of a user / client id entity",
             define_quota, quota_alter);
    add_leaf(leaves, *quota, "describe", "List quotas (of the entity given, else all)",
             define_quota, quota_describe);
}

}  // namespace

client_commands::client_commands(CLI::App& app) {
    auto leaf = [this](CLI::App& parent, const char* name, const char* help, auto define,
                       auto body) { add_leaf(_leaves, parent, name, help, define, body); };

    CLI::App* topic = app.add_subcommand("topic", "Topic administration");
    topic->require_subcommand(1);
    leaf(*topic, "create", "Create a topic", define_topic_create, topic_create);
    leaf(
        *topic, "list", "List the topics",
        [](CLI::App& c, topic_name_args& a) { define_topic_name(c, a, false); }, topic_list);
    leaf(
        *topic, "describe", "Partitions and configs of a topic",
        [](CLI::App& c, topic_name_args& a) { define_topic_name(c, a, true); }, topic_describe);
    leaf(
        *topic, "delete", "Delete a topic",
        [](CLI::App& c, topic_name_args& a) { define_topic_name(c, a, true); }, topic_delete);
    leaf(*topic, "alter-config", "Set or revert topic configs", define_topic_alter_config,
         topic_alter_config);
    leaf(*topic, "delete-records", "Move a partition's log start (delete older records)",
         define_topic_delete_records, topic_delete_records);

    CLI::App* group = app.add_subcommand("group", "Consumer group administration");
    group->require_subcommand(1);
    leaf(*group, "list", "List consumer groups", define_group_list, group_list);
    leaf(*group, "describe", "Offsets and lag (or members) of a group", define_group_describe,
         group_describe);
    leaf(*group, "reset-offsets", "Commit new offsets for a group without members",
         define_group_reset, group_reset);
    leaf(*group, "delete", "Delete consumer groups", define_group_delete, group_delete);

    CLI::App* txn =
        app.add_subcommand("txn", "Transactions (ListTransactions, DescribeTransactions)");
    txn->require_subcommand(1);
    leaf(*txn, "list", "List transactions", define_txn_list, txn_list);
    leaf(*txn, "describe", "Describe transactional ids", define_txn_describe, txn_describe);

    add_schema_commands(_leaves, app);
    add_acl_commands(_leaves, app);
    add_quota_commands(_leaves, app);

    leaf(app, "produce", "Produce stdin lines as records", define_produce, produce);
    leaf(app, "consume", "Print a topic's records", define_consume, consume);
    _leaves.push_back(add_sql_command(app));
}

std::optional<int> client_commands::run_selected() const {
    for (const auto& [cmd, run] : _leaves) {
        if (cmd->parsed()) return run();
    }
    return std::nullopt;
}

}  // namespace spate::cli
