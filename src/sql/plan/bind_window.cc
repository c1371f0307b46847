// Window table functions in FROM: TUMBLE, HOP, CUMULATE, SESSION (bind_from.h;
// semantics: docs/sql.md, "Windows"; execution: sql/exec/window.h).

#include <algorithm>
#include <functional>
#include <string>

#include "sql/plan/bind_from.h"
#include "sql/plan/bind_util.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;
using wide = __int128;

// HOP and CUMULATE: at most this many windows per input row (size / slide).
constexpr int64_t k_max_windows_per_row = 10'000;

// The name of the hidden column holding a time argument that is an
// expression rather than a column.
constexpr const char* k_time_column = "_window_time";

struct window_signature {
    const char* name;  // lower case
    window_kind kind;
    size_t min_args;
    size_t max_args;
    const char* usage;
};

constexpr window_signature k_windows[] = {
    {"tumble", window_kind::tumble, 3, 4, "TUMBLE(relation, time, size [, offset])"},
    {"hop", window_kind::hop, 4, 5, "HOP(relation, time, slide, size [, offset])"},
    {"cumulate", window_kind::cumulate, 4, 4, "CUMULATE(relation, time, step, size)"},
    {"session", window_kind::session, 3, 3, "SESSION(relation, time, gap)"},
};

const window_signature* find_signature(std::string_view name) {
    for (const auto& w : k_windows)
        if (name == w.name) return &w;
    return nullptr;
}

// The location of an argument; INTERVAL '1' SECOND casts carry theirs on the type name.
int arg_location(const json& n) {
    int loc = location_of(n);
    if (loc < 0 && n.contains("TypeCast")) {
        loc = location_of(n["TypeCast"]["typeName"]);
        if (loc < 0) loc = location_of(n["TypeCast"]["arg"]);
    }
    return loc;
}

sql_error error_at(sql_errc c, std::string msg, const json& n, const bind_context& ctx) {
    return make_error(c, std::move(msg), ctx.position(arg_location(n)));
}

// The FROM item the first argument names: a relation (ColumnRef `name` or
// `schema.name`) or a scalar subquery's SELECT.
sql_result<json> relation_item(const json& arg, const std::string& alias, const bind_context& ctx,
                               const window_signature& sig) {
    if (arg.contains("ColumnRef") && arg["ColumnRef"]["fields"].size() <= 2 &&
        arg["ColumnRef"]["fields"].back().contains("String")) {
        const json& fields = arg["ColumnRef"]["fields"];
        json rv{{"relname", fields.back()["String"].value("sval", "")},
                {"location", location_of(arg)}};
        if (fields.size() == 2) rv["schemaname"] = fields[0]["String"].value("sval", "");
        return json{{"RangeVar", rv}};
    }
    if (arg.contains("SubLink") && arg["SubLink"].value("subLinkType", "") == "EXPR_SUBLINK")
        return json{{"RangeSubselect",
                     {{"subquery", arg["SubLink"]["subselect"]},
                      {"alias", {{"aliasname", alias.empty() ? sig.name : alias}}}}}};
    return error_at(sql_errc::syntax_error,
                    std::string("the first argument of ") + sig.usage +
                        " must name a source, a view or be a subquery",
                    arg, ctx);
}

// A constant INTERVAL argument as microseconds (days count 24 hours).
sql_result<int64_t> duration_arg(const json& arg, const bind_scope& scope, bind_context& ctx,
                                 const char* what, const window_signature& sig) {
    auto e = bind_expression(arg, scope, ctx);
    if (!e.ok()) return e.error();
    auto c = coerce(e.value(), data_type::of(type_id::interval), cast_context::implicit,
                    arg_location(arg), ctx);
    if (!c.ok()) return c.error();
    auto folded = fold_constants(c.value(), ctx);
    if (!folded.ok()) return folded.error();
    const expr& f = *folded.value();
    if (f.kind != expr_kind::constant || f.constant.is_null())
        return error_at(
            sql_errc::feature_not_supported,
            std::string("the ") + what + " of " + sig.usage + " must be a constant interval", arg,
            ctx);
    const auto& iv = f.constant.get<interval_value>();
    if (iv.months != 0)
        return error_at(sql_errc::invalid_parameter_value,
                        std::string("the ") + what + " of " + sig.usage +
                            " must be a fixed duration: intervals with months or years are not "
                            "supported (use days)",
                        arg, ctx);
    wide us = wide(iv.days) * k_micros_per_day + iv.micros;
    if (us > INT64_MAX || us < INT64_MIN)
        return error_at(sql_errc::datetime_field_overflow,
                        std::string("the ") + what + " of " + sig.usage + " is out of range", arg,
                        ctx);
    return static_cast<int64_t>(us);
}

