// `spate sql`: the command line, script mode (-c, -f, piped stdin) and the
// interactive shell over readline's callback interface (so that Ctrl-C can
// discard the statement being typed, or cancel the one running).

#include "cli/sql_shell.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <sys/select.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/sql_shell_session.h"
#include "cli/sql_shell_split.h"

namespace spate::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
    g_interrupted = 1;
    sql_session::cancel_running();
}

// SIGINT cancels the running statement and interrupts a wait for input (no
// SA_RESTART: select() returns EINTR).
void install_sigint() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

// Runs every statement of `text`; stops at the first failure.
bool run_script(sql_session& s, std::string_view text) {
    sql_split parts = split_sql(text);
    if (!parts.tail.empty()) parts.statements.push_back(parts.tail);
    for (const auto& st : parts.statements) {
        if (!s.execute(st, stdout, stderr)) return false;
        if (g_interrupted) return false;
    }
    return true;
}

result<std::string> read_input(const std::string& file) {
    std::ostringstream ss;
    if (file == "-") {
        ss << std::cin.rdbuf();
        return ss.str();
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(errc::io_error, "cannot read " + file);
    ss << in.rdbuf();
    return ss.str();
}

// --- the interactive shell ---

enum class input_event { line, eof, interrupted };

struct line_slot {
    bool done = false;
    bool eof = false;
    std::string text;
};
line_slot g_slot;

extern "C" void on_line(char* line) {
    g_slot.done = true;
    g_slot.eof = line == nullptr;
    if (line) g_slot.text = line;
    std::free(line);
    rl_callback_handler_remove();
}

input_event read_line(const char* prompt, std::string& line) {
    g_slot = line_slot{};
    g_interrupted = 0;
    rl_callback_handler_install(prompt, on_line);
    while (!g_slot.done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        int n = select(STDIN_FILENO + 1, &fds, nullptr, nullptr, nullptr);
        if (n < 0 && errno == EINTR && g_interrupted) {
            g_interrupted = 0;
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            std::fputs("\n", stdout);
            return input_event::interrupted;
        }
        if (n > 0) rl_callback_read_char();
    }
    if (g_slot.eof) return input_event::eof;
    line = std::move(g_slot.text);
    return input_event::line;
}

std::string history_path() {
    if (const char* p = std::getenv("SPATE_SQL_HISTORY")) return p;
    const char* home = std::getenv("HOME");
    return home ? std::string(home) + "/.spate_sql_history" : "";
}

constexpr const char* k_shell_help =
    "Type SQL statements ending in ';' (they may span lines).\n"
    "  \\q     quit (also: quit, exit, Ctrl-D)\n"
    "  \\?     this help\n"
    "Ctrl-C discards the statement being typed or cancels the one running.\n";

// A backslash command or quit/exit typed at the primary prompt; false to quit.
bool run_meta(const std::string& cmd) {
    if (cmd == "\\q" || cmd == "quit" || cmd == "exit") return false;
    if (cmd == "\\?" || cmd == "help" || cmd == "\\h") {
        std::fputs(k_shell_help, stdout);
    } else {
        std::fprintf(stderr, "invalid command %s; try \\? for help\n", cmd.c_str());
    }
    return true;
}

std::string trimmed_line(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t;");
    return e == std::string::npos || e < b ? s.substr(b) : s.substr(b, e - b + 1);
}

void interactive(sql_session& s) {
    std::printf("spate sql: connected to %s\nType \\? for help, \\q to quit.\n\n",
                s.describe().c_str());
    rl_catch_signals = 0;
    std::string hist = history_path();
    using_history();
    if (!hist.empty()) read_history(hist.c_str());
    sql_statement_buffer buf;
    std::string entry;  // the input lines of the statements being typed, for the history
    std::string line;
    while (true) {
        auto ev = read_line(buf.pending() ? "spate-> " : "spate=> ", line);
        if (ev == input_event::eof) break;
        if (ev == input_event::interrupted) {
            buf.clear();
            entry.clear();
            continue;
        }
        std::string t = trimmed_line(line);
        bool meta = !t.empty() && (t[0] == '\\' || t == "quit" || t == "exit" || t == "help");
        if (!buf.pending() && meta) {
            add_history(line.c_str());
            if (!run_meta(t)) break;
            continue;
        }
        entry += entry.empty() ? line : "\n" + line;
        for (const auto& st : buf.feed(line))
            s.execute(st, stdout, stderr);
        if (!buf.pending()) {
            if (entry.find_first_not_of(" \t\n") != std::string::npos) add_history(entry.c_str());
            entry.clear();
        }
    }
    std::fputs("\n", stdout);
    if (!hist.empty()) {
        write_history(hist.c_str());
        history_truncate_file(hist.c_str(), 2000);
    }
}

}  // namespace

int run_sql(const sql_args& a) {
    install_sigint();
    auto session = sql_session::connect(a);
    if (!session.ok()) {
        std::fprintf(stderr, "spate sql: %s\n", session.err().message.c_str());
        return 1;
    }
    sql_session& s = **session;
    if (a.has_command) return run_script(s, a.command) ? 0 : 1;
    if (!a.file.empty() || !isatty(STDIN_FILENO)) {
        auto text = read_input(a.file.empty() ? "-" : a.file);
        if (!text.ok()) {
            std::fprintf(stderr, "spate sql: %s\n", text.err().message.c_str());
            return 1;
        }
        return run_script(s, *text) ? 0 : 1;
    }
    interactive(s);
    return 0;
}

std::pair<CLI::App*, std::function<int()>> add_sql_command(CLI::App& app) {
    auto args = std::make_shared<sql_args>();
    CLI::App* cmd = app.add_subcommand(
        "sql", "SQL shell for Spate's streaming SQL engine (PostgreSQL protocol)");
    cmd->add_option("--url", args->url, "Connection URL or libpq key=value string")
        ->capture_default_str();
    cmd->add_option("--host", args->host, "Server host (overrides the URL's)");
    cmd->add_option("-p,--port", args->port, "Server port (overrides the URL's)");
    cmd->add_option("-U,--user", args->user, "User name (overrides the URL's)");
    cmd->add_option("-d,--dbname", args->dbname, "Database name (overrides the URL's)");
    auto* c = cmd->add_option("-c,--command", args->command,
                              "Run these statements (';'-separated), then exit");
    auto* f = cmd->add_option("-f,--file", args->file,
                              "Run the statements of FILE ('-': stdin), then exit");
    c->excludes(f);
    cmd->footer(
        "Connects to Spate's PostgreSQL-protocol endpoint (spate serve --pg-listen) or any\n"
        "PostgreSQL server. Without -c or -f: an interactive shell, or the statements on\n"
        "stdin when it is not a terminal. Statements end with ';' (outside quotes and\n"
        "comments) and run one at a time; -c, -f and stdin stop at the first error (exit 1).\n\n"
        "Examples:\n"
        "  spate sql\n"
        "  spate sql -c 'SHOW SOURCES'\n"
        "  spate sql -f pipeline.sql --url postgresql://spate@127.0.0.1:6875/spate\n"
        "History of the interactive shell: ~/.spate_sql_history (SPATE_SQL_HISTORY).");
    return {cmd, [args, c] {
                args->has_command = c->count() > 0;
                return run_sql(*args);
            }};
}

}  // namespace spate::cli
