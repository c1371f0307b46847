// GROUP BY, HAVING and the aggregate node of a query block (bind_from.h).

#include <algorithm>
#include <string>

#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"
#include "sql/plan/bind_window_keys.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

sql_error at(sql_errc c, std::string msg, const json& n, const bind_context& ctx) {
    return make_error(c, std::move(msg), ctx.position(location_of(n)));
}

bool has_placeholder(const expr& e, size_t base) {
    if (e.kind == expr_kind::column_ref && static_cast<size_t>(e.column) >= base) return true;
    return std::any_of(e.args.begin(), e.args.end(),
                       [base](const expr_ptr& a) { return has_placeholder(*a, base); });
}

// A GROUP BY item naming a select-list entry: an ordinal, or a bare name
// that is an output name and no input column. -1: an expression over the
// input; -2: error set.
int select_list_entry(const json& item, const bind_scope& scope,
                      const std::vector<std::string>& names, bind_context& ctx, sql_error& err) {
    if (item.contains("A_Const") && item["A_Const"].contains("ival")) {
        int64_t n = item["A_Const"]["ival"].value("ival", 0);
        if (n >= 1 && n <= static_cast<int64_t>(names.size())) return static_cast<int>(n - 1);
        err = at(sql_errc::undefined_column,
                 "GROUP BY position " + std::to_string(n) + " is not in select list", item, ctx);
        return -2;
    }
    if (!item.contains("ColumnRef") || item["ColumnRef"]["fields"].size() != 1) return -1;
    const json& field = item["ColumnRef"]["fields"][0];
    if (!field.contains("String")) return -1;
    std::string name = field["String"].value("sval", "");
    for (const auto& c : scope)
        if (c.name == name) return -1;  // input columns win, as in PostgreSQL
    int found = -1;
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] != name) continue;
        if (found >= 0) {
            err =
                at(sql_errc::ambiguous_column, "GROUP BY \"" + name + "\" is ambiguous", item, ctx);
            return -2;
        }
        found = static_cast<int>(i);
    }
    return found;
}

// The GROUP BY keys over the block's input (duplicates dropped).
sql_result<std::vector<expr_ptr>> bind_keys(const json& stmt, const bind_scope& scope,
                                            bind_context& ctx, size_t base,
                                            const std::vector<expr_ptr>& exprs,
                                            const std::vector<std::string>& names) {
    std::vector<expr_ptr> keys;
    if (!stmt.contains("groupClause")) return keys;
    aggregate_ban ban(ctx, "GROUP BY");
    struct sublink_ban {
        bind_context& ctx;
        decltype(bind_context::sublink) saved;
        ~sublink_ban() { ctx.sublink = saved; }
    } no_subqueries{ctx, ctx.sublink};
    ctx.sublink = [&ctx](const json& n) -> sql_result<expr_ptr> {
        return at(sql_errc::feature_not_supported, "subqueries in GROUP BY are not supported yet",
                  n, ctx);
    };
    for (const auto& item : stmt["groupClause"]) {
        if (item.contains("GroupingSet")) {
            if (item["GroupingSet"].value("kind", "") == "GROUPING_SET_EMPTY") continue;
            return at(sql_errc::feature_not_supported,
                      "ROLLUP, CUBE and GROUPING SETS are not supported yet", item, ctx);
        }
        sql_error err;
        int entry = select_list_entry(item, scope, names, ctx, err);
        if (entry == -2) return err;
        expr_ptr key;
        if (entry >= 0) {
            key = exprs[static_cast<size_t>(entry)];
            if (has_placeholder(*key, base))
                return at(sql_errc::grouping_error,
                          "aggregate functions are not allowed in GROUP BY", item, ctx);
        } else {
            auto e = bind_expression(item, scope, ctx);
            if (!e.ok()) return e.error();
            auto c = coerce(e.value(),
                            e.value()->type.id == type_id::unknown ? data_type::of(type_id::text)
                                                                   : e.value()->type,
                            cast_context::implicit, location_of(item), ctx);
            if (!c.ok()) return c.error();
            key = c.value();
        }
        bool seen = std::any_of(keys.begin(), keys.end(),
                                [&](const expr_ptr& k) { return same_expr(*k, *key); });
        if (!seen) keys.push_back(key);
    }
    return keys;
}

// Where a reference to scope column `c` appears in `n` outside aggregate
// calls and subqueries (PostgreSQL points its grouping errors there), or -1.
int column_location(const json& n, const scope_column& c) {
    if (n.is_array()) {
        for (const auto& e : n)
            if (int l = column_location(e, c); l >= 0) return l;
        return -1;
    }
    if (!n.is_object()) return -1;
    if (n.contains("ColumnRef")) {
        const json& f = n["ColumnRef"]["fields"];
        if (f.back().contains("A_Star")) return n["ColumnRef"].value("location", -1);
        if (f.back()["String"].value("sval", "") != c.name) return -1;
        if (f.size() > 1 && f[f.size() - 2]["String"].value("sval", "") != c.table) return -1;
        return n["ColumnRef"].value("location", -1);
    }
    if (n.contains("SubLink")) return -1;
    if (n.contains("FuncCall")) {
        const json& f = n["FuncCall"];
        std::string name = f["funcname"].back()["String"].value("sval", "");
        if (is_aggregate_name(name) || f.value("agg_star", false)) return -1;
    }
    for (const auto& [key, value] : n.items())
        if (int l = column_location(value, c); l >= 0) return l;
    return -1;
}

