#include "sql/engine/session_impl.h"

#include <atomic>
#include <chrono>

#include "base/log.h"
#include "sql/engine/authorization.h"
#include "sql/engine/named_cursors.h"
#include "sql/engine/session_serving.h"
#include "sql/engine/settings.h"
#include "sql/engine/statement_impl.h"
#include "sql/plan/bind_util.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/types/text_io.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

int64_t now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// EXPLAIN's options (libpg_query DefElems) ask for ANALYZE: `EXPLAIN ANALYZE`
// or `EXPLAIN (ANALYZE [true|on|1])`.
bool explain_analyzes(const json& explain) {
    if (!explain.contains("options")) return false;
    for (const auto& o : explain["options"]) {
        const json& d = o.contains("DefElem") ? o["DefElem"] : o;
        if (d.value("defname", "") != "analyze") continue;
        if (!d.contains("arg")) return true;
        const json& arg = d["arg"];
        if (arg.contains("Integer")) return arg["Integer"].value("ival", 0) != 0;
        if (arg.contains("Boolean")) return arg["Boolean"].value("boolval", false);
        std::string v = arg.contains("String") ? arg["String"].value("sval", "") : "";
        return v != "false" && v != "off" && v != "no" && v != "0";
    }
    return false;
}

class session_impl final : public session {
  public:
    session_impl(std::shared_ptr<engine> e, const session_options& o)
        : _engine(std::move(e))
        , _settings(o.user, o.application_name)
        , _who{o.principal.empty() ? "User:" + o.user : o.principal, o.host} {
        for (const auto& [k, v] : o.startup_parameters)
            if (k != "user" && k != "database" && k != "options" && k != "replication")
                _settings.set(k, v);
    }

    sql_result<std::vector<std::shared_ptr<statement>>> prepare_all(std::string_view sql) override {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return failed(parsed.error());
        std::vector<std::shared_ptr<statement>> out;
        for (auto& p : parsed.value()) {
            auto s = prepare_one(std::move(p), {});
            if (!s.ok()) return failed(s.error());
            out.push_back(s.value());
        }
        return out;
    }

    sql_result<std::shared_ptr<statement>> prepare(std::string_view sql,
                                                   const std::vector<data_type>& hints) override {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return failed(parsed.error());
        if (parsed.value().size() > 1)
            return failed(make_error(sql_errc::syntax_error,
                                     "cannot insert multiple commands into a prepared statement"));
        if (parsed.value().empty()) {
            auto s = std::make_shared<statement_impl>();
            s->op = statement_op::noop;
            s->tag = "";
            return std::shared_ptr<statement>(s);
        }
        return prepare_one(std::move(parsed.value()[0]), hints);
    }

    sql_result<std::unique_ptr<cursor>> execute(std::shared_ptr<statement> stmt,
                                                std::vector<value> parameters) override {
        _cancel.store(false);
        auto* s = static_cast<statement_impl*>(stmt.get());
        auto c = run(*s, std::move(parameters));
        if (!c.ok()) return failed(c.error());
        return c;
    }

    void cancel() override { _cancel.store(true); }

    std::optional<std::string> setting(std::string_view name) const override {
        return _settings.get(name);
    }
    sql_status set_setting(std::string_view name, std::string_view v) override {
        _settings.set(name, std::string(v));
        return {};
    }
    std::vector<std::pair<std::string, std::string>> take_reported_settings() override {
        return _settings.take_reported();
    }
    transaction_state transaction() const override { return _txn; }

  private:
    sql_error failed(sql_error e) {
        if (_txn == transaction_state::in_transaction) _txn = transaction_state::failed;
        return e;
    }

    bind_context binder_for(const parsed_statement& p, const std::vector<data_type>& hints) {
        bind_context ctx;
        ctx.cat = &_engine->objects();
        ctx.statement = &p;
        ctx.tree_offset = p.tree_offset;
        ctx.parameter_types = hints;
        ctx.now_micros = now_micros();
        ctx.setting = [this](std::string_view n) { return _settings.get(n); };
        return ctx;
    }

