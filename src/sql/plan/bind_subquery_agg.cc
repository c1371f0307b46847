// Binding of aggregate calls (bind_from.h): arguments, DISTINCT, FILTER,
// result types (sql/agg/aggregate_function.h), and the clauses where
// aggregates are not allowed.

#include <string>

#include "sql/agg/aggregate_function.h"
#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"

namespace spate::sql {

using json = nlohmann::json;

namespace {

sql_error banned(const std::string& message, const json& n, const bind_context& ctx) {
    return make_error(sql_errc::grouping_error, message, ctx.position(location_of(n)));
}

bool same_call(const aggregate_call& a, const aggregate_call& b) {
    if (a.name != b.name || a.star != b.star || a.distinct != b.distinct ||
        a.args.size() != b.args.size() || !a.filter != !b.filter)
        return false;
    for (size_t i = 0; i < a.args.size(); ++i)
        if (!same_expr(*a.args[i], *b.args[i])) return false;
    return !a.filter || same_expr(*a.filter, *b.filter);
}

// Untyped literals and text-like arguments take the type the function
// reads: text (count, min, max, array_agg, string_agg), or bytea for
// string_agg over bytea.
sql_status coerce_arguments(aggregate_call& call, int location, bind_context& ctx) {
    auto to = [&](expr_ptr& e, type_id t) -> sql_status {
        auto c = coerce(e, data_type::of(t), cast_context::implicit, location, ctx);
        if (!c.ok()) return c.error();
        e = c.value();
        return {};
    };
    if (call.name == "string_agg" && call.args.size() == 2) {
        type_id t = call.args[0]->type.id == type_id::bytea ? type_id::bytea : type_id::text;
        for (auto& a : call.args)
            if (a->type.id == type_id::unknown || is_string_like(a->type.id))
                if (auto s = to(a, t); !s.ok()) return s;
        return {};
    }
    for (auto& a : call.args)
        if (a->type.id == type_id::unknown)
            if (auto s = to(a, type_id::text); !s.ok()) return s;
    return {};
}

}  // namespace

aggregate_collector::aggregate_collector(const bind_scope& scope, size_t base, bind_context& ctx)
    : _scope(scope), _base(base), _ctx(ctx), _saved(ctx.aggregate) {
    _ctx.aggregate = [this](const json& node) { return bind_call(node); };
}

aggregate_collector::~aggregate_collector() {
    _ctx.aggregate = _saved;
}

sql_status aggregate_collector::bind_arguments(const json& n, aggregate_call& call) {
    // Aggregate arguments and filters cannot contain aggregates.
    auto saved = _ctx.aggregate;
    _ctx.aggregate = [this](const json& inner) -> sql_result<expr_ptr> {
        return banned("aggregate function calls cannot be nested", inner, _ctx);
    };
    sql_status status;
    if (n.contains("args")) {
        for (const auto& a : n["args"]) {
            auto e = bind_expression(a, _scope, _ctx);
            if (!e.ok()) {
                status = e.error();
                break;
            }
            call.args.push_back(e.value());
        }
    }
    if (status.ok() && n.contains("agg_filter")) {
        const json& f = n["agg_filter"];
        _ctx.aggregate = [this](const json& inner) -> sql_result<expr_ptr> {
            return banned("aggregate functions are not allowed in FILTER", inner, _ctx);
        };
        auto e = bind_expression(f, _scope, _ctx);
        if (!e.ok()) {
            status = e.error();
        } else {
            auto b = coerce(e.value(), data_type::of(type_id::boolean), cast_context::implicit,
                            location_of(f), _ctx);
            if (!b.ok())
                status = make_error(sql_errc::datatype_mismatch,
                                    "argument of FILTER must be type boolean, not type " +
                                        type_name(e.value()->type),
                                    _ctx.position(location_of(f)));
            else
                call.filter = b.value();
        }
    }
    _ctx.aggregate = saved;
    return status;
}

sql_result<expr_ptr> aggregate_collector::bind_call(const json& n) {
    std::string name = n["funcname"].back()["String"].value("sval", "");
    int position = _ctx.position(location_of(n));
    if (n.contains("agg_order") || n.value("agg_within_group", false))
        return make_error(sql_errc::feature_not_supported,
                          "ORDER BY and WITHIN GROUP in aggregate calls are not supported yet",
                          position);
    aggregate_call call;
    call.name = name;
    call.star = n.value("agg_star", false);
    call.distinct = n.value("agg_distinct", false);
    if (auto s = bind_arguments(n, call); !s.ok()) return s.error();
    if (auto s = coerce_arguments(call, location_of(n), _ctx); !s.ok()) return s.error();
    std::vector<data_type> types;
    for (const auto& a : call.args)
        types.push_back(a->type);
    auto t = aggregate_result_type(name, types, call.star);
    if (!t.ok()) return make_error(t.error().code, t.error().message, position);
    call.type = t.value();
    size_t k = 0;
    while (k < _calls.size() && !same_call(_calls[k], call))
        ++k;
    if (k == _calls.size()) _calls.push_back(std::move(call));
    return expr::make_column(static_cast<int>(_base + k), t.value(), name);
}

aggregate_ban::aggregate_ban(bind_context& ctx, std::string clause)
    : _ctx(ctx), _saved(ctx.aggregate) {
    _ctx.aggregate = [this, clause](const json& n) -> sql_result<expr_ptr> {
        return banned("aggregate functions are not allowed in " + clause, n, _ctx);
    };
}

aggregate_ban::~aggregate_ban() {
    _ctx.aggregate = _saved;
}

}  // namespace spate::sql
