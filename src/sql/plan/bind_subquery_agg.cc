// Binding of aggregate calls in ungrouped queries (bind_from.h):
// count(*), count(x), min(x), max(x), string_agg(text, text).

#include <string>

#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"

namespace spate::sql {

using json = nlohmann::json;

aggregate_collector::aggregate_collector(const bind_scope& scope, size_t base, bind_context& ctx)
    : _scope(scope), _base(base), _ctx(ctx), _saved(ctx.aggregate) {
    _ctx.aggregate = [this](const json& node) { return bind_call(node); };
}

aggregate_collector::~aggregate_collector() {
    _ctx.aggregate = _saved;
}

plan_ptr aggregate_collector::aggregate_over(plan_ptr input) {
    if (_calls.empty()) return input;
    SPATE_ASSERT(input->schema.size() == _base);
    std::vector<column_def> schema = input->schema;
    for (const auto& c : _calls)
        schema.push_back({c.name, c.type});
    auto p = make_plan_node(plan_kind::aggregate, std::move(schema), {std::move(input)});
    p->aggregates = std::move(_calls);
    _calls.clear();
    return p;
}

sql_result<expr_ptr> aggregate_collector::bind_call(const json& n) {
    std::string name = n["funcname"].back()["String"].value("sval", "");
    int position = _ctx.position(location_of(n));
    aggregate_call call;
    call.name = name;
    call.star = n.value("agg_star", false);
    if (n.contains("agg_order") || n.contains("agg_filter") || n.contains("over"))
        return make_error(sql_errc::feature_not_supported,
                          "ORDER BY, FILTER and OVER in aggregates are not supported yet",
                          position);
    // Aggregate arguments cannot contain aggregates.
    auto saved = _ctx.aggregate;
    _ctx.aggregate = nullptr;
    if (n.contains("args")) {
        for (const auto& a : n["args"]) {
            auto e = bind_expression(a, _scope, _ctx);
            if (!e.ok()) {
                _ctx.aggregate = saved;
                return e;
            }
            call.args.push_back(e.value());
        }
    }
    _ctx.aggregate = saved;
    size_t want = call.star ? 0 : name == "string_agg" ? 2 : 1;
    bool known = name == "count" || name == "min" || name == "max" || name == "string_agg";
    if (!known || call.args.size() != want)
        return make_error(sql_errc::feature_not_supported,
                          "aggregate function " + name + "() with " +
                              std::to_string(call.args.size()) +
                              " arguments is not supported yet (count, min, max, string_agg)",
                          position);
    if (name == "string_agg") {
        for (auto& a : call.args) {
            auto c = coerce(a, data_type::of(type_id::text), cast_context::implicit, location_of(n),
                            _ctx);
            if (!c.ok()) return c.error();
            a = c.value();
        }
    }
    if ((name == "min" || name == "max") && call.args[0]->type.id == type_id::unknown) {
        auto c = coerce(call.args[0], data_type::of(type_id::text), cast_context::implicit,
                        location_of(n), _ctx);
        if (!c.ok()) return c.error();
        call.args[0] = c.value();
    }
    call.type = name == "count"        ? data_type::of(type_id::int64)
                : name == "string_agg" ? data_type::of(type_id::text)
                                       : call.args[0]->type;
    int column = static_cast<int>(_base + _calls.size());
    data_type t = call.type;
    _calls.push_back(std::move(call));
    return expr::make_column(column, t, name);
}

}  // namespace spate::sql
