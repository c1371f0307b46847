#pragma once

// Internal to `spate sql`: one libpq connection that runs statements and
// prints their results (sql_shell.h describes the output).

#include <cstdio>
#include <memory>
#include <string>

#include "base/result.h"
#include "cli/sql_shell.h"

struct pg_conn;

namespace spate::cli {

class sql_session {
  public:
    // Connects as `a` says (URL, then the explicit parts override it).
    static result<std::unique_ptr<sql_session>> connect(const sql_args& a);
    ~sql_session();
    sql_session(const sql_session&) = delete;
    sql_session& operator=(const sql_session&) = delete;

    // Runs one statement: results to `out`, errors to `err` (notices always
    // go to stderr). False when the statement failed; a lost connection is
    // reset once and reported.
    bool execute(const std::string& statement, std::FILE* out, std::FILE* err);

    // "HOST:PORT" and the server version, for the shell's greeting.
    std::string describe() const;

    // Async-signal-safe: asks the server to cancel the statement that is
    // running, if any.
    static void cancel_running();

  private:
    explicit sql_session(pg_conn* conn) : _conn(conn) {}
    bool drain_results(const std::string& statement, std::FILE* out, std::FILE* err);
    bool copy_out(std::FILE* out, std::FILE* err);

    pg_conn* _conn;
};

}  // namespace spate::cli
