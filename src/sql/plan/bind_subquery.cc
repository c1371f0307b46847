// Binding of subqueries in expressions (bind_from.h): scalar, EXISTS and
// ARRAY subqueries, correlated through outer-reference parameters.

#include <string>

#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

// The scope column `parts` (name, or qualifier and name) names, or -1.
int find_in_scope(const bind_scope& scope, const std::vector<std::string>& parts) {
    const std::string& name = parts.back();
    std::string table = parts.size() > 1 ? parts[parts.size() - 2] : "";
    int found = -1;
    for (size_t i = 0; i < scope.size(); ++i) {
        if (scope[i].name != name || (!table.empty() && scope[i].table != table)) continue;
        if (found >= 0) return -2;
        found = static_cast<int>(i);
    }
    return found;
}

}  // namespace

subquery_collector::subquery_collector(const bind_scope& scope, size_t base, bind_context& ctx)
    : _scope(scope), _base(base), _ctx(ctx), _saved(ctx.sublink) {
    _ctx.sublink = [this](const json& node) { return bind_sublink(node); };
}

subquery_collector::~subquery_collector() {
    _ctx.sublink = _saved;
}

sql_result<plan_ptr> subquery_collector::compare_each_row(const json& n, plan_ptr q) {
    // x op ANY/ALL (subquery): `x op column` per subquery row; x is bound
    // inside the subquery, its columns being outer references.
    if (q->schema.size() != 1)
        return make_error(sql_errc::syntax_error, "subquery has too many columns",
                          _ctx.position(location_of(n)));
    std::string op =
        n.contains("operName") ? n["operName"].back()["String"].value("sval", "=") : "=";
    auto x = bind_expression(n["testexpr"], {}, _ctx);
    if (!x.ok()) return x.error();
    std::vector<expr_ptr> args{x.value(),
                               expr::make_column(0, q->schema[0].type, q->schema[0].name)};
    std::vector<data_type> types{args[0]->type, args[1]->type};
    auto f = resolve_function(op, types);
    if (!f.ok())
        return make_error(f.error().code, f.error().message, _ctx.position(location_of(n)));
    for (size_t i = 0; i < 2; ++i) {
        auto c =
            coerce(args[i], f.value().arg_types[i], cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) return c.error();
        args[i] = c.value();
    }
    if (f.value().return_type.id != type_id::boolean)
        return make_error(sql_errc::datatype_mismatch,
                          "op ANY/ALL (array) requires operator to "
                          "yield boolean",
                          _ctx.position(location_of(n)));
    auto p = make_plan_node(plan_kind::project, {{"?column?", data_type::of(type_id::boolean)}},
                            {std::move(q)});
    p->exprs.push_back(expr::make_function(f.value(), std::move(args)));
    return p;
}

plan_ptr subquery_collector::apply_over(plan_ptr input) {
    if (_defs.empty()) return input;
    SPATE_ASSERT(input->schema.size() == _base);
    std::vector<column_def> schema = input->schema;
    schema.insert(schema.end(), _columns.begin(), _columns.end());
    auto p = make_plan_node(plan_kind::apply, std::move(schema), {std::move(input)});
    p->subqueries = std::move(_defs);
    _defs.clear();
    _columns.clear();
    return p;
}

sql_result<expr_ptr> subquery_collector::bind_sublink(const json& node) {
    const json& n = node["SubLink"];
    std::string type = n.value("subLinkType", "");
    subquery_def def;
    if (type == "EXPR_SUBLINK")
        def.kind = subquery_kind::scalar;
    else if (type == "EXISTS_SUBLINK")
        def.kind = subquery_kind::exists;
    else if (type == "ARRAY_SUBLINK")
        def.kind = subquery_kind::array;
    else if (type == "ANY_SUBLINK")
        def.kind = subquery_kind::any;
    else if (type == "ALL_SUBLINK")
        def.kind = subquery_kind::all;
    else
        return make_error(sql_errc::feature_not_supported,
                          "this kind of subquery (" + type + ") is not supported yet",
                          _ctx.position(location_of(n)));
    auto saved_outer = _ctx.outer_column;
    auto saved_sublink = _ctx.sublink;
    auto saved_aggregate = _ctx.aggregate;  // the subquery's aggregates are its own
    _ctx.sublink = nullptr;
    _ctx.aggregate = nullptr;
    // Names the subquery cannot resolve itself are looked up here, then in
    // the enclosing queries.
    _ctx.outer_column = [this, &def, saved_outer](const std::vector<std::string>& parts,
                                                  bool& found) -> sql_result<expr_ptr> {
        int i = find_in_scope(_scope, parts);
        if (i == -2)
            return make_error(sql_errc::ambiguous_column,
                              "column reference \"" + parts.back() + "\" is ambiguous");
        if (i < 0) {
            if (saved_outer) return saved_outer(parts, found);
            found = false;
            return expr_ptr{};
        }
        found = true;
        int param = k_outer_parameter_base + _ctx.next_outer_parameter++;
        def.outer.emplace_back(param, i);
        return expr::make_parameter(param, _scope[static_cast<size_t>(i)].type);
    };
    auto q = bind_query(n["subselect"], _ctx);
    if (q.ok() && (def.kind == subquery_kind::any || def.kind == subquery_kind::all))
        q = compare_each_row(n, q.value());
    _ctx.outer_column = saved_outer;
    _ctx.sublink = saved_sublink;
    _ctx.aggregate = saved_aggregate;
    if (!q.ok()) return q.error();
    def.plan = q.value();
    if (def.kind == subquery_kind::scalar && def.plan->schema.size() != 1)
        return make_error(sql_errc::syntax_error, "subquery must return only one column",
                          _ctx.position(location_of(n)));
    if (def.kind == subquery_kind::array && def.plan->schema.size() != 1)
        return make_error(sql_errc::syntax_error, "subquery must return only one column",
                          _ctx.position(location_of(n)));
    data_type t = def.kind == subquery_kind::array    ? data_type::of(type_id::text)
                  : def.kind == subquery_kind::scalar ? def.plan->schema[0].type
                                                      : data_type::of(type_id::boolean);
    int column = static_cast<int>(_base + _defs.size());
    std::string name = def.kind == subquery_kind::exists   ? "exists"
                       : def.kind == subquery_kind::array  ? "array"
                       : def.kind == subquery_kind::scalar ? def.plan->schema[0].name
                                                           : "?column?";
    _defs.push_back(std::move(def));
    _columns.push_back({name, t});
    return expr::make_column(column, t, name);
}

}  // namespace spate::sql
