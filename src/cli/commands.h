#pragma once

// Internal to the module: the bodies of the client sub-commands (one per
// command; a failure is printed by the caller and exits 1) and what they
// share.

#include <csignal>
#include <string>

#include "base/result.h"
#include "cli/args.h"
#include "cli/schema_args.h"
#include "kafka/client/config.h"

namespace spate::cli {

// Set by SIGINT/SIGTERM while a command runs: produce and consume stop.
extern volatile std::sig_atomic_t g_stop;

// The client configuration of every Kafka command: `bootstrap` and, when
// `command_config` is not empty, the security settings of that Kafka client
// properties file (an error names the file, line and key).
result<kafka::client::client_config> client_config_for(const std::string& bootstrap,
                                                       const std::string& command_config);
// client_config_for of an args struct's --bootstrap and --command-config.
template <typename Args>
result<kafka::client::client_config> client_config_of(const Args& a) {
    return client_config_for(a.bootstrap, a.command_config);
}

status topic_create(const topic_create_args& a);
status topic_list(const topic_name_args& a);
status topic_describe(const topic_name_args& a);
status topic_delete(const topic_name_args& a);
status topic_alter_config(const topic_alter_config_args& a);
status topic_delete_records(const topic_delete_records_args& a);
status produce(const produce_args& a);
status consume(const consume_args& a);
status group_list(const group_list_args& a);
status group_describe(const group_describe_args& a);
status group_reset(const group_reset_args& a);
status group_delete(const group_delete_args& a);
status txn_list(const txn_list_args& a);
status txn_describe(const txn_describe_args& a);
// schema.cc: the schema registry over HTTP (not Kafka).
status schema_list(const schema_list_args& a);
status schema_get(const schema_get_args& a);
status schema_register(const schema_register_args& a);
status schema_check(const schema_register_args& a);
status schema_delete(const schema_delete_args& a);
status schema_config(const schema_config_args& a);

}  // namespace spate::cli