    sql_result<std::shared_ptr<statement>> prepare_one(parsed_statement p,
                                                       const std::vector<data_type>& hints);
    sql_status prepare_query(statement_impl& s, const json& query,
                             const std::vector<data_type>& hints);
    // A statement of PostgreSQL's own grammar (not the extension layer).
    sql_status prepare_pg(statement_impl& s, const std::vector<data_type>& hints);
    sql_status prepare_explain(statement_impl& s, const std::vector<data_type>& hints);
    sql_status prepare_copy(statement_impl& s, const std::vector<data_type>& hints);
    sql_status prepare_sink_explain(statement_impl& s);
    sql_result<std::unique_ptr<cursor>> run_explain(statement_impl& s, std::vector<value> params);
    void explain_lines(statement_impl& s, const statement_impl& inner, const std::string& header);
    sql_status prepare_variable(statement_impl& s);
    sql_status prepare_declare(statement_impl& s, const std::vector<data_type>& hints);
    serving_context serving();
    sql_result<std::unique_ptr<cursor>> run(statement_impl& s, std::vector<value> params);
    sql_result<std::unique_ptr<cursor>> run_query(statement_impl& s, std::vector<value> params);
    std::unique_ptr<cursor> show_objects(const statement_impl& s);

    // READ on the source topics `s` reads (a query's scans, SUBSCRIBE's
    // relation, EXPLAIN ANALYZE's query), checked at each execution.
    sql_status authorize_run(const statement_impl& s);

    std::shared_ptr<engine> _engine;
    session_settings _settings;
    access_subject _who;
    std::atomic<bool> _cancel{false};
    transaction_state _txn = transaction_state::idle;
    named_cursors _cursors;  // DECLAREd; destroyed before _cancel, which they read
};

std::unique_ptr<cursor> command(std::string tag) {
    return std::make_unique<static_cursor>(std::nullopt, std::move(tag));
}

// Columns of SHOW SOURCES | SINKS | MATERIALIZED VIEWS.
std::vector<column_def> show_columns(object_kind k) {
    const data_type text = data_type::of(type_id::text);
    switch (k) {
        case object_kind::source:
            return {{"name", text}, {"topic", text}, {"format", text}};
        case object_kind::view:
            return {{"name", text}, {"topic", text}, {"status", text}};
        case object_kind::sink:
            return {{"name", text}, {"topic", text}, {"format", text}, {"status", text}};
    }
    return {};
}

sql_result<std::shared_ptr<statement>> session_impl::prepare_one(
    parsed_statement p, const std::vector<data_type>& hints) {
    auto s = std::make_shared<statement_impl>();
    s->parsed = std::move(p);
    const parsed_statement& ps = s->parsed;
    switch (ps.kind) {
        case statement_kind::create_source:
            s->op = statement_op::create_source;
            break;
        case statement_kind::create_sink:
            s->op = statement_op::create_sink;
            if (ps.explain)
                if (auto st = prepare_sink_explain(*s); !st.ok()) return failed(st.error());
            break;
        case statement_kind::drop_objects:
            s->op = statement_op::drop;
            s->drop_kind =
                ps.objects == object_kind::source ? catalog_kind::source : catalog_kind::sink;
            break;
        case statement_kind::show_objects:
            s->op = statement_op::show_objects;
            s->columns = show_columns(ps.objects);
            break;
        case statement_kind::pg:
            if (auto st = prepare_pg(*s, hints); !st.ok()) return failed(st.error());
            break;
        case statement_kind::subscribe:
        case statement_kind::explain_analyze:
            if (auto st = prepare_serving(*s, *_engine, _cursors); !st.ok())
                return failed(st.error());
            break;
    }
    return std::shared_ptr<statement>(s);
}

