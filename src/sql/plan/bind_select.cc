// Binding of queries: SELECT ... FROM relation [WHERE] [GROUP BY] [HAVING]
// [ORDER BY] [LIMIT], UNION ALL, SELECT without FROM (binder.h).

#include <string>

#include "sql/expr/eval.h"
#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"
#include "sql/plan/binder.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

sql_error at(sql_errc c, std::string msg, const json& n, const bind_context& ctx) {
    return make_error(c, std::move(msg), ctx.position(location_of(n)));
}

plan_ptr make_node(plan_kind k, std::vector<column_def> schema, std::vector<plan_ptr> inputs) {
    return make_plan_node(k, std::move(schema), std::move(inputs));
}

std::string target_name(const json& target, const expr& e) {
    if (target.contains("name")) return target["name"].get<std::string>();
    const json& v = target["val"];
    if (v.contains("ColumnRef"))
        return v["ColumnRef"]["fields"].back()["String"].value("sval", "?column?");
    if (v.contains("FuncCall"))
        return v["FuncCall"]["funcname"].back()["String"].value("sval", "?column?");
    if (v.contains("TypeCast")) {
        const json& arg = v["TypeCast"]["arg"];
        if (arg.contains("ColumnRef"))
            return arg["ColumnRef"]["fields"].back()["String"].value("sval", "?column?");
        return v["TypeCast"]["typeName"]["names"].back()["String"].value("sval", "?column?");
    }
    if (v.contains("CaseExpr")) return "case";
    if (v.contains("SubLink")) return e.name.empty() ? "?column?" : e.name;
    if (v.contains("CoalesceExpr")) return "coalesce";
    if (v.contains("MinMaxExpr"))
        return v["MinMaxExpr"].value("op", "") == "IS_GREATEST" ? "greatest" : "least";
    if (v.contains("SQLValueFunction")) return e.name.empty() ? "?column?" : e.name;
    return "?column?";
}

// The select list over `scope`: expressions, their names and the nodes
// they were bound from.
sql_status bind_targets(const json& stmt, const bind_scope& scope, bind_context& ctx,
                        std::vector<expr_ptr>& exprs, std::vector<std::string>& names,
                        std::vector<const json*>& sources) {
    for (const auto& t : stmt["targetList"]) {
        const json& rt = t["ResTarget"];
        const json& v = rt["val"];
        if (v.contains("ColumnRef") && v["ColumnRef"]["fields"].back().contains("A_Star")) {
            const json& fields = v["ColumnRef"]["fields"];
            std::string table =
                fields.size() > 1 ? fields[fields.size() - 2]["String"].value("sval", "") : "";
            bool any = false;
            for (size_t i = 0; i < scope.size(); ++i) {
                if (scope[i].hidden || (!table.empty() && scope[i].table != table)) continue;
                any = true;
                exprs.push_back(
                    expr::make_column(static_cast<int>(i), scope[i].type, scope[i].name));
                names.push_back(scope[i].name);
                sources.push_back(&v);
            }
            if (!table.empty() && !any)
                return at(sql_errc::undefined_table,
                          "missing FROM-clause entry for table \"" + table + "\"", v, ctx);
            continue;
        }
        auto e = bind_expression(v, scope, ctx);
        if (!e.ok()) return e.error();
        expr_ptr bound = e.value();
        // An untyped literal in a select list is text, as in PostgreSQL.
        if (bound->type.id == type_id::unknown) {
            auto c = coerce(bound, data_type::of(type_id::text), cast_context::implicit,
                            location_of(v), ctx);
            if (!c.ok()) return c.error();
            bound = c.value();
        }
        names.push_back(target_name(rt, *bound));
        exprs.push_back(bound);
        sources.push_back(&v);
    }
    return {};
}

sql_result<int64_t> bind_count(const json& node, bind_context& ctx) {
    auto e = bind_expression(node, {}, ctx);
    if (!e.ok()) return e.error();
    auto c = coerce(e.value(), data_type::of(type_id::int64), cast_context::implicit,
                    location_of(node), ctx);
    if (!c.ok()) return c.error();
    auto folded = fold_constants(c.value(), ctx);
    if (!folded.ok()) return folded.error();
    if (folded.value()->kind != expr_kind::constant)
        return at(sql_errc::feature_not_supported, "LIMIT and OFFSET must be constants", node, ctx);
    if (folded.value()->constant.is_null()) return int64_t{-1};
    int64_t v = folded.value()->constant.get<int64_t>();
    if (v < 0)
        return at(sql_errc::invalid_parameter_value, "LIMIT must not be negative", node, ctx);
    return v;
}

