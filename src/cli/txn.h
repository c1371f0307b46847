#pragma once

// `spate txn list|describe`: transaction listing and description with the
// Kafka ListTransactions (API 66) and DescribeTransactions (API 65) requests
// (see README.md). librdkafka 2.0 has no admin call for either, so these
// commands speak the protocol over their own TCP connections with the
// codecs of kafka/protocol.

#include <string>
#include <vector>

namespace spate::cli {

// Runs `spate txn ARGS...` (ARGS[0] is the sub-command); returns the exit
// code as described in cli.h.
int run_txn(const std::vector<std::string>& args);

// The usage lines of the txn sub-commands for the top-level help.
const char* txn_usage_text();

}  // namespace spate::cli