sql_status session_impl::prepare_pg(statement_impl& s, const std::vector<data_type>& hints) {
    const parsed_statement& ps = s.parsed;
    const std::string& kind = ps.tree.begin().key();
    const json& node = ps.tree.begin().value();
    auto unsupported = [&](const std::string& what) {
        return make_error(sql_errc::feature_not_supported, what, ps.offset + 1);
    };
    if (kind == "SelectStmt") {
        s.op = statement_op::query;
        return prepare_query(s, ps.tree, hints);
    }
    if (kind == "ExplainStmt") return prepare_explain(s, hints);
    if (kind == "DeclareCursorStmt") return prepare_declare(s, hints);
    if (kind == "FetchStmt" || kind == "ClosePortalStmt")
        return prepare_serving(s, *_engine, _cursors);
    if (kind == "CopyStmt") return prepare_copy(s, hints);
    if (kind == "VariableSetStmt" || kind == "VariableShowStmt") return prepare_variable(s);
    if (kind == "CreateTableAsStmt" && node.value("objtype", "") == "OBJECT_MATVIEW") {
        s.op = statement_op::create_view;
        return {};
    }
    if (kind == "DropStmt" && node.value("removeType", "") == "OBJECT_MATVIEW") {
        s.op = statement_op::drop;
        s.drop_kind = catalog_kind::view;
        s.parsed.cascade = node.value("behavior", "") == "DROP_CASCADE";
        s.parsed.if_exists = node.value("missing_ok", false);
        for (const auto& obj : node["objects"])
            s.parsed.names.push_back(obj["List"]["items"].back()["String"].value("sval", ""));
        return {};
    }
    if (kind == "TransactionStmt") {
        std::string k = node.value("kind", "");
        if (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START") {
            s.op = statement_op::begin;
        } else if (k == "TRANS_STMT_COMMIT") {
            s.op = statement_op::commit;
        } else if (k == "TRANS_STMT_ROLLBACK") {
            s.op = statement_op::rollback;
        } else {
            return unsupported("transaction statement " + k + " is not supported");
        }
        return {};
    }
    if (kind == "DiscardStmt" || kind == "DeallocateStmt" || kind == "ListenStmt" ||
        kind == "UnlistenStmt") {
        s.op = statement_op::noop;
        s.tag = kind == "DiscardStmt"      ? "DISCARD ALL"
                : kind == "DeallocateStmt" ? "DEALLOCATE"
                : kind == "ListenStmt"     ? "LISTEN"
                                           : "UNLISTEN";
        return {};
    }
    if (kind == "CreateStmt")
        return unsupported("CREATE TABLE is not supported: use CREATE SOURCE to read a topic");
    std::string what = kind.size() > 4 ? kind.substr(0, kind.size() - 4) : kind;
    return unsupported("statement " + what + " is not supported");
}

sql_status session_impl::prepare_declare(statement_impl& s, const std::vector<data_type>& hints) {
    if (auto st = prepare_serving(s, *_engine, _cursors); !st.ok()) return st;
    const json& query = s.parsed.tree["DeclareCursorStmt"]["query"];
    if (!query.contains("SelectStmt"))
        return make_error(sql_errc::feature_not_supported,
                          "DECLARE CURSOR takes a query or SUBSCRIBE", s.parsed.offset + 1);
    if (auto st = prepare_query(s, query, hints); !st.ok()) return st;
    s.cursor_columns = std::move(s.columns);
    s.columns.clear();
    return {};
}

serving_context session_impl::serving() {
    int64_t wait_ms = 1000;
    if (auto v = _settings.get("spate.fetch_timeout_ms")) {
        try {
            wait_ms = std::max<int64_t>(0, std::stoll(*v));
        } catch (const std::exception&) {
            logging::get("sql").warn("spate.fetch_timeout_ms = '{}' is not a number", *v);
        }
    }
    return {*_engine, _cursors, &_cancel, std::chrono::milliseconds(wait_ms)};
}

sql_status session_impl::prepare_query(statement_impl& s, const json& query,
                                       const std::vector<data_type>& hints) {
    auto ctx = binder_for(s.parsed, hints);
    auto plan = bind_query(query, ctx);
    if (!plan.ok()) return plan.error();
    s.plan = optimize(plan.value());
    s.params = ctx.parameter_types;
    for (auto& t : s.params)
        if (t.id == type_id::unknown) t = data_type::of(type_id::text);
    s.columns = s.plan->schema;
    return {};
}

sql_status session_impl::prepare_explain(statement_impl& s, const std::vector<data_type>& hints) {
    s.op = statement_op::explain;
    const json& q = s.parsed.tree["ExplainStmt"]["query"];
    json select = q;
    std::string header;
    if (q.contains("CreateTableAsStmt")) {
        select = q["CreateTableAsStmt"]["query"];
        header = "Sink topic " + std::string("__spate_view_") +
                 q["CreateTableAsStmt"]["into"]["rel"].value("relname", "") + " (json)";
    }
    if (!select.contains("SelectStmt"))
        return make_error(sql_errc::feature_not_supported,
                          "EXPLAIN supports queries and materialized views", s.parsed.offset + 1);
    statement_impl inner;
    inner.parsed = s.parsed;
    if (auto st = prepare_query(inner, select, hints); !st.ok()) return st;
    s.params = inner.params;
    explain_lines(s, inner, header);
    if (header.empty() && explain_analyzes(s.parsed.tree["ExplainStmt"]))
        s.analyzed = std::make_shared<statement_impl>(std::move(inner));
    return {};
}