// The grouping error for scope column `c`, read by the expression bound
// from `source` (null: anywhere in the statement).
sql_error ungrouped(const json& stmt, const json* source, const scope_column& c,
                    const bind_context& ctx) {
    int location = source ? column_location(*source, c) : -1;
    for (const char* clause : {"targetList", "sortClause", "havingClause"})
        if (location < 0 && stmt.contains(clause)) location = column_location(stmt[clause], c);
    std::string name = c.table.empty() ? c.name : c.table + "." + c.name;
    return make_error(sql_errc::grouping_error,
                      "column \"" + name +
                          "\" must appear in the GROUP BY clause or be used in an aggregate "
                          "function",
                      ctx.position(location));
}

// `e` over the aggregate node's output (keys, then calls from column
// `keys.size()`): -1 in `bad` on success, else the input column at fault.
expr_ptr over_aggregate(const expr_ptr& e, const std::vector<expr_ptr>& keys, size_t base,
                        int& bad) {
    for (size_t k = 0; k < keys.size(); ++k)
        if (same_expr(*e, *keys[k]))
            return expr::make_column(static_cast<int>(k), e->type, e->name);
    if (e->kind == expr_kind::column_ref) {
        if (static_cast<size_t>(e->column) < base) {
            if (bad < 0) bad = e->column;
            return e;
        }
        return expr::make_column(static_cast<int>(keys.size() + e->column - base), e->type,
                                 e->name);
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<expr>(*e);
    for (auto& a : copy->args)
        a = over_aggregate(a, keys, base, bad);
    return copy;
}

// A project keeping only the input columns the aggregate node reads (the
// optimizer then narrows a scan below it); the node's expressions remapped.
void prune_input(plan_node& agg, const bind_scope& scope) {
    const plan_ptr& input = agg.inputs[0];
    std::vector<int> used;
    for (const auto& k : agg.group_keys)
        referenced_columns(*k, used);
    for (const auto& c : agg.aggregates) {
        for (const auto& a : c.args)
            referenced_columns(*a, used);
        if (c.filter) referenced_columns(*c.filter, used);
    }
    if (used.empty() && !input->schema.empty()) {
        // Keep one column (a hidden one: no decoding) so rows still count.
        int keep = 0;
        for (size_t i = 0; i < scope.size() && i < input->schema.size(); ++i)
            if (scope[i].hidden) {
                keep = static_cast<int>(i);
                break;
            }
        used.push_back(keep);
    }
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    if (used.size() == input->schema.size()) return;
    std::vector<int> mapping(input->schema.size(), -1);
    auto proj = make_plan_node(plan_kind::project, {}, {input});
    for (size_t i = 0; i < used.size(); ++i) {
        const column_def& c = input->schema[static_cast<size_t>(used[i])];
        mapping[static_cast<size_t>(used[i])] = static_cast<int>(i);
        proj->schema.push_back(c);
        proj->exprs.push_back(expr::make_column(used[i], c.type, c.name));
    }
    for (auto& k : agg.group_keys)
        k = remap_columns(k, mapping);
    for (auto& c : agg.aggregates) {
        for (auto& a : c.args)
            a = remap_columns(a, mapping);
        if (c.filter) c.filter = remap_columns(c.filter, mapping);
    }
    agg.inputs[0] = proj;
}

}  // namespace

sql_result<plan_ptr> bind_grouping(const json& stmt, const bind_scope& scope, bind_context& ctx,
                                   plan_ptr input, aggregate_collector& aggregates,
                                   grouped_select& block) {
    const size_t base = aggregates.base();
    auto keys = bind_keys(stmt, scope, ctx, base, block.exprs, block.names);
    if (!keys.ok()) return keys.error();
    auto agg = make_plan_node(plan_kind::aggregate, {}, {std::move(input)});
    agg->group_keys = std::move(keys.value());
    agg->aggregates = std::move(aggregates.calls());
    aggregates.calls().clear();
    if (auto s = bind_window_keys(*agg); !s.ok()) return s.error();
    for (const auto& k : agg->group_keys)
        agg->schema.push_back({k->kind == expr_kind::column_ref ? k->name : "?column?", k->type});
    for (const auto& c : agg->aggregates)
        agg->schema.push_back({c.name, c.type});
    for (size_t i = 0; i < block.exprs.size(); ++i) {
        int bad = -1;
        block.exprs[i] = over_aggregate(block.exprs[i], agg->group_keys, base, bad);
        if (bad >= 0)
            return ungrouped(stmt, i < block.sources.size() ? block.sources[i] : nullptr,
                             scope[static_cast<size_t>(bad)], ctx);
    }
    expr_ptr having = block.having;
    if (having) {
        int bad = -1;
        having = over_aggregate(having, agg->group_keys, base, bad);
        if (bad >= 0)
            return ungrouped(stmt, &stmt["havingClause"], scope[static_cast<size_t>(bad)], ctx);
    }
    prune_input(*agg, scope);
    if (!having) return plan_ptr(agg);
    auto f = make_plan_node(plan_kind::filter, agg->schema, {agg});
    f->predicate = having;
    return plan_ptr(f);
}

}  // namespace spate::sql
