#pragma once

// `spate sql`: a SQL client for Spate's PostgreSQL-protocol endpoint (or any
// PostgreSQL server), over libpq.
//
//   spate sql                 interactive shell (readline: line editing,
//                             history in ~/.spate_sql_history)
//   spate sql -c STATEMENTS   run them, exit
//   spate sql -f FILE         run the file's statements ("-" is stdin), exit
//
// Statements are split on `;` outside quotes and comments (sql_shell_split.h)
// and sent one at a time (simple query protocol). Results print as psql's
// aligned tables with a row count, other commands as their command tag, COPY
// TO STDOUT data as it arrives; notices and errors go to stderr.
//
// Exit codes: 0 success, 1 a failed connection or (with -c/-f, or stdin not
// a terminal) the first failing statement, after which nothing more runs;
// 2 usage error. The interactive shell reports errors and carries on.

#include <functional>
#include <string>
#include <utility>

namespace CLI {
class App;
}

namespace spate::cli {

struct sql_args {
    std::string url = "postgresql://spate@127.0.0.1:6875/spate";
    std::string host;  // each overrides the URL's part when set
    std::string port;
    std::string user;
    std::string dbname;
    std::string command;       // -c
    bool has_command = false;  // -c was given (even empty)
    std::string file;          // -f
};

// Adds the `sql` sub-command to `app`; returns it and the function that runs
// it once parsed (its exit code).
std::pair<CLI::App*, std::function<int()>> add_sql_command(CLI::App& app);

// Runs `spate sql` with parsed arguments; returns the exit code.
int run_sql(const sql_args& a);

}  // namespace spate::cli
