// Binding of FROM clauses (bind_from.h).

#include "sql/plan/bind_from.h"

#include <string>

#include "sql/catalog/system_tables.h"
#include "sql/plan/bind_util.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

sql_error at(sql_errc c, std::string msg, const json& n, const bind_context& ctx) {
    return make_error(c, std::move(msg), ctx.position(location_of(n)));
}

std::string alias_of(const json& item, const std::string& fallback) {
    if (item.contains("alias")) return item["alias"].value("aliasname", fallback);
    return fallback;
}

// Column aliases of `alias` (AS t(a, b)) renaming the first columns of `scope`.
void rename_columns(const json& item, bind_scope& scope, plan_node& p) {
    if (!item.contains("alias") || !item["alias"].contains("colnames")) return;
    size_t i = 0;
    for (const auto& c : item["alias"]["colnames"]) {
        if (i >= scope.size()) break;
        scope[i].name = c["String"].value("sval", scope[i].name);
        p.schema[i].name = scope[i].name;
        ++i;
    }
}

sql_result<plan_ptr> bind_range_var(const json& rv, bind_context& ctx, bind_scope& scope) {
    std::string name = range_var_name(rv);
    std::string schema = rv.value("schemaname", "");
    std::string table = alias_of(rv, name);
    bool system_schema = schema == "pg_catalog" || schema == "information_schema";
    auto rel = ctx.cat && !system_schema && (schema.empty() || schema == "public")
                   ? ctx.cat->find_relation(name)
                   : std::nullopt;
    if (rel) {
        ctx.relations.push_back(name);
        auto p = make_plan_node(plan_kind::scan, rel->columns, {});
        p->relation = *rel;
        for (const auto& h : hidden_columns())
            p->schema.push_back(h);
        for (size_t i = 0; i < p->schema.size(); ++i) {
            p->scan_columns.push_back(static_cast<int>(i));
            scope.push_back(
                {p->schema[i].name, p->schema[i].type, i >= rel->columns.size(), table});
        }
        rename_columns(rv, scope, *p);
        return p;
    }
    if (ctx.cat && (schema.empty() || system_schema)) {
        if (auto sys = find_system_table(schema, name, *ctx.cat)) {
            auto p = make_plan_node(plan_kind::memory, sys->columns, {});
            p->rows = sys->rows;
            p->memory_name = sys->schema + "." + sys->name;
            for (const auto& c : p->schema)
                scope.push_back({c.name, c.type, false, table});
            rename_columns(rv, scope, *p);
            return p;
        }
    }
    std::string full = schema.empty() ? name : schema + "." + name;
    return at(sql_errc::undefined_table, "relation \"" + full + "\" does not exist", rv, ctx);
}

sql_result<plan_ptr> bind_item(const json& item, bind_context& ctx, bind_scope& scope);

sql_result<plan_ptr> bind_join(const json& j, bind_context& ctx, bind_scope& scope) {
    std::string type = j.value("jointype", "JOIN_INNER");
    if (type != "JOIN_INNER" && type != "JOIN_LEFT")
        return at(sql_errc::feature_not_supported,
                  (type == "JOIN_RIGHT" ? std::string("RIGHT") : std::string("FULL")) +
                      " JOIN is not supported yet",
                  j, ctx);
    if (j.value("isNatural", false) || j.contains("usingClause"))
        return at(sql_errc::feature_not_supported, "NATURAL and USING joins are not supported yet",
                  j, ctx);
    bind_scope left_scope, right_scope;
    auto l = bind_item(j["larg"], ctx, left_scope);
    if (!l.ok()) return l;
    auto r = bind_item(j["rarg"], ctx, right_scope);
    if (!r.ok()) return r;
    std::vector<column_def> schema = l.value()->schema;
    schema.insert(schema.end(), r.value()->schema.begin(), r.value()->schema.end());
    auto p = make_plan_node(plan_kind::join, std::move(schema), {l.value(), r.value()});
    p->join = type == "JOIN_LEFT" ? join_type::left : join_type::inner;
    scope = left_scope;
    scope.insert(scope.end(), right_scope.begin(), right_scope.end());
    if (j.contains("quals")) {
        auto pred = bind_expression(j["quals"], scope, ctx);
        if (!pred.ok()) return pred.error();
        auto b = coerce(pred.value(), data_type::of(type_id::boolean), cast_context::implicit,
                        location_of(j["quals"]), ctx);
        if (!b.ok())
            return at(sql_errc::datatype_mismatch,
                      "argument of JOIN/ON must be type boolean, not type " +
                          type_name(pred.value()->type),
                      j["quals"], ctx);
        p->predicate = b.value();
    }
    return p;
}

sql_result<plan_ptr> bind_subselect(const json& rs, bind_context& ctx, bind_scope& scope) {
    if (!rs.contains("alias"))
        return at(sql_errc::syntax_error, "subquery in FROM must have an alias", rs, ctx);
    // A FROM subquery sees no columns of its siblings (not LATERAL).
    auto saved = ctx.outer_column;
    auto saved_sublink = ctx.sublink;
    ctx.sublink = nullptr;
    auto q = bind_query(rs["subquery"], ctx);
    ctx.sublink = saved_sublink;
    ctx.outer_column = saved;
    if (!q.ok()) return q;
    std::string table = alias_of(rs, "");
    for (const auto& c : q.value()->schema)
        scope.push_back({c.name, c.type, false, table});
    auto p = make_plan_node(plan_kind::project, q.value()->schema, {q.value()});
    for (size_t i = 0; i < p->schema.size(); ++i)
        p->exprs.push_back(
            expr::make_column(static_cast<int>(i), p->schema[i].type, p->schema[i].name));
    rename_columns(rs, scope, *p);
    return p;
}