// ORDER BY keys: output column names and ordinals first, else expressions
// over the input (added to the projection, dropped after the sort; their
// nodes appended to `sources` when given).
sql_status bind_order(const json& stmt, const bind_scope& input, bind_context& ctx,
                      std::vector<expr_ptr>& exprs, const std::vector<std::string>& names,
                      std::vector<sort_key>& keys, std::vector<const json*>* sources = nullptr) {
    for (const auto& s : stmt["sortClause"]) {
        const json& sb = s["SortBy"];
        const json& node = sb["node"];
        sort_key k;
        std::string dir = sb.value("sortby_dir", "SORTBY_DEFAULT");
        k.descending = dir == "SORTBY_DESC";
        std::string nulls = sb.value("sortby_nulls", "SORTBY_NULLS_DEFAULT");
        k.nulls_first =
            nulls == "SORTBY_NULLS_DEFAULT" ? k.descending : nulls == "SORTBY_NULLS_FIRST";
        int output = -1;
        if (node.contains("A_Const") && node["A_Const"].contains("ival")) {
            int64_t n = node["A_Const"]["ival"].value("ival", 0);
            if (n < 1 || n > static_cast<int64_t>(names.size()))
                return at(sql_errc::undefined_column,
                          "ORDER BY position " + std::to_string(n) + " is not in select list", node,
                          ctx);
            output = static_cast<int>(n - 1);
        } else if (node.contains("ColumnRef") && node["ColumnRef"]["fields"].size() == 1) {
            std::string n = node["ColumnRef"]["fields"][0]["String"].value("sval", "");
            for (size_t i = 0; i < names.size() && output < 0; ++i)
                if (names[i] == n) output = static_cast<int>(i);
        }
        if (output < 0) {
            auto e = bind_expression(node, input, ctx);
            if (!e.ok()) return e.error();
            exprs.push_back(e.value());
            if (sources) sources->push_back(&node);
            output = static_cast<int>(exprs.size() - 1);
        }
        k.key = expr::make_column(output, exprs[output]->type, "");
        keys.push_back(std::move(k));
    }
    return {};
}

// HAVING over the block's input, aggregates collected (null without HAVING).
sql_result<expr_ptr> bind_having(const json& stmt, const bind_scope& scope, bind_context& ctx) {
    if (!stmt.contains("havingClause")) return expr_ptr();
    const json& h = stmt["havingClause"];
    auto e = bind_expression(h, scope, ctx);
    if (!e.ok()) return e;
    auto b = coerce(e.value(), data_type::of(type_id::boolean), cast_context::implicit,
                    location_of(h), ctx);
    if (!b.ok())
        return at(sql_errc::datatype_mismatch,
                  "argument of HAVING must be type boolean, not type " + type_name(e.value()->type),
                  h, ctx);
    return b;
}

// WHERE over `plan` (its subqueries applied below the filter).
sql_result<plan_ptr> bind_where(const json& stmt, const bind_scope& scope, bind_context& ctx,
                                plan_ptr plan) {
    if (!stmt.contains("whereClause")) return plan;
    const json& w = stmt["whereClause"];
    subquery_collector subqueries(scope, plan->schema.size(), ctx);
    aggregate_ban no_aggregates(ctx, "WHERE");
    auto pred = bind_expression(w, scope, ctx);
    if (!pred.ok()) return pred.error();
    auto b = coerce(pred.value(), data_type::of(type_id::boolean), cast_context::implicit,
                    location_of(w), ctx);
    if (!b.ok())
        return at(
            sql_errc::datatype_mismatch,
            "argument of WHERE must be type boolean, not type " + type_name(pred.value()->type), w,
            ctx);
    plan = subqueries.apply_over(plan);
    auto f = make_node(plan_kind::filter, plan->schema, {plan});
    f->predicate = b.value();
    return plan_ptr(f);
}

// A block's select list and ORDER BY: expressions (the select list, then
// sort-only ones), output names, the nodes they came from, sort keys.
struct select_list {
    std::vector<expr_ptr> exprs;
    std::vector<std::string> names;
    std::vector<const json*> sources;
    std::vector<sort_key> keys;
};