// Runs the analyzed query to its end: the plan's lines, then the rows it
// returned and the server time from start to the last row (PostgreSQL's
// "Execution Time"). The rows themselves are not sent.
sql_result<std::unique_ptr<cursor>> session_impl::run_explain(statement_impl& s,
                                                              std::vector<value> params) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : s.lines)
        rows.push_back({l});
    if (s.analyzed) {
        auto start = std::chrono::steady_clock::now();
        auto c = run_query(*s.analyzed, std::move(params));
        if (!c.ok()) return c.error();
        int64_t n = 0;
        for (;;) {
            auto part = c.value()->next(8192);
            if (!part.ok()) return part.error();
            if (!part.value()) break;
            n += int64_t(part.value()->rows());
        }
        std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
        rows.push_back({"Rows: " + std::to_string(n)});
        rows.push_back({fmt::format("Execution Time: {:.3f} ms", took.count())});
    }
    return std::unique_ptr<cursor>(std::make_unique<static_cursor>(text_rows(rows, 1), "EXPLAIN"));
}

void session_impl::explain_lines(statement_impl& s, const statement_impl& inner,
                                 const std::string& header) {
    s.columns = {{"QUERY PLAN", data_type::of(type_id::text)}};
    if (!header.empty()) s.lines.push_back(header);
    std::string text = explain(*inner.plan);
    size_t begin = 0;
    while (begin < text.size()) {
        size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        s.lines.push_back((header.empty() ? "" : "  ") + text.substr(begin, end - begin));
        begin = end + 1;
    }
}

sql_status session_impl::prepare_sink_explain(statement_impl& s) {
    s.op = statement_op::explain;
    statement_impl inner;
    inner.parsed = s.parsed;
    json query = s.parsed.tree;
    if (!s.parsed.from.empty()) {
        auto parsed = parse_sql("SELECT * FROM \"" + s.parsed.from + "\"");
        if (!parsed.ok()) return parsed.error();
        query = parsed.value()[0].tree;
        inner.parsed.tree_offset = 0;
    }
    if (auto st = prepare_query(inner, query, {}); !st.ok()) return st;
    std::string topic, format = "json";
    for (const auto& o : s.parsed.options) {
        if (o.key == "topic") topic = o.value;
        if (o.key == "format") format = o.value;
    }
    explain_lines(s, inner, "Sink " + s.parsed.name + " -> topic " + topic + " (" + format + ")");
    return {};
}

sql_status session_impl::prepare_copy(statement_impl& s, const std::vector<data_type>& hints) {
    const json& c = s.parsed.tree["CopyStmt"];
    if (c.value("is_from", false) || c.contains("filename") || c.value("is_program", false))
        return make_error(sql_errc::feature_not_supported, "only COPY ... TO STDOUT is supported",
                          s.parsed.offset + 1);
    copy_out_options o;
    if (c.contains("options")) {
        for (const auto& d : c["options"]) {
            const json& de = d["DefElem"];
            std::string name = de.value("defname", "");
            std::string v = de.contains("arg") && de["arg"].contains("String")
                                ? de["arg"]["String"].value("sval", "")
                                : "";
            if (name == "format") {
                if (v != "csv" && v != "text")
                    return make_error(sql_errc::feature_not_supported,
                                      "COPY format " + v + " is not supported",
                                      s.parsed.offset + 1);
                o.csv = v == "csv";
                if (o.csv) o.delimiter = ',';
            } else if (name == "header") {
                o.header = !de.contains("arg") || v == "true" || v == "on" || v.empty();
            } else if (name == "delimiter" && v.size() == 1) {
                o.delimiter = v[0];
            } else {
                return make_error(sql_errc::feature_not_supported,
                                  "COPY option " + name + " is not supported", s.parsed.offset + 1);
            }
        }
    }
    s.op = statement_op::query;
    s.copy = o;
    if (c.contains("query")) return prepare_query(s, c["query"], hints);
    std::string rel = c["relation"].value("relname", "");
    auto parsed = parse_sql("SELECT * FROM \"" + rel + "\"");
    if (!parsed.ok()) return parsed.error();
    return prepare_query(s, parsed.value()[0].tree, hints);
}

