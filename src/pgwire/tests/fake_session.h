#pragma once

// A scripted sql::session_factory for the pgwire tests. Statements (by text):
//   SELECT          a INT4, b TEXT: (1,'one'), (2,NULL), (3,'three<TAB>tab')
//   SELECT BIG      n INT8: 0..2499
//   SELEC ...       syntax_error at position 8 (when preparing)
//   FAIL            prepares and starts; the first fetch fails (division_by_zero)
//   SLOW            the first fetch waits for cancel() (query_canceled)
//   STREAM          never ends, like SUBSCRIBE: a few empty chunks (nothing
//                   yet), the SELECT rows one per fetch, then empty chunks
//                   until cancel() (query_canceled); counts its cursors'
//                   destructions in the factory's `streams_closed`
//   COPY / COPY CSV the SELECT rows as COPY TO STDOUT (text / csv with header)
//   ECHO $1 ... $n  one row with the parameters (types: the hints, else text)
//   SET <name>      sets the reported setting <name> to "on"; tag SET
//   BEGIN / COMMIT  transaction state; tags BEGIN / COMMIT
// Opening database "nope" fails with invalid_catalog_name.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "sql/engine/session.h"

namespace spate::pgwire::testing {

using namespace spate::sql;

class fake_statement final : public statement {
  public:
    std::vector<data_type> params;
    std::vector<column_def> columns;
    std::optional<copy_out_options> copy;
    std::string sql;
    bool rows = true;

    const std::vector<data_type>& parameter_types() const override { return params; }
    const std::vector<column_def>& result_columns() const override { return columns; }
    bool returns_rows() const override { return rows; }
    std::optional<copy_out_options> copy_out() const override { return copy; }
    const std::string& text() const override { return sql; }
};

// Serves `data` in slices; `fail` replaces the first fetch with an error;
// `wait_cancel` blocks the first fetch until `canceled` is set.
class fake_cursor final : public cursor {
  public:
    chunk data;
    std::string tag;
    std::optional<sql_error> fail;
    std::atomic<bool>* canceled = nullptr;
    std::condition_variable* cv = nullptr;
    std::mutex* mu = nullptr;
    size_t at = 0;
    std::atomic<int>* stream_closed = nullptr;  // STREAM: set, counts destruction
    std::atomic<bool>* stream_canceled = nullptr;
    int idle_fetches = 0;

    ~fake_cursor() override {
        if (stream_closed) ++*stream_closed;
    }

    sql_result<std::optional<chunk>> next(size_t max_rows) override {
        if (fail) return *fail;
        if (stream_closed) return next_streamed();
        if (canceled) {
            std::unique_lock lock(*mu);
            bool got =
                cv->wait_for(lock, std::chrono::seconds(20), [&] { return canceled->load(); });
            if (got)
                return make_error(sql_errc::query_canceled,
                                  "canceling statement due to user request");
            return make_error(sql_errc::internal_error, "never canceled");
        }
        if (at >= data.rows()) return std::optional<chunk>();
        size_t n = std::min(max_rows, data.rows() - at);
        chunk c = data.slice(at, n);
        at += n;
        return std::optional<chunk>(std::move(c));
    }
    std::string command_tag() const override { return tag; }