// Binds the select list, ORDER BY and HAVING over `plan` and returns what
// the projection reads: `plan` with the block's subqueries applied, or
// grouped (bind_grouping) when the block aggregates.
sql_result<plan_ptr> bind_select_list(const json& stmt, const bind_scope& scope, bind_context& ctx,
                                      plan_ptr plan, select_list& list) {
    size_t base = plan->schema.size();
    subquery_collector subqueries(scope, base, ctx);
    aggregate_collector aggregates(scope, base, ctx);
    if (auto s = bind_targets(stmt, scope, ctx, list.exprs, list.names, list.sources); !s.ok())
        return s.error();
    if (stmt.contains("sortClause"))
        if (auto s = bind_order(stmt, scope, ctx, list.exprs, list.names, list.keys, &list.sources);
            !s.ok())
            return s.error();
    auto having = bind_having(stmt, scope, ctx);
    if (!having.ok()) return having.error();
    if (!aggregates.empty() || stmt.contains("groupClause") || having.value()) {
        if (plan != subqueries.apply_over(plan))
            return at(sql_errc::feature_not_supported,
                      "subqueries next to aggregates or GROUP BY are not supported yet", stmt, ctx);
        grouped_select block{list.exprs, list.names, list.sources, having.value()};
        auto grouped = bind_grouping(stmt, scope, ctx, plan, aggregates, block);
        if (!grouped.ok()) return grouped;
        plan = grouped.value();
    }
    return subqueries.apply_over(plan);
}

// The projection of `list` over `plan`, then its sort (sort-only columns
// dropped after it).
plan_ptr project_and_sort(plan_ptr plan, select_list& list) {
    const auto& exprs = list.exprs;
    const auto& names = list.names;
    std::vector<column_def> schema;
    for (size_t i = 0; i < exprs.size(); ++i)
        schema.push_back({i < names.size() ? names[i] : "?sort?", exprs[i]->type});
    auto proj = make_node(plan_kind::project, schema, {plan});
    proj->exprs = exprs;
    plan = proj;
    if (list.keys.empty()) return plan;
    auto sort = make_node(plan_kind::sort, plan->schema, {plan});
    sort->keys = std::move(list.keys);
    plan = sort;
    if (exprs.size() > names.size()) {
        std::vector<expr_ptr> keep;
        for (size_t i = 0; i < names.size(); ++i)
            keep.push_back(expr::make_column(static_cast<int>(i), exprs[i]->type, names[i]));
        auto drop =
            make_node(plan_kind::project, {schema.begin(), schema.begin() + names.size()}, {plan});
        drop->exprs = std::move(keep);
        plan = drop;
    }
    return plan;
}

sql_result<plan_ptr> bind_simple_select(const json& stmt, bind_context& ctx) {
    for (const char* clause : {"distinctClause", "windowClause", "withClause", "intoClause",
                               "valuesLists", "lockingClause"}) {
        if (stmt.contains(clause))
            return at(
                sql_errc::feature_not_supported,
                std::string(clause == std::string("distinctClause") ? "DISTINCT"
                            : clause == std::string("withClause")   ? "WITH"
                            : clause == std::string("valuesLists")  ? "VALUES"
                                                                    : clause) +
                    " is not supported yet",
                stmt[clause].is_array() && !stmt[clause].empty() ? stmt[clause][0] : stmt[clause],
                ctx);
    }
    bind_scope scope;
    auto from = bind_from_clause(stmt, ctx, scope);
    if (!from.ok()) return from;
    auto filtered = bind_where(stmt, scope, ctx, from.value());
    if (!filtered.ok()) return filtered;
    select_list list;
    auto below = bind_select_list(stmt, scope, ctx, filtered.value(), list);
    if (!below.ok()) return below;
    return project_and_sort(below.value(), list);
}

// Casts a branch's output to `types` with a projection when they differ.
sql_result<plan_ptr> cast_branch(plan_ptr p, const std::vector<data_type>& types,
                                 bind_context& ctx) {
    bool same = true;
    for (size_t i = 0; i < types.size(); ++i)
        same &= p->schema[i].type == types[i];
    if (same) return p;
    std::vector<expr_ptr> exprs;
    std::vector<column_def> schema;
    for (size_t i = 0; i < types.size(); ++i) {
        auto c =
            coerce(expr::make_column(static_cast<int>(i), p->schema[i].type, p->schema[i].name),
                   types[i], cast_context::implicit, -1, ctx);
        if (!c.ok()) return c.error();
        exprs.push_back(c.value());
        schema.push_back({p->schema[i].name, types[i]});
    }
    auto proj = make_node(plan_kind::project, schema, {p});
    proj->exprs = std::move(exprs);
    return proj;
}