sql_status session_impl::prepare_variable(statement_impl& s) {
    const std::string& kind = s.parsed.tree.begin().key();
    const json& n = s.parsed.tree.begin().value();
    std::string name = n.value("name", "");
    if (kind == "VariableShowStmt") {
        s.op = statement_op::show_setting;
        s.setting_name = name;
        if (name == "all") {
            s.columns = {{"name", data_type::of(type_id::text)},
                         {"setting", data_type::of(type_id::text)}};
        } else if (name == "sources" || name == "sinks") {
            s.op = statement_op::show_objects;
            s.parsed.objects = name == "sources" ? object_kind::source : object_kind::sink;
            s.columns = show_columns(s.parsed.objects);
        } else {
            if (!_settings.get(name) && name != "transaction_isolation")
                return make_error(sql_errc::undefined_object,
                                  "unrecognized configuration parameter \"" + name + "\"",
                                  s.parsed.offset + 1);
            s.columns = {{name, data_type::of(type_id::text)}};
        }
        return {};
    }
    std::string k = n.value("kind", "");
    s.setting_name = name == "timezone" ? "TimeZone" : name;
    if (k == "VAR_RESET" || k == "VAR_RESET_ALL" || k == "VAR_SET_DEFAULT") {
        s.op = statement_op::reset_setting;
        if (k == "VAR_RESET_ALL") s.setting_name = "";
        s.tag = k == "VAR_SET_DEFAULT" ? "SET" : "RESET";
        return {};
    }
    s.op = statement_op::set_setting;
    s.tag = "SET";
    if (k == "VAR_SET_MULTI") {  // SET TRANSACTION ...: accepted, no effect
        s.op = statement_op::noop;
        return {};
    }
    std::string v;
    if (n.contains("args")) {
        for (const auto& a : n["args"]) {
            std::string part;
            if (a.contains("A_Const")) {
                const json& c = a["A_Const"];
                if (c.contains("sval"))
                    part = c["sval"].value("sval", "");
                else
                    part =
                        std::string(literal_at(binder_for(s.parsed, {}), c.value("location", -1)));
            } else if (a.contains("TypeCast")) {
                part = a["TypeCast"]["arg"]["A_Const"]["sval"].value("sval", "");
            }
            v += (v.empty() ? "" : ", ") + part;
        }
    }
    s.setting_value = v;
    return {};
}

sql_status session_impl::authorize_run(const statement_impl& s) {
    auto* policy = _engine->access();
    if (!policy) return {};
    std::vector<std::string> relations;
    std::string what = "SELECT";
    if (s.op == statement_op::query || (s.op == statement_op::declare_cursor && !s.subscribes)) {
        relations = scanned_relations(s.plan);
        if (s.copy) what = "COPY";
    } else if (s.op == statement_op::explain && s.analyzed) {
        relations = scanned_relations(s.analyzed->plan);
        what = "EXPLAIN ANALYZE";
    } else if (s.op == statement_op::subscribe || s.op == statement_op::declare_cursor) {
        relations = {s.relation.name};
        what = "SUBSCRIBE";
    }
    if (relations.empty()) return {};
    return authorize_reads(policy, _who, relations, _engine->objects(), what);
}

