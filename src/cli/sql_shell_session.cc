#include "cli/sql_shell_session.h"

#include <libpq-fe.h>

#include <csignal>
#include <cstdlib>
#include <vector>

#include "cli/sql_shell_format.h"

namespace spate::cli {

namespace {

// The cancel handle of the running statement, for cancel_running().
PGcancel* volatile g_cancel = nullptr;

// Blocks SIGINT while alive, so that g_cancel never changes under the handler.
class sigint_blocker {
  public:
    sigint_blocker() {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGINT);
        sigprocmask(SIG_BLOCK, &s, &_old);
    }
    ~sigint_blocker() { sigprocmask(SIG_SETMASK, &_old, nullptr); }

  private:
    sigset_t _old;
};

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v ? v : "";
}

std::string trim_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

sql_error_report report_of(const PGresult* r, PGconn* conn) {
    sql_error_report e;
    e.severity = field(r, PG_DIAG_SEVERITY);
    e.sqlstate = field(r, PG_DIAG_SQLSTATE);
    e.message = field(r, PG_DIAG_MESSAGE_PRIMARY);
    e.detail = field(r, PG_DIAG_MESSAGE_DETAIL);
    e.hint = field(r, PG_DIAG_MESSAGE_HINT);
    std::string pos = field(r, PG_DIAG_STATEMENT_POSITION);
    if (!pos.empty()) e.position = std::strtoul(pos.c_str(), nullptr, 10);
    if (e.message.empty()) {  // raised by libpq itself, e.g. a lost connection
        e.message = trim_newlines(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
        if (e.message.empty()) e.message = trim_newlines(PQerrorMessage(conn));
        if (e.severity.empty()) e.severity = "ERROR";
    }
    return e;
}

extern "C" void on_notice(void*, const PGresult* r) {
    sql_error_report e = report_of(r, nullptr);
    e.sqlstate.clear();
    e.position.reset();
    std::fputs(format_sql_error(e, "").c_str(), stderr);
}

void print_tuples(const PGresult* r, std::FILE* out) {
    int ncols = PQnfields(r), nrows = PQntuples(r);
    std::vector<sql_column> cols(ncols);
    for (int c = 0; c < ncols; ++c) {
        cols[c].name = PQfname(r, c);
        cols[c].align_right = is_numeric_type_oid(PQftype(r, c));
    }
    std::vector<std::vector<sql_cell>> rows(nrows, std::vector<sql_cell>(ncols));
    for (int i = 0; i < nrows; ++i) {
        for (int c = 0; c < ncols; ++c) {
            if (!PQgetisnull(r, i, c)) rows[i][c] = std::string(PQgetvalue(r, i, c));
        }
    }
    std::fputs(format_sql_table(cols, rows).c_str(), out);
}

}  // namespace

result<std::unique_ptr<sql_session>> sql_session::connect(const sql_args& a) {
    std::vector<const char*> keys{"dbname"}, values{a.url.c_str()};
    auto set = [&](const char* k, const std::string& v) {
        if (v.empty()) return;
        keys.push_back(k);
        values.push_back(v.c_str());
    };
    set("host", a.host);
    set("port", a.port);
    set("user", a.user);
    set("dbname", a.dbname);
    keys.push_back("fallback_application_name");
    values.push_back("spate-sql");
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
    if (conn == nullptr) return make_error(errc::io_error, "out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string msg = trim_newlines(PQerrorMessage(conn));
        PQfinish(conn);
        return make_error(errc::io_error, msg);
    }
    PQsetNoticeReceiver(conn, on_notice, nullptr);
    return std::unique_ptr<sql_session>(new sql_session(conn));
}

sql_session::~sql_session() {
    PQfinish(_conn);
}

std::string sql_session::describe() const {
    const char* version = PQparameterStatus(_conn, "server_version");
    return std::string(PQhost(_conn)) + ":" + PQport(_conn) + ", server " +
           (version ? version : "unknown");
}

void sql_session::cancel_running() {
    PGcancel* c = g_cancel;
    if (c == nullptr) return;
    char buf[256];
    PQcancel(c, buf, sizeof buf);
}

bool sql_session::execute(const std::string& statement, std::FILE* out, std::FILE* err) {
    if (!PQsendQuery(_conn, statement.c_str())) {
        sql_error_report e;
        e.message = trim_newlines(PQerrorMessage(_conn));
        std::fputs(format_sql_error(e, statement).c_str(), err);
    } else {
        PGcancel* cancel = PQgetCancel(_conn);
        {
            sigint_blocker b;
            g_cancel = cancel;
        }
        bool ok = drain_results(statement, out, err);
        {
            sigint_blocker b;
            g_cancel = nullptr;
        }
        if (cancel) PQfreeCancel(cancel);
        std::fflush(out);
        if (ok) return true;
    }
    if (PQstatus(_conn) == CONNECTION_BAD) {
        std::fputs("The connection to the server was lost. Attempting reset: ", err);
        PQreset(_conn);
        std::fputs(PQstatus(_conn) == CONNECTION_OK ? "Succeeded.\n" : "Failed.\n", err);
    }
    return false;
}

bool sql_session::drain_results(const std::string& statement, std::FILE* out, std::FILE* err) {
    bool ok = true;
    while (PGresult* r = PQgetResult(_conn)) {
        switch (PQresultStatus(r)) {
            case PGRES_TUPLES_OK:
                print_tuples(r, out);
                break;
            case PGRES_COMMAND_OK:
                if (*PQcmdStatus(r)) std::fprintf(out, "%s\n", PQcmdStatus(r));
                break;
            case PGRES_EMPTY_QUERY:
                break;
            case PGRES_COPY_OUT:
                if (!copy_out(out, err)) ok = false;
                break;
            case PGRES_COPY_IN:
                PQputCopyEnd(_conn, "spate sql does not send COPY FROM STDIN data");
                break;
            default:
                std::fputs(format_sql_error(report_of(r, _conn), statement).c_str(), err);
                ok = false;
                break;
        }
        PQclear(r);
        if (PQstatus(_conn) == CONNECTION_BAD) return false;
    }
    return ok;
}

bool sql_session::copy_out(std::FILE* out, std::FILE* err) {
    while (true) {
        char* buf = nullptr;
        int n = PQgetCopyData(_conn, &buf, 0);
        if (n > 0) {
            std::fwrite(buf, 1, static_cast<std::size_t>(n), out);
            std::fflush(out);
            PQfreemem(buf);
            continue;
        }
        if (n == -1) return true;  // done: the final result follows
        sql_error_report e;
        e.message = trim_newlines(PQerrorMessage(_conn));
        std::fputs(format_sql_error(e, "").c_str(), err);
        return false;
    }
}

}  // namespace spate::cli
