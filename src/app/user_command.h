#pragma once

// `spate user create|delete|list`: users' SCRAM credentials (the users
// SASL PLAIN and SCRAM authenticate against).
//
// Offline with --data-dir DIR (the server stopped: nothing guards against a
// running one): the records are appended to DIR's __spate_credentials topic
// directly, as Kafka's storage tool bootstraps the first administrator.
// Online with --bootstrap HOST:PORT [--command-config FILE]:
// AlterUserScramCredentials / DescribeUserScramCredentials over the Kafka
// protocol, on any listener (TLS and SASL from the Kafka client properties
// FILE; a super user's login when the broker enforces ACLs).
//
// `delete NAME` without --mechanism deletes the whole user: every SCRAM
// mechanism it has (one or both), as kafka-configs --delete-config
// 'SCRAM-SHA-256,SCRAM-SHA-512' does for a user holding both; with
// --mechanism only those, each of which must exist. An unknown user or a
// named mechanism it lacks fails (exit 1) and changes nothing.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace spate::app {

struct user_options {
    std::string action;  // create, delete, list
    std::string name;
    std::string password;
    // Empty: create both SCRAM-SHA-256 and SCRAM-SHA-512; delete every one the user has.
    std::vector<std::string> mechanisms;
    int iterations = 4096;
    std::optional<std::string> data_dir;
    std::optional<std::string> config;  // with data_dir: the server's properties file
    std::string bootstrap = "127.0.0.1:9092";
    std::string command_config;  // online: Kafka client properties; empty: none
};

// Adds `user` with its three sub-commands; returns the `user` command.
CLI::App* add_user_command(CLI::App& app, user_options& opts);

// Runs the parsed command; the process exit code (0, 1 failure).
int run_user_command(const user_options& opts);

}  // namespace spate::app
