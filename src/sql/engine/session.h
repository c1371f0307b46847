#pragma once

// The SQL surface a protocol front end (pgwire, later HTTP) drives: one
// `session` per client connection. Statements are prepared once and
// executed with bound parameters into a `cursor` that yields chunks.
//
// Threading: a session and its cursors are used by one thread at a time and
// may block (they read Kafka); front ends run them off their I/O threads.
// `cancel()` alone may be called from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/format/format.h"
#include "sql/types/column.h"
#include "sql/types/error.h"
#include "sql/types/value.h"

namespace spate::sql {

// `COPY (query) TO STDOUT [WITH (FORMAT csv|text, HEADER, DELIMITER 'c')]`:
// the front end streams the rows as CopyData in this format instead of DataRows.
struct copy_out_options {
    bool csv = false;  // false: PostgreSQL's text COPY format (tabs, \N for null)
    char delimiter = '\t';
    bool header = false;  // csv only
};

// A parsed, bound statement. Immutable; shareable between portals.
class statement {
  public:
    virtual ~statement() = default;
    // Types of $1..$n (inferred where the client left them unspecified).
    virtual const std::vector<data_type>& parameter_types() const = 0;
    // Shape of the rows it returns; empty when it returns none (DDL, SET).
    virtual const std::vector<column_def>& result_columns() const = 0;
    virtual bool returns_rows() const = 0;
    // Set for COPY ... TO STDOUT (rows are result_columns()).
    virtual std::optional<copy_out_options> copy_out() const { return std::nullopt; }
    // The statement text as given (for logs and pg_stat_activity).
    virtual const std::string& text() const = 0;
};

// A statement being executed (a portal). Rows come in chunks of at most the
// asked count; `next` returns an empty optional when no rows remain, after
// which `command_tag()` holds PostgreSQL's tag ("SELECT 42", "CREATE SOURCE",
// "SET", "BEGIN", ...). A statement that never ends (SUBSCRIBE) returns a
// chunk of no rows when nothing is there yet: ask again a little later.
class cursor {
  public:
    virtual ~cursor() = default;
    virtual sql_result<std::optional<chunk>> next(size_t max_rows) = 0;
    virtual std::string command_tag() const = 0;
};

enum class transaction_state { idle, in_transaction, failed };

class session {
  public:
    virtual ~session() = default;

    // Splits `sql` (a simple-protocol query string) into statements and
    // prepares each. An empty string yields no statements.
    virtual sql_result<std::vector<std::shared_ptr<statement>>> prepare_all(
        std::string_view sql) = 0;
    // One statement (extended protocol Parse). `parameter_hints[i]` is the
    // client's type for $i+1, unknown when unspecified.
    virtual sql_result<std::shared_ptr<statement>> prepare(
        std::string_view sql, const std::vector<data_type>& parameter_hints) = 0;
    // Starts `stmt` with `parameters` (already of parameter_types()).
    virtual sql_result<std::unique_ptr<cursor>> execute(std::shared_ptr<statement> stmt,
                                                        std::vector<value> parameters) = 0;

    // Interrupts the statement running now (its cursor's next() fails with
    // query_canceled). Any thread.
    virtual void cancel() = 0;

    // Session settings (SET/SHOW, startup parameters).
    virtual std::optional<std::string> setting(std::string_view name) const = 0;
    virtual sql_status set_setting(std::string_view name, std::string_view value) = 0;
    // Settings PostgreSQL reports with ParameterStatus that changed since the
    // last call (all of them on the first call): server_version,
    // server_encoding, client_encoding, DateStyle, IntervalStyle, TimeZone,
    // integer_datetimes, standard_conforming_strings, application_name, ...
    virtual std::vector<std::pair<std::string, std::string>> take_reported_settings() = 0;

    virtual transaction_state transaction() const = 0;
};

// What a front end knows about its client when opening a session.
struct session_options {
    std::string user;
    std::string database;
    std::string application_name;
    std::vector<std::pair<std::string, std::string>> startup_parameters;
    // Who the session acts as for authorization (access_policy.h):
    // "User:<name>" once the front end authenticated the client; empty:
    // "User:" + user. `host`: the client's address.
    std::string principal;
    std::string host;
};

// Opens sessions; implemented by the SQL engine.
class session_factory {
  public:
    virtual ~session_factory() = default;
    // Errors: invalid_catalog_name for an unknown database.
    virtual sql_result<std::unique_ptr<session>> open(const session_options& o) = 0;
};

}  // namespace spate::sql