  private:
    sql_result<std::optional<chunk>> next_streamed() {
        if (stream_canceled->load())
            return make_error(sql_errc::query_canceled, "canceling statement due to user request");
        if (++idle_fetches <= 3 || at >= data.rows()) return std::optional<chunk>(data.slice(0, 0));
        return std::optional<chunk>(data.slice(at++, 1));
    }
};

inline chunk select_rows() {
    column a(data_type::of(type_id::int32));
    column b(data_type::of(type_id::text));
    a.push<int32_t>(1);
    b.push_string("one");
    a.push<int32_t>(2);
    b.push_null();
    a.push<int32_t>(3);
    b.push_string("three\ttab");
    std::vector<column> cols;
    cols.push_back(std::move(a));
    cols.push_back(std::move(b));
    return chunk(std::move(cols));
}

class fake_session final : public session {
  public:
    std::atomic<bool> canceled{false};
    std::atomic<bool>* slow_started;
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, std::string> settings{
        {"server_version", "15.0"},  {"server_encoding", "UTF8"},
        {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"},
        {"integer_datetimes", "on"}, {"standard_conforming_strings", "on"}};
    std::vector<std::pair<std::string, std::string>> changed;
    bool first_report = true;
    transaction_state tx = transaction_state::idle;

    std::atomic<int>* streams_closed;

    fake_session(std::atomic<bool>* started, std::atomic<int>* closed)
        : slow_started(started), streams_closed(closed) {}

    sql_result<std::vector<std::shared_ptr<statement>>> prepare_all(std::string_view sql) override {
        std::vector<std::shared_ptr<statement>> out;
        size_t start = 0;
        while (start <= sql.size()) {
            size_t end = sql.find(';', start);
            if (end == std::string_view::npos) end = sql.size();
            std::string_view piece = trim(sql.substr(start, end - start));
            if (!piece.empty()) {
                auto s = prepare(piece, {});
                if (!s.ok()) return s.error();
                out.push_back(std::move(s).value());
            }
            start = end + 1;
        }
        return out;
    }

    sql_result<std::shared_ptr<statement>> prepare(std::string_view sql,
                                                   const std::vector<data_type>& hints) override {
        auto s = std::make_shared<fake_statement>();
        s->sql = std::string(sql);
        if (sql.starts_with("SELEC ")) {
            sql_error e = make_error(sql_errc::syntax_error, "syntax error at or near \"x\"", 8);
            e.hint = "check the spelling";
            return e;
        }
        if (sql == "SELECT" || sql.starts_with("COPY") || sql == "SLOW" || sql == "FAIL" ||
            sql == "STREAM") {
            s->columns = {{"a", data_type::of(type_id::int32)},
                          {"b", data_type::of(type_id::text)}};
            if (sql == "COPY") s->copy = copy_out_options{};
            if (sql == "COPY CSV") s->copy = copy_out_options{true, ',', true};
        } else if (sql == "SELECT BIG") {
            s->columns = {{"n", data_type::of(type_id::int64)}};
        } else if (sql.starts_with("ECHO")) {
            size_t n = static_cast<size_t>(std::count(sql.begin(), sql.end(), '$'));
            for (size_t i = 0; i < n; ++i) {
                data_type t = i < hints.size() && hints[i].id != type_id::unknown
                                  ? hints[i]
                                  : data_type::of(type_id::text);
                s->params.push_back(t);
                s->columns.push_back({"p" + std::to_string(i + 1), t});
            }
        } else if (sql.starts_with("SET ") || sql == "BEGIN" || sql == "COMMIT") {
            s->rows = false;
        } else {
            return make_error(sql_errc::syntax_error, "unknown fake statement", 1);
        }
        return std::shared_ptr<statement>(s);
    }

    sql_result<std::unique_ptr<cursor>> execute(std::shared_ptr<statement> stmt,
                                                std::vector<value> parameters) override {
        auto c = std::make_unique<fake_cursor>();
        const std::string& sql = stmt->text();
        c->tag = "SELECT";
        if (sql == "SELECT" || sql.starts_with("COPY")) {
            c->data = select_rows();
        } else if (sql == "SELECT BIG") {
            column n(data_type::of(type_id::int64));
            for (int64_t i = 0; i < 2500; ++i)
                n.push<int64_t>(i);
            std::vector<column> cols;
            cols.push_back(std::move(n));
            c->data = chunk(std::move(cols));
        } else if (sql == "STREAM") {
            canceled = false;
            c->data = select_rows();
            c->stream_closed = streams_closed;
            c->stream_canceled = &canceled;
        } else if (sql == "FAIL") {
            c->fail = make_error(sql_errc::division_by_zero, "division by zero");
        } else if (sql == "SLOW") {
            canceled = false;
            c->canceled = &canceled;
            c->cv = &cv;
            c->mu = &mu;
            *slow_started = true;
        } else if (sql.starts_with("ECHO")) {
            std::vector<column> cols;
            for (const auto& v : parameters) {
                column col(v.type());
                v.append_to(col);
                cols.push_back(std::move(col));
            }
            c->data = chunk(std::move(cols));
        } else if (sql.starts_with("SET ")) {
            std::string name = sql.substr(4);
            settings[name] = "on";
            changed.emplace_back(name, "on");
            c->tag = "SET";
        } else if (sql == "BEGIN") {
            tx = transaction_state::in_transaction;
            c->tag = "BEGIN";
        } else if (sql == "COMMIT") {
            tx = transaction_state::idle;
            c->tag = "COMMIT";
        }
        if (c->tag == "SELECT") c->tag = "SELECT " + std::to_string(c->data.rows());
        return std::unique_ptr<cursor>(std::move(c));
    }

    void cancel() override {
        std::lock_guard lock(mu);
        canceled = true;
        cv.notify_all();
    }

    std::optional<std::string> setting(std::string_view name) const override {
        auto it = settings.find(std::string(name));
        if (it == settings.end()) return std::nullopt;
        return it->second;
    }
    sql_status set_setting(std::string_view name, std::string_view value) override {
        settings[std::string(name)] = std::string(value);
        return {};
    }
    std::vector<std::pair<std::string, std::string>> take_reported_settings() override {
        if (first_report) {
            first_report = false;
            changed.clear();
            return {settings.begin(), settings.end()};
        }
        return std::exchange(changed, {});
    }
    transaction_state transaction() const override { return tx; }

  private:
    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\n'))
            s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\n'))
            s.remove_suffix(1);
        return s;
    }
};

class fake_session_factory final : public session_factory {
  public:
    std::atomic<bool> slow_started{false};
    std::atomic<int> opened{0};
    std::atomic<int> streams_closed{0};
    std::mutex mu;
    session_options last;  // of the last open(), under mu

    sql_result<std::unique_ptr<session>> open(const session_options& o) override {
        if (o.database == "nope")
            return make_error(sql_errc::invalid_catalog_name, "database \"nope\" does not exist");
        ++opened;
        {
            std::lock_guard lock(mu);
            last = o;
        }
        return std::unique_ptr<session>(
            std::make_unique<fake_session>(&slow_started, &streams_closed));
    }
};

}  // namespace spate::pgwire::testing
