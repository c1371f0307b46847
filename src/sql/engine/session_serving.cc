#include "sql/engine/session_serving.h"

#include <limits>

#include "sql/engine/explain_analyze.h"
#include "sql/engine/subscribe.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

constexpr int64_t k_cursor_opt_hold = 0x0020;  // PostgreSQL's CURSOR_OPT_HOLD

std::unique_ptr<cursor> command(std::string tag) {
    return std::make_unique<static_cursor>(std::nullopt, std::move(tag));
}

sql_status prepare_subscribe(statement_impl& s, const engine& e) {
    const parsed_statement& p = s.parsed;
    auto rel = e.objects().find_relation(p.name);
    if (!rel)
        return make_error(sql_errc::undefined_table, "relation \"" + p.name + "\" does not exist",
                          p.offset + 1);
    s.relation = *rel;
    if (p.cursor.empty()) {
        s.op = statement_op::subscribe;
        s.columns = subscribe_columns(s.relation);
        return {};
    }
    s.op = statement_op::declare_cursor;
    s.subscribes = true;
    s.cursor_name = p.cursor;
    s.with_hold = p.with_hold;
    s.cursor_columns = subscribe_columns(s.relation);
    return {};
}

sql_status prepare_explain_analyze(statement_impl& s, const engine& e) {
    const parsed_statement& p = s.parsed;
    auto o = e.objects().find(p.name);
    bool kind_ok =
        o && o->kind != catalog_kind::source &&
        (!p.kind_given || (p.objects == object_kind::sink) == (o->kind == catalog_kind::sink));
    if (!kind_ok) {
        std::string what = !p.kind_given                    ? "materialized view or sink"
                           : p.objects == object_kind::sink ? "sink"
                                                            : "materialized view";
        return make_error(sql_errc::undefined_object, what + " \"" + p.name + "\" does not exist",
                          p.offset + 1);
    }
    s.op = statement_op::explain_analyze;
    s.columns = explain_analyze_columns();
    return {};
}

sql_status prepare_fetch(statement_impl& s, const json& n, const named_cursors& cursors) {
    std::string direction = n.value("direction", "FETCH_FORWARD");
    if (direction != "FETCH_FORWARD")
        return make_error(sql_errc::feature_not_supported,
                          "cursors only move forward (FETCH [FORWARD] n | ALL)",
                          s.parsed.offset + 1);
    s.op = statement_op::fetch;
    s.cursor_name = n.value("portalname", "");
    int64_t many = n.value("howMany", int64_t{0});
    s.fetch_count = many == std::numeric_limits<int64_t>::max() ? -1 : many;
    s.fetch_move = n.value("ismove", false);
    if (!s.fetch_move)
        if (const auto* cols = cursors.columns(s.cursor_name)) s.columns = *cols;
    return {};
}

sql_result<std::unique_ptr<cursor>> run_fetch(statement_impl& s, const serving_context& c) {
    const auto* cols = c.cursors.columns(s.cursor_name);
    if (!cols)
        return make_error(sql_errc::invalid_cursor_name,
                          "cursor \"" + s.cursor_name + "\" does not exist", s.parsed.offset + 1);
    // Known once the cursor exists (DECLARE and FETCH in one query string).
    if (!s.fetch_move) s.columns = *cols;
    auto rows = c.cursors.fetch(s.cursor_name, s.fetch_count, c.fetch_wait);
    if (!rows.ok()) return rows.error();
    std::string tag = (s.fetch_move ? "MOVE " : "FETCH ") + std::to_string(rows.value().rows());
    if (s.fetch_move) return command(tag);
    return std::unique_ptr<cursor>(
        std::make_unique<static_cursor>(std::move(rows).value(), std::move(tag)));
}

}  // namespace

sql_status prepare_serving(statement_impl& s, const engine& e, const named_cursors& cursors) {
    const parsed_statement& p = s.parsed;
    if (p.kind == statement_kind::subscribe) return prepare_subscribe(s, e);
    if (p.kind == statement_kind::explain_analyze) return prepare_explain_analyze(s, e);
    const std::string& kind = p.tree.begin().key();
    const json& n = p.tree.begin().value();
    if (kind == "FetchStmt") return prepare_fetch(s, n, cursors);
    if (kind == "ClosePortalStmt") {
        s.op = statement_op::close_cursor;
        s.cursor_name = n.value("portalname", "");
        return {};
    }
    if (kind == "DeclareCursorStmt") {
        s.op = statement_op::declare_cursor;
        s.cursor_name = n.value("portalname", "");
        s.with_hold = (n.value("options", int64_t{0}) & k_cursor_opt_hold) != 0;
        return {};
    }
    return make_error(sql_errc::internal_error, "not a serving statement: " + kind);
}

sql_result<std::unique_ptr<cursor>> declare_cursor(statement_impl& s, named_cursors& cursors,
                                                   std::unique_ptr<cursor> rows) {
    if (auto st =
            cursors.declare(s.cursor_name, std::move(rows), s.cursor_columns, s.with_hold, s.plan);
        !st.ok()) {
        sql_error e = st.error();
        e.position = s.parsed.offset + 1;
        return e;
    }
    return command("DECLARE CURSOR");
}

sql_result<std::unique_ptr<cursor>> run_serving(statement_impl& s, const serving_context& c) {
    switch (s.op) {
        case statement_op::subscribe: {
            auto sub = open_subscription(c.e, s.relation, s.parsed.options, c.cancelled);
            if (!sub.ok()) return sub.error();
            return std::unique_ptr<cursor>(std::move(sub).value());
        }
        case statement_op::declare_cursor: {
            auto sub = open_subscription(c.e, s.relation, s.parsed.options, c.cancelled);
            if (!sub.ok()) return sub.error();
            return declare_cursor(s, c.cursors, std::move(sub).value());
        }
        case statement_op::fetch:
            return run_fetch(s, c);
        case statement_op::close_cursor:
            if (s.cursor_name.empty()) {
                c.cursors.close_all();
                return command("CLOSE CURSOR ALL");
            }
            if (auto st = c.cursors.close(s.cursor_name); !st.ok()) return st.error();
            return command("CLOSE CURSOR");
        case statement_op::explain_analyze: {
            auto ops = c.e.query_operators(s.parsed.name);
            if (!ops.ok()) return ops.error();
            return std::unique_ptr<cursor>(
                std::make_unique<static_cursor>(explain_analyze_rows(ops.value()), "EXPLAIN"));
        }
        default:
            return make_error(sql_errc::internal_error, "not a serving statement");
    }
}

}  // namespace spate::sql
