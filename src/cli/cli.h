#pragma once

// The Kafka client sub-commands of the `spate` binary:
// `topic create|list|describe|delete|alter-config|delete-records`,
// `group list|describe|reset-offsets|delete`, `txn list|describe`, `produce`,
// `consume`. They speak the Kafka protocol through kafka/client to any broker
// given by `--bootstrap` (Spate's own or any Kafka-compatible one). Also
// `sql`, the SQL client over libpq (sql_shell.h), and `schema
// list|get|register|check|delete|config`, the schema registry client over
// HTTP (`--registry URL`).
//
// Exit codes: 0 success, 1 the operation failed (message on stderr),
// 2 usage error (CLI11's message).

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace spate::cli {

class client_commands {
  public:
    // Adds the sub-commands (options, help texts) to `app`, which must outlive
    // this object.
    explicit client_commands(CLI::App& app);

    // After a successful app.parse(): runs the client sub-command the command
    // line selected and returns its exit code; nullopt when it selected none
    // of these.
    std::optional<int> run_selected() const;

  private:
    std::vector<std::pair<CLI::App*, std::function<int()>>> _leaves;
};

}  // namespace spate::cli