// Sizes, slide and offset of `w` from the arguments after the time.
sql_status bind_durations(const json& args, const bind_scope& scope, bind_context& ctx,
                          const window_signature& sig, window_def& w) {
    const char* names[2] = {"size", "offset"};
    if (sig.kind == window_kind::hop) {
        names[0] = "slide";
    } else if (sig.kind == window_kind::cumulate) {
        names[0] = "step";
    } else if (sig.kind == window_kind::session) {
        names[0] = "gap";
    }
    std::vector<int64_t> v;
    for (size_t i = 2; i < args.size(); ++i) {
        bool two_sizes = sig.kind == window_kind::hop || sig.kind == window_kind::cumulate;
        const char* what = i == 2 ? names[0] : (i == 3 && two_sizes ? "size" : "offset");
        auto d = duration_arg(args[i], scope, ctx, what, sig);
        if (!d.ok()) return d.error();
        bool is_offset = std::string_view(what) == "offset";
        if (!is_offset && d.value() <= 0)
            return error_at(sql_errc::invalid_parameter_value,
                            std::string("the ") + what + " of " + sig.usage + " must be positive",
                            args[i], ctx);
        v.push_back(d.value());
    }
    bool two_sizes = sig.kind == window_kind::hop || sig.kind == window_kind::cumulate;
    if (two_sizes) {
        w.slide_us = v[0];
        w.size_us = v[1];
        if (w.size_us % w.slide_us != 0)
            return error_at(
                sql_errc::invalid_parameter_value,
                std::string("the size of ") + sig.usage + " must be a multiple of its " + names[0],
                args[3], ctx);
        if (w.size_us / w.slide_us > k_max_windows_per_row)
            return error_at(sql_errc::invalid_parameter_value,
                            std::string("the size of ") + sig.usage + " may be at most " +
                                std::to_string(k_max_windows_per_row) + " times its " + names[0] +
                                " (windows per row)",
                            args[3], ctx);
    } else {
        w.size_us = v[0];
    }
    size_t offset_index = two_sizes ? 2 : 1;
    if (v.size() > offset_index) {
        // Windows repeat every period: keep the offset in [0, period).
        int64_t period = sig.kind == window_kind::hop ? w.slide_us : w.size_us;
        w.offset_us = ((v[offset_index] % period) + period) % period;
    }
    return {};
}

// Binds the time argument over `scope` (the relation's): a column of type
// timestamp or timestamptz, or an expression of one, which a projection
// below the window appends as a hidden column.
sql_status bind_time(const json& arg, bind_context& ctx, const window_signature& sig,
                     plan_ptr& input, bind_scope& scope, window_def& w) {
    auto e = bind_expression(arg, scope, ctx);
    if (!e.ok()) return e.error();
    type_id t = e.value()->type.id;
    if (t != type_id::timestamp && t != type_id::timestamptz)
        return error_at(sql_errc::datatype_mismatch,
                        std::string("the time argument of ") + sig.usage +
                            " must be of type timestamp or timestamp with time zone, not " +
                            type_name(e.value()->type),
                        arg, ctx);
    if (e.value()->kind == expr_kind::column_ref) {
        w.time_column = e.value()->column;
        return {};
    }
    std::vector<column_def> schema = input->schema;
    schema.push_back({k_time_column, e.value()->type});
    auto p = make_plan_node(plan_kind::project, schema, {input});
    for (size_t i = 0; i < input->schema.size(); ++i)
        p->exprs.push_back(
            expr::make_column(static_cast<int>(i), input->schema[i].type, input->schema[i].name));
    p->exprs.push_back(e.value());
    std::string table = scope.empty() ? "" : scope.back().table;
    scope.push_back({k_time_column, e.value()->type, true, table});
    w.time_column = static_cast<int>(input->schema.size());
    input = p;
    return {};
}

}  // namespace

bool is_window_function(std::string_view name) {
    return find_signature(name) != nullptr;
}

sql_result<plan_ptr> bind_window_function(const json& rf, bind_context& ctx, bind_scope& scope) {
    const json& call = rf["functions"][0]["List"]["items"][0]["FuncCall"];
    const window_signature& sig =
        *find_signature(call["funcname"].back()["String"].value("sval", ""));
    const json& args = call.contains("args") ? call["args"] : json::array();
    if (rf.value("lateral", false) || rf.value("ordinality", false) ||
        rf["functions"].size() != 1 || call.value("agg_star", false) ||
        call.value("agg_distinct", false) || call.contains("over") || call.contains("agg_order") ||
        args.size() < sig.min_args || args.size() > sig.max_args)
        return make_error(sql_errc::undefined_function,
                          std::string("window function takes ") + sig.usage,
                          ctx.position(location_of(call)));
    for (const auto& a : args)
        if (a.contains("NamedArgExpr"))
            return error_at(sql_errc::feature_not_supported,
                            std::string("named arguments are not supported: ") + sig.usage, a, ctx);
    std::string alias = rf.contains("alias") ? rf["alias"].value("aliasname", "") : "";
    auto item = relation_item(args[0], alias, ctx, sig);
    if (!item.ok()) return item.error();
    bind_scope in_scope;
    auto input = bind_from_item(item.value(), ctx, in_scope);
    if (!input.ok()) return input;
    plan_ptr in = input.value();
    auto p = make_plan_node(plan_kind::window, {}, {});
    p->window.kind = sig.kind;
    if (auto s = bind_time(args[1], ctx, sig, in, in_scope, p->window); !s.ok()) return s.error();
    if (auto s = bind_durations(args, in_scope, ctx, sig, p->window); !s.ok()) return s.error();
    data_type t = in->schema[static_cast<size_t>(p->window.time_column)].type;
    p->inputs = {in};
    p->schema = in->schema;
    p->schema.push_back({"window_start", t});
    p->schema.push_back({"window_end", t});
    std::string table = alias;
    if (table.empty()) table = in_scope.empty() ? std::string(sig.name) : in_scope[0].table;
    scope = std::move(in_scope);
    for (auto& c : scope)
        c.table = table;
    scope.push_back({"window_start", t, false, table});
    scope.push_back({"window_end", t, false, table});
    if (rf.contains("alias") && rf["alias"].contains("colnames")) {
        size_t i = 0;
        for (const auto& c : rf["alias"]["colnames"]) {
            if (i >= scope.size()) break;
            scope[i].name = c["String"].value("sval", scope[i].name);
            p->schema[i].name = scope[i].name;
            ++i;
        }
    }
    return p;
}

}  // namespace spate::sql
