#pragma once

// Entry points of the Kafka client sub-commands of the `spate` binary:
// `topic create|list|describe|delete|alter-config|delete-records`,
// `group list|describe|reset-offsets|delete`, `txn list|describe`, `produce`,
// `consume`. They speak the Kafka protocol to any broker given by
// `--bootstrap` (Spate's own or any Kafka-compatible one): through
// librdkafka, except `txn`, which sends ListTransactions/DescribeTransactions
// itself (librdkafka 2.0 has no admin call for them).
//
// Exit codes: 0 success, 1 the operation failed (message on stderr),
// 2 usage error.

#include <string>
#include <vector>

namespace spate::cli {

// True when `command` (argv[1]) is one of this module's sub-commands.
bool handles(const std::string& command);

// Runs `command` with the arguments that follow it; returns the exit code.
int run(const std::string& command, const std::vector<std::string>& args);

// Usage lines for the top-level help, one command per line.
const char* usage_text();

}  // namespace spate::cli