sql_result<std::unique_ptr<cursor>> session_impl::run(statement_impl& s,
                                                      std::vector<value> params) {
    const parsed_statement& p = s.parsed;
    if (auto st = authorize_run(s); !st.ok()) return st.error();
    switch (s.op) {
        case statement_op::query:
            return run_query(s, std::move(params));
        case statement_op::explain:
            return run_explain(s, std::move(params));
        case statement_op::create_source: {
            if (auto st = _engine->create_source(p, _who); !st.ok()) return st.error();
            return command("CREATE SOURCE");
        }
        case statement_op::create_view: {
            if (auto st = _engine->create_view(p, _who); !st.ok()) return st.error();
            return command("CREATE MATERIALIZED VIEW");
        }
        case statement_op::create_sink: {
            if (auto st = _engine->create_sink(p, _who); !st.ok()) return st.error();
            return command("CREATE SINK");
        }
        case statement_op::drop: {
            if (auto st = _engine->drop(s.drop_kind, p.names, p.if_exists, p.cascade); !st.ok()) {
                sql_error e = st.error();
                if (e.position == 0) e.position = p.offset + 1;
                return e;
            }
            return command(s.drop_kind == catalog_kind::source ? "DROP SOURCE"
                           : s.drop_kind == catalog_kind::sink ? "DROP SINK"
                                                               : "DROP MATERIALIZED VIEW");
        }
        case statement_op::show_objects:
            return show_objects(s);
        case statement_op::show_setting: {
            std::vector<std::vector<std::string>> rows;
            if (s.setting_name == "all") {
                for (const auto& [k, v] : _settings.all())
                    rows.push_back({k, v});
            } else {
                rows.push_back({_settings.get(s.setting_name).value_or("read committed")});
            }
            return std::unique_ptr<cursor>(
                std::make_unique<static_cursor>(text_rows(rows, s.columns.size()), "SHOW"));
        }
        case statement_op::set_setting:
            _settings.set(s.setting_name, s.setting_value);
            return command("SET");
        case statement_op::reset_setting:
            if (s.setting_name.empty()) {
                _settings.reset_all();
            } else {
                _settings.reset(s.setting_name);
            }
            return command(s.tag);
        case statement_op::begin:
            if (_txn == transaction_state::idle) _txn = transaction_state::in_transaction;
            return command("BEGIN");
        case statement_op::commit: {
            bool rolled_back = _txn == transaction_state::failed;
            _txn = transaction_state::idle;
            _cursors.end_transaction();
            return command(rolled_back ? "ROLLBACK" : "COMMIT");
        }
        case statement_op::rollback:
            _txn = transaction_state::idle;
            _cursors.end_transaction();
            return command("ROLLBACK");
        case statement_op::noop:
            return command(s.tag);
        case statement_op::declare_cursor:
            if (!s.subscribes) {
                auto rows = run_query(s, std::move(params));
                if (!rows.ok()) return rows;
                return declare_cursor(s, _cursors, std::move(rows).value());
            }
            return run_serving(s, serving());
        case statement_op::subscribe:
        case statement_op::fetch:
        case statement_op::close_cursor:
        case statement_op::explain_analyze:
            return run_serving(s, serving());
    }
    return make_error(sql_errc::internal_error, "unknown statement");
}

sql_result<std::unique_ptr<cursor>> session_impl::run_query(statement_impl& s,
                                                            std::vector<value> params) {
    auto env = std::make_unique<batch_env>();
    env->kafka = _engine->options().kafka;
    env->schemas = _engine->schemas();
    env->replicas = &_engine->replicas();
    env->cancelled = &_cancel;
    env->ctx.statement_time_micros = now_micros();
    env->ctx.cancelled = &_cancel;
    env->parameter_values = std::move(params);
    env->ctx.parameters = env->parameter_values;
    auto root = build_batch(s.plan, *env);
    if (!root.ok()) return root.error();
    return std::unique_ptr<cursor>(std::make_unique<query_cursor>(
        std::move(env), std::move(root.value()), s.copy.has_value()));
}

std::unique_ptr<cursor> session_impl::show_objects(const statement_impl& s) {
    std::vector<std::vector<std::string>> rows;
    catalog_kind k = s.parsed.objects == object_kind::source ? catalog_kind::source
                     : s.parsed.objects == object_kind::sink ? catalog_kind::sink
                                                             : catalog_kind::view;
    for (const auto& o : _engine->objects().list(k)) {
        if (k == catalog_kind::source) {
            rows.push_back({o.name, o.relation.topic, std::string(format_name(o.relation.format))});
        } else if (k == catalog_kind::view) {
            rows.push_back({o.name, o.output_topic, _engine->query_status(o.name)});
        } else {
            rows.push_back({o.name, o.output_topic, std::string(format_name(o.output_format)),
                            _engine->query_status(o.name)});
        }
    }
    return std::make_unique<static_cursor>(text_rows(rows, s.columns.size()), "SHOW");
}

}  // namespace

std::unique_ptr<session> make_session(std::shared_ptr<engine> e, const session_options& o) {
    return std::make_unique<session_impl>(std::move(e), o);
}

}  // namespace spate::sql