sql_result<plan_ptr> bind_set_operation(const json& stmt, bind_context& ctx) {
    std::string op = stmt.value("op", "");
    if (op != "SETOP_UNION")
        return at(sql_errc::feature_not_supported,
                  "only UNION is supported among set operations yet", stmt, ctx);
    bool all = stmt.value("all", false);
    auto l = bind_query(json{{"SelectStmt", stmt["larg"]}}, ctx);
    if (!l.ok()) return l;
    auto r = bind_query(json{{"SelectStmt", stmt["rarg"]}}, ctx);
    if (!r.ok()) return r;
    if (l.value()->schema.size() != r.value()->schema.size())
        return at(sql_errc::syntax_error, "each UNION query must have the same number of columns",
                  stmt["rarg"], ctx);
    std::vector<data_type> types;
    for (size_t i = 0; i < l.value()->schema.size(); ++i) {
        auto t = common_type(l.value()->schema[i].type, r.value()->schema[i].type);
        if (!t.ok())
            return at(sql_errc::datatype_mismatch,
                      "UNION types " + type_name(l.value()->schema[i].type) + " and " +
                          type_name(r.value()->schema[i].type) + " cannot be matched",
                      stmt, ctx);
        types.push_back(t.value());
    }
    auto lc = cast_branch(l.value(), types, ctx);
    if (!lc.ok()) return lc;
    auto rc = cast_branch(r.value(), types, ctx);
    if (!rc.ok()) return rc;
    std::vector<plan_ptr> inputs;
    for (const auto& side : {lc.value(), rc.value()}) {
        if (side->kind == plan_kind::union_all || (!all && side->kind == plan_kind::distinct &&
                                                   side->inputs[0]->kind == plan_kind::union_all)) {
            const plan_ptr& u = side->kind == plan_kind::distinct ? side->inputs[0] : side;
            for (auto& i : u->inputs)
                inputs.push_back(i);
        } else {
            inputs.push_back(side);
        }
    }
    auto u = make_node(plan_kind::union_all, lc.value()->schema, std::move(inputs));
    if (all) return u;
    return make_node(plan_kind::distinct, u->schema, {u});
}

// ORDER BY of a set operation: over its output columns.
sql_result<plan_ptr> sort_set_operation(const json& stmt, plan_ptr p, bind_context& ctx) {
    bind_scope scope;
    std::vector<expr_ptr> exprs;
    std::vector<std::string> names;
    for (size_t i = 0; i < p->schema.size(); ++i) {
        scope.push_back({p->schema[i].name, p->schema[i].type});
        exprs.push_back(
            expr::make_column(static_cast<int>(i), p->schema[i].type, p->schema[i].name));
        names.push_back(p->schema[i].name);
    }
    std::vector<sort_key> keys;
    if (auto s = bind_order(stmt, scope, ctx, exprs, names, keys); !s.ok()) return s.error();
    std::vector<column_def> schema = p->schema;
    for (size_t i = names.size(); i < exprs.size(); ++i)
        schema.push_back({"?sort?", exprs[i]->type});
    auto proj = make_node(plan_kind::project, schema, {p});
    proj->exprs = exprs;
    auto sort = make_node(plan_kind::sort, schema, {proj});
    sort->keys = std::move(keys);
    auto drop = make_node(plan_kind::project, p->schema, {sort});
    for (size_t i = 0; i < names.size(); ++i)
        drop->exprs.push_back(expr::make_column(static_cast<int>(i), p->schema[i].type, names[i]));
    return drop;
}

}  // namespace

sql_result<plan_ptr> bind_query(const json& node, bind_context& ctx) {
    const json& stmt = node.contains("SelectStmt") ? node["SelectStmt"] : node;
    sql_result<plan_ptr> plan = stmt.value("op", "SETOP_NONE") == "SETOP_NONE"
                                    ? bind_simple_select(stmt, ctx)
                                    : bind_set_operation(stmt, ctx);
    if (!plan.ok()) return plan;
    plan_ptr p = plan.value();
    if (stmt.value("op", "SETOP_NONE") != "SETOP_NONE" && stmt.contains("sortClause")) {
        auto sorted = sort_set_operation(stmt, p, ctx);
        if (!sorted.ok()) return sorted;
        p = sorted.value();
    }
    bool has_offset = stmt.contains("limitOffset");
    bool has_limit = stmt.contains("limitCount");
    if (has_offset || has_limit) {
        auto lim = make_node(plan_kind::limit, p->schema, {p});
        if (has_limit) {
            auto n = bind_count(stmt["limitCount"], ctx);
            if (!n.ok()) return n.error();
            lim->limit = n.value();
        }
        if (has_offset) {
            auto n = bind_count(stmt["limitOffset"], ctx);
            if (!n.ok()) return n.error();
            lim->offset = std::max<int64_t>(0, n.value());
        }
        p = lim;
    }
    return p;
}

}  // namespace spate::sql