// Table functions in FROM: generate_series(start, stop[, step]) (one bigint
// column) and unnest(array) (one text column), named by the alias or the
// function; arguments may reference enclosing queries.
sql_result<plan_ptr> bind_function(const json& rf, bind_context& ctx, bind_scope& scope) {
    const json& fn =
        rf.contains("functions") && !rf["functions"].empty() && rf["functions"][0].contains("List")
            ? rf["functions"][0]["List"]["items"][0]
            : json();
    std::string name = fn.contains("FuncCall")
                           ? fn["FuncCall"]["funcname"].back()["String"].value("sval", "")
                           : "";
    const json& args = fn.contains("FuncCall") && fn["FuncCall"].contains("args")
                           ? fn["FuncCall"]["args"]
                           : json::array();
    bool series = name == "generate_series" && args.size() >= 2 && args.size() <= 3;
    bool unnest = name == "unnest" && args.size() == 1;
    if ((!series && !unnest) || rf.value("lateral", false) || rf.value("ordinality", false) ||
        rf["functions"].size() != 1)
        return at(sql_errc::feature_not_supported,
                  "table functions other than generate_series(start, stop[, step]), "
                  "unnest(array) and the windows TUMBLE, HOP, CUMULATE, SESSION are not "
                  "supported yet",
                  rf, ctx);
    data_type t = data_type::of(series ? type_id::int64 : type_id::text);
    auto p = make_plan_node(plan_kind::function, {}, {});
    p->function = name;
    for (const auto& a : args) {
        auto e = bind_expression(a, {}, ctx);
        if (!e.ok()) return e.error();
        auto c = coerce(e.value(), t, cast_context::implicit, location_of(a), ctx);
        if (!c.ok()) return c.error();
        p->exprs.push_back(c.value());
    }
    std::string alias = alias_of(rf, name);
    p->schema.push_back({alias, t});
    scope.push_back({alias, t, false, alias});
    rename_columns(rf, scope, *p);
    return p;
}

// The function name of a RangeFunction's single call, or "".
std::string range_function_name(const json& rf) {
    if (!rf.contains("functions") || rf["functions"].empty() ||
        !rf["functions"][0].contains("List"))
        return "";
    const json& fn = rf["functions"][0]["List"]["items"][0];
    return fn.contains("FuncCall") ? fn["FuncCall"]["funcname"].back()["String"].value("sval", "")
                                   : "";
}

sql_result<plan_ptr> bind_item(const json& item, bind_context& ctx, bind_scope& scope) {
    if (item.contains("RangeFunction")) {
        const json& rf = item["RangeFunction"];
        if (is_window_function(range_function_name(rf)))
            return bind_window_function(rf, ctx, scope);
        return bind_function(rf, ctx, scope);
    }
    if (item.contains("RangeVar")) return bind_range_var(item["RangeVar"], ctx, scope);
    if (item.contains("JoinExpr")) return bind_join(item["JoinExpr"], ctx, scope);
    if (item.contains("RangeSubselect")) return bind_subselect(item["RangeSubselect"], ctx, scope);
    std::string what = item.contains("RangeFunction") ? "table functions" : "this FROM item";
    const json& body = item.empty() ? item : item.begin().value();
    return at(sql_errc::feature_not_supported, what + " are not supported yet", body, ctx);
}

}  // namespace

sql_result<plan_ptr> bind_from_item(const json& item, bind_context& ctx, bind_scope& scope) {
    return bind_item(item, ctx, scope);
}

plan_ptr make_plan_node(plan_kind k, std::vector<column_def> schema, std::vector<plan_ptr> inputs) {
    auto p = std::make_shared<plan_node>();
    p->kind = k;
    p->schema = std::move(schema);
    p->inputs = std::move(inputs);
    return p;
}

sql_result<plan_ptr> bind_from_clause(const json& stmt, bind_context& ctx, bind_scope& scope) {
    if (!stmt.contains("fromClause") || stmt["fromClause"].empty())
        return make_plan_node(plan_kind::values, {}, {});
    plan_ptr plan;
    for (const auto& item : stmt["fromClause"]) {
        bind_scope item_scope;
        auto p = bind_item(item, ctx, item_scope);
        if (!p.ok()) return p;
        if (!plan) {
            plan = p.value();
            scope = std::move(item_scope);
            continue;
        }
        // Comma join: every pair (WHERE filters them).
        std::vector<column_def> schema = plan->schema;
        schema.insert(schema.end(), p.value()->schema.begin(), p.value()->schema.end());
        plan = make_plan_node(plan_kind::join, std::move(schema), {plan, p.value()});
        scope.insert(scope.end(), item_scope.begin(), item_scope.end());
    }
    return plan;
}

}  // namespace spate::sql
