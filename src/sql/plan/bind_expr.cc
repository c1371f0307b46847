// Binding of scalar expressions (binder.h).

#include <cctype>
#include <charconv>
#include <string>

#include "sql/catalog/system_tables.h"
#include "sql/expr/eval.h"
#include "sql/plan/bind_util.h"
#include "sql/plan/binder.h"
#include "sql/types/text_io.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

class expr_binder {
  public:
    expr_binder(const bind_scope& scope, bind_context& ctx) : _scope(scope), _ctx(ctx) {}

    sql_result<expr_ptr> bind(const json& node);

  private:
    sql_error error(sql_errc c, std::string msg, const json& n) const {
        return make_error(c, std::move(msg), _ctx.position(location_of(n)));
    }

    sql_result<expr_ptr> column_ref(const json& n);
    sql_result<expr_ptr> parameter(const json& n);
    sql_result<expr_ptr> null_test(const json& n);
    sql_result<expr_ptr> boolean_test(const json& n);
    sql_result<expr_ptr> sql_value_function(const json& n);
    sql_result<expr_ptr> constant(const json& n);
    sql_result<expr_ptr> a_expr(const json& n);
    sql_result<expr_ptr> operator_call(const std::string& op, const json* l, const json* r,
                                       const json& n);
    sql_result<expr_ptr> in_list(const json& n, bool negated);
    sql_result<expr_ptr> between(const json& n, bool negated);
    sql_result<expr_ptr> bool_expr(const json& n);
    sql_result<expr_ptr> func_call(const json& n);
    sql_result<expr_ptr> special_function(const std::string& name, const json& n, bool& handled);
    sql_result<expr_ptr> type_cast(const json& n);
    sql_result<expr_ptr> case_expr(const json& n);
    sql_result<expr_ptr> coalesce(const json& args, expr_kind kind, const json& n);
    sql_result<expr_ptr> distinct(const json& n, bool negated);
    sql_result<std::vector<expr_ptr>> bind_all(const json& list);
    // Calls `name` on already bound args (coercing them).
    sql_result<expr_ptr> call(const std::string& name, std::vector<expr_ptr> args, const json& n);
    sql_result<data_type> unify(const std::vector<expr_ptr>& args, const json& n);

    const bind_scope& _scope;
    bind_context& _ctx;
};

sql_result<std::vector<expr_ptr>> expr_binder::bind_all(const json& list) {
    std::vector<expr_ptr> out;
    if (list.is_object() && list.contains("List")) return bind_all(list["List"]["items"]);
    for (const auto& item : list) {
        auto e = bind(item);
        if (!e.ok()) return e.error();
        out.push_back(std::move(e.value()));
    }
    return out;
}

sql_result<expr_ptr> expr_binder::bind(const json& node) {
    if (!node.is_object() || node.empty())
        return make_error(sql_errc::syntax_error, "empty expression");
    const std::string& kind = node.begin().key();
    const json& n = node.begin().value();
    if (kind == "ColumnRef") return column_ref(n);
    if (kind == "A_Const") return constant(n);
    if (kind == "ParamRef") return parameter(n);
    if (kind == "A_Expr") return a_expr(n);
    if (kind == "BoolExpr") return bool_expr(n);
    if (kind == "NullTest") return null_test(n);
    if (kind == "BooleanTest") return boolean_test(n);
    if (kind == "FuncCall") return func_call(n);
    if (kind == "SQLValueFunction") return sql_value_function(n);
    if (kind == "TypeCast") return type_cast(n);
    if (kind == "CaseExpr") return case_expr(n);
    if (kind == "CoalesceExpr") return coalesce(n["args"], expr_kind::coalesce, n);
    if (kind == "MinMaxExpr") {
        auto args = bind_all(n["args"]);
        if (!args.ok()) return args.error();
        return call(n.value("op", "") == "IS_GREATEST" ? "greatest" : "least",
                    std::move(args.value()), n);
    }
    if (kind == "CollateClause") return bind(n["arg"]);
    if (kind == "A_Indirection" && n["indirection"].size() == 1 &&
        n["indirection"][0].contains("A_Indices") &&
        !n["indirection"][0]["A_Indices"].value("is_slice", false)) {
        // a[i]: arrays are text literals (functions_pg.cc); the element is unknown-typed.
        auto arr = bind(n["arg"]);
        if (!arr.ok()) return arr;
        auto index = bind(n["indirection"][0]["A_Indices"]["uidx"]);
        if (!index.ok()) return index;
        return call("array_element", {arr.value(), index.value()}, n);
    }
    if (kind == "SubLink") {
        if (_ctx.sublink) return _ctx.sublink(node);
        return error(sql_errc::feature_not_supported, "subqueries are not supported here", n);
    }
    return error(sql_errc::feature_not_supported, "expression " + kind + " is not supported", n);
}

sql_result<expr_ptr> expr_binder::parameter(const json& n) {
    int index = n.value("number", 0) - 1;
    if (index < 0 || index >= 65535)
        return error(sql_errc::undefined_parameter,
                     "there is no parameter $" + std::to_string(index + 1), n);
    if (static_cast<size_t>(index) >= _ctx.parameter_types.size())
        _ctx.parameter_types.resize(index + 1, data_type::of(type_id::unknown));
    return expr::make_parameter(index, _ctx.parameter_types[index]);
}

sql_result<expr_ptr> expr_binder::null_test(const json& n) {
    auto arg = bind(n["arg"]);
    if (!arg.ok()) return arg;
    bool is_null = n.value("nulltesttype", "") == "IS_NULL";
    return expr::make(is_null ? expr_kind::is_null : expr_kind::is_not_null,
                      data_type::of(type_id::boolean), {arg.value()});
}

sql_result<expr_ptr> expr_binder::boolean_test(const json& n) {
    auto arg = bind(n["arg"]);
    if (!arg.ok()) return arg;
    auto b = coerce(arg.value(), data_type::of(type_id::boolean), cast_context::implicit,
                    location_of(n), _ctx);
    if (!b.ok()) return b;
    std::string t = n.value("booltesttype", "");
    auto boolean = data_type::of(type_id::boolean);
    expr_ptr out;
    if (t == "IS_TRUE" || t == "IS_NOT_TRUE")
        out = expr::make(expr_kind::is_true, boolean, {b.value()});
    if (t == "IS_FALSE" || t == "IS_NOT_FALSE")
        out = expr::make(expr_kind::is_false, boolean, {b.value()});
    if (t == "IS_UNKNOWN" || t == "IS_NOT_UNKNOWN")
        out = expr::make(expr_kind::is_null, boolean, {b.value()});
    if (!out) return error(sql_errc::feature_not_supported, "unsupported boolean test", n);
    if (t.find("_NOT_") != std::string::npos) out = expr::make(expr_kind::not_, boolean, {out});
    return out;
}

sql_result<expr_ptr> expr_binder::sql_value_function(const json& n) {
    std::string op = n.value("op", "");
    if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_LOCALTIMESTAMP" ||
        op == "SVFOP_CURRENT_TIMESTAMP_N")
        return call("now", {}, n);
    if (op == "SVFOP_CURRENT_DATE") {
        auto now = call("now", {}, n);
        if (!now.ok()) return now;
        return coerce(now.value(), data_type::of(type_id::date), cast_context::explicit_,
                      location_of(n), _ctx);
    }
    if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_SESSION_USER" || op == "SVFOP_USER" ||
        op == "SVFOP_CURRENT_ROLE") {
        auto user = _ctx.setting ? _ctx.setting("session_authorization") : std::nullopt;
        return expr::make_constant(value::text(user.value_or("spate")));
    }
    if (op == "SVFOP_CURRENT_CATALOG") return expr::make_constant(value::text("spate"));
    if (op == "SVFOP_CURRENT_SCHEMA") return expr::make_constant(value::text("public"));
    return error(sql_errc::feature_not_supported, "unsupported SQL value function", n);
}

sql_result<expr_ptr> expr_binder::column_ref(const json& n) {
    const json& fields = n["fields"];
    std::vector<std::string> parts;
    for (const auto& f : fields) {
        if (f.contains("A_Star"))
            return error(sql_errc::syntax_error, "* is allowed only in a select list", n);
        parts.push_back(f["String"].value("sval", ""));
    }
    std::string name = parts.back();
    std::string table = parts.size() > 1 ? parts[parts.size() - 2] : "";
    int found = -1;
    for (size_t i = 0; i < _scope.size(); ++i) {
        if (_scope[i].name != name || (!table.empty() && _scope[i].table != table)) continue;
        if (found >= 0)
            return error(sql_errc::ambiguous_column,
                         "column reference \"" + name + "\" is ambiguous", n);
        found = static_cast<int>(i);
    }
    if (found < 0 && _ctx.outer_column) {
        bool outer = false;
        auto e = _ctx.outer_column(parts, outer);
        if (!e.ok() || outer) return e;
    }
    if (found < 0) {
        std::string full;
        for (const auto& p : parts)
            full += (full.empty() ? "" : ".") + p;
        return error(sql_errc::undefined_column, "column \"" + full + "\" does not exist", n);
    }
    return expr::make_column(found, _scope[found].type, name);
}

sql_result<expr_ptr> expr_binder::constant(const json& n) {
    if (n.value("isnull", false))
        return expr::make_constant(value::null(data_type::of(type_id::unknown)));
    if (n.contains("sval"))
        return expr::make_constant(
            value::string(data_type::of(type_id::unknown), n["sval"].value("sval", "")));
    if (n.contains("boolval"))
        return expr::make_constant(value::boolean(n["boolval"].value("boolval", false)));
    if (n.contains("bsval")) return expr::make_constant(value::text(n["bsval"].value("bsval", "")));
    // Numbers: read the literal as written (libpg_query 15's JSON drops
    // negative and zero integer values).
    std::string_view text = literal_at(_ctx, location_of(n));
    return number_constant(text, _ctx.position(location_of(n)));
}

sql_result<expr_ptr> expr_binder::bool_expr(const json& n) {
    auto args = bind_all(n["args"]);
    if (!args.ok()) return args.error();
    auto boolean = data_type::of(type_id::boolean);
    for (auto& a : args.value()) {
        auto c = coerce(a, boolean, cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) {
            return error(sql_errc::datatype_mismatch,
                         "argument of " +
                             std::string(n.value("boolop", "") == "NOT_EXPR"   ? "NOT"
                                         : n.value("boolop", "") == "AND_EXPR" ? "AND"
                                                                               : "OR") +
                             " must be type boolean, not type " + type_name(a->type),
                         n);
        }
        a = c.value();
    }
    std::string op = n.value("boolop", "");
    if (op == "AND_EXPR") return expr::make(expr_kind::and_, boolean, std::move(args.value()));
    if (op == "OR_EXPR") return expr::make(expr_kind::or_, boolean, std::move(args.value()));
    return expr::make(expr_kind::not_, boolean, std::move(args.value()));
}

sql_result<expr_ptr> expr_binder::a_expr(const json& n) {
    std::string kind = n.value("kind", "");
    std::string op = n.contains("name") ? n["name"].back()["String"].value("sval", "") : "";
    const json* l = n.contains("lexpr") ? &n["lexpr"] : nullptr;
    const json* r = n.contains("rexpr") ? &n["rexpr"] : nullptr;
    if (kind == "AEXPR_OP" || kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE")
        return operator_call(op, l, r, n);
    if (kind == "AEXPR_IN") return in_list(n, op == "<>");
    // x op ANY/ALL (array): functions named "op any" / "op all" (functions_pg.cc).
    if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL")
        return operator_call(op + (kind == "AEXPR_OP_ANY" ? " any" : " all"), l, r, n);
    if (kind == "AEXPR_BETWEEN") return between(n, false);
    if (kind == "AEXPR_NOT_BETWEEN") return between(n, true);
    if (kind == "AEXPR_NULLIF") {
        auto a = bind(*l);
        if (!a.ok()) return a;
        auto b = bind(*r);
        if (!b.ok()) return b;
        auto t = unify({a.value(), b.value()}, n);
        if (!t.ok()) return t.error();
        auto ca = coerce(a.value(), t.value(), cast_context::implicit, location_of(n), _ctx);
        auto cb = coerce(b.value(), t.value(), cast_context::implicit, location_of(n), _ctx);
        if (!ca.ok()) return ca;
        if (!cb.ok()) return cb;
        std::vector<data_type> types{t.value(), t.value()};
        auto eq = resolve_function("=", types);
        if (!eq.ok()) return error(eq.error().code, eq.error().message, n);
        auto out = std::make_shared<expr>();
        out->kind = expr_kind::nullif;
        out->type = t.value();
        out->function = eq.value();
        out->args = {ca.value(), cb.value()};
        out->name = "nullif";
        return expr_ptr(out);
    }
    if (kind == "AEXPR_DISTINCT") return distinct(n, false);
    if (kind == "AEXPR_NOT_DISTINCT") return distinct(n, true);
    return error(sql_errc::feature_not_supported, "operator kind " + kind + " is not supported", n);
}

sql_result<expr_ptr> expr_binder::operator_call(const std::string& op, const json* l, const json* r,
                                                const json& n) {
    std::vector<expr_ptr> args;
    for (const json* side : {l, r}) {
        if (!side) continue;
        auto e = bind(*side);
        if (!e.ok()) return e;
        args.push_back(e.value());
    }
    return call(op, std::move(args), n);
}

sql_result<data_type> expr_binder::unify(const std::vector<expr_ptr>& args, const json& n) {
    data_type t = data_type::of(type_id::unknown);
    for (const auto& a : args) {
        if (a->type.id == type_id::unknown) continue;
        if (t.id == type_id::unknown) {
            t = a->type;
            continue;
        }
        auto c = common_type(t, a->type);
        if (!c.ok()) return error(c.error().code, c.error().message, n);
        t = c.value();
    }
    if (t.id == type_id::unknown) t = data_type::of(type_id::text);
    return t;
}

sql_result<expr_ptr> expr_binder::in_list(const json& n, bool negated) {
    auto needle = bind(n["lexpr"]);
    if (!needle.ok()) return needle;
    auto items = bind_all(n["rexpr"]);
    if (!items.ok()) return items.error();
    std::vector<expr_ptr> all{needle.value()};
    for (auto& i : items.value())
        all.push_back(i);
    auto t = unify(all, n);
    if (!t.ok()) return t.error();
    for (auto& a : all) {
        auto c = coerce(a, t.value(), cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) return c;
        a = c.value();
    }
    std::vector<data_type> types{t.value(), t.value()};
    auto eq = resolve_function("=", types);
    if (!eq.ok()) return error(eq.error().code, eq.error().message, n);
    auto out = std::make_shared<expr>();
    out->kind = expr_kind::in_list;
    out->type = data_type::of(type_id::boolean);
    out->function = eq.value();
    out->args = std::move(all);
    out->name = "in";
    expr_ptr e = out;
    if (negated) e = expr::make(expr_kind::not_, data_type::of(type_id::boolean), {e});
    return e;
}

sql_result<expr_ptr> expr_binder::between(const json& n, bool negated) {
    auto a = bind(n["lexpr"]);
    if (!a.ok()) return a;
    auto bounds = bind_all(n["rexpr"]);
    if (!bounds.ok()) return bounds.error();
    if (bounds.value().size() != 2)
        return error(sql_errc::syntax_error, "BETWEEN needs two bounds", n);
    auto lo = call(negated ? "<" : ">=", {a.value(), bounds.value()[0]}, n);
    if (!lo.ok()) return lo;
    auto hi = call(negated ? ">" : "<=", {a.value(), bounds.value()[1]}, n);
    if (!hi.ok()) return hi;
    return expr::make(negated ? expr_kind::or_ : expr_kind::and_, data_type::of(type_id::boolean),
                      {lo.value(), hi.value()});
}

sql_result<expr_ptr> expr_binder::distinct(const json& n, bool negated) {
    auto a = bind(n["lexpr"]);
    if (!a.ok()) return a;
    auto b = bind(n["rexpr"]);
    if (!b.ok()) return b;
    auto ne = call("<>", {a.value(), b.value()}, n);
    if (!ne.ok()) return ne;
    auto boolean = data_type::of(type_id::boolean);
    auto a_null = expr::make(expr_kind::is_null, boolean, {a.value()});
    auto b_null = expr::make(expr_kind::is_null, boolean, {b.value()});
    // CASE WHEN a IS NULL THEN NOT (b IS NULL) WHEN b IS NULL THEN true ELSE a <> b END
    auto out = std::make_shared<expr>();
    out->kind = expr_kind::case_;
    out->type = boolean;
    out->args = {a_null, expr::make(expr_kind::not_, boolean, {b_null}), b_null,
                 expr::make_constant(value::boolean(true)), ne.value()};
    out->has_else = true;
    out->name = "distinct";
    expr_ptr e = out;
    if (negated) e = expr::make(expr_kind::not_, boolean, {e});
    return e;
}

sql_result<expr_ptr> expr_binder::call(const std::string& name, std::vector<expr_ptr> args,
                                       const json& n) {
    std::vector<data_type> types;
    for (const auto& a : args)
        types.push_back(a->type);
    auto f = resolve_function(name, types);
    if (!f.ok()) return error(f.error().code, f.error().message, n);
    for (size_t i = 0; i < args.size() && i < f.value().arg_types.size(); ++i) {
        auto c =
            coerce(args[i], f.value().arg_types[i], cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) return c;
        args[i] = c.value();
    }
    return expr::make_function(f.value(), std::move(args));
}

sql_result<expr_ptr> expr_binder::func_call(const json& n) {
    std::string name = n["funcname"].back()["String"].value("sval", "");
    if (n.contains("over"))
        return error(sql_errc::feature_not_supported, "window functions are not supported yet", n);
    if (n.value("agg_star", false) || n.value("agg_distinct", false) || is_aggregate_name(name)) {
        if (_ctx.aggregate) return _ctx.aggregate(n);
        return error(sql_errc::grouping_error, "aggregate functions are not allowed here", n);
    }
    bool handled = false;
    auto special = special_function(name, n, handled);
    if (handled) return special;
    std::vector<expr_ptr> args;
    if (n.contains("args")) {
        auto bound = bind_all(n["args"]);
        if (!bound.ok()) return bound.error();
        args = std::move(bound.value());
    }
    if (name == "extract" || name == "date_part") {
        // The field is written as a keyword: a text literal.
        if (!args.empty() && args[0]->kind == expr_kind::constant &&
            args[0]->type.id == type_id::unknown)
            args[0] = expr::make_constant(value::text(args[0]->constant.get<std::string>()));
    }
    if (!function_exists(name))
        return error(sql_errc::undefined_function, "function " + name + "() does not exist", n);
    return call(name, std::move(args), n);
}

sql_result<expr_ptr> expr_binder::special_function(const std::string& name, const json& n,
                                                   bool& handled) {
    handled = true;
    auto text_arg = [&](size_t i) -> std::optional<std::string> {
        if (!n.contains("args") || n["args"].size() <= i) return std::nullopt;
        auto e = bind(n["args"][i]);
        if (!e.ok() || !is_constant(*e.value())) return std::nullopt;
        eval_context ectx;
        auto v = evaluate_constant(*e.value(), ectx);
        if (!v.ok() || v.value().is_null()) return std::nullopt;
        return format_text(v.value());
    };
    if (name == "version") return expr::make_constant(value::text(k_version_string));
    if (name == "current_database" || name == "current_catalog")
        return expr::make_constant(value::text("spate"));
    if (name == "current_schema") return expr::make_constant(value::text("public"));
    if (name == "pg_backend_pid") return expr::make_constant(value::int32(0));
    if (name == "pg_get_viewdef" && _ctx.cat) {
        // A materialized view's query, by constant OID (system_tables.h).
        auto oid = text_arg(0);
        if (oid) {
            auto def = view_definition(*oid, *_ctx.cat);
            return expr::make_constant(def ? value::text(*def)
                                           : value::null(data_type::of(type_id::text)));
        }
    }
    if (name == "current_setting") {
        auto key = text_arg(0);
        if (!key)
            return error(sql_errc::feature_not_supported, "current_setting needs a constant name",
                         n);
        auto v = _ctx.setting ? _ctx.setting(*key) : std::nullopt;
        if (!v) {
            bool missing_ok = text_arg(1).value_or("f") == "t";
            if (missing_ok) return expr::make_constant(value::null(data_type::of(type_id::text)));
            return error(sql_errc::undefined_object,
                         "unrecognized configuration parameter \"" + *key + "\"", n);
        }
        return expr::make_constant(value::text(*v));
    }
    handled = false;
    return expr_ptr{};
}

sql_result<expr_ptr> expr_binder::type_cast(const json& n) {
    auto to = bind_type_name(n["typeName"], _ctx);
    if (!to.ok()) return to.error();
    const json& arg = n["arg"];
    // 'name'::regclass: the relation's OID (system_tables.h).
    if (arg.contains("A_Const") && arg["A_Const"].contains("sval") && _ctx.cat &&
        n["typeName"]["names"].back()["String"].value("sval", "") == "regclass") {
        std::string rel = arg["A_Const"]["sval"].value("sval", "");
        auto oid = regclass_oid(rel, *_ctx.cat);
        if (!oid)
            return error(sql_errc::undefined_table, "relation \"" + rel + "\" does not exist", n);
        return expr::make_constant(value::int64(*oid));
    }
    if (arg.contains("A_Const") && arg["A_Const"].contains("sval") &&
        to.value().id == type_id::interval) {
        // INTERVAL '4' SECOND: a bare number takes the unit of the qualifier.
        std::string text = arg["A_Const"]["sval"].value("sval", "");
        std::string unit = interval_unit(n["typeName"]);
        if (!unit.empty() && is_plain_number(text)) text += " " + unit;
        auto v = parse_value(text, to.value());
        if (!v.ok()) return error(v.error().code, v.error().message, n);
        return expr::make_constant(v.value());
    }
    auto e = bind(arg);
    if (!e.ok()) return e;
    return coerce(e.value(), to.value(), cast_context::explicit_, location_of(n), _ctx);
}

sql_result<expr_ptr> expr_binder::case_expr(const json& n) {
    std::optional<expr_ptr> subject;
    if (n.contains("arg")) {
        auto s = bind(n["arg"]);
        if (!s.ok()) return s;
        subject = s.value();
    }
    std::vector<expr_ptr> conds, results;
    for (const auto& w : n["args"]) {
        const json& cw = w["CaseWhen"];
        expr_ptr cond;
        if (subject) {
            auto c = bind(cw["expr"]);
            if (!c.ok()) return c;
            auto eq = call("=", {*subject, c.value()}, cw);
            if (!eq.ok()) return eq;
            cond = eq.value();
        } else {
            auto c = bind(cw["expr"]);
            if (!c.ok()) return c;
            auto b = coerce(c.value(), data_type::of(type_id::boolean), cast_context::implicit,
                            location_of(cw), _ctx);
            if (!b.ok()) return b;
            cond = b.value();
        }
        auto r = bind(cw["result"]);
        if (!r.ok()) return r;
        conds.push_back(cond);
        results.push_back(r.value());
    }
    bool has_else = n.contains("defresult");
    if (has_else) {
        auto d = bind(n["defresult"]);
        if (!d.ok()) return d;
        results.push_back(d.value());
    }
    auto t = unify(results, n);
    if (!t.ok()) return t.error();
    auto out = std::make_shared<expr>();
    out->kind = expr_kind::case_;
    out->type = t.value();
    out->has_else = has_else;
    out->name = "case";
    for (size_t i = 0; i < results.size(); ++i) {
        auto c = coerce(results[i], t.value(), cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) return c;
        if (i < conds.size()) out->args.push_back(conds[i]);
        out->args.push_back(c.value());
    }
    return expr_ptr(out);
}

sql_result<expr_ptr> expr_binder::coalesce(const json& list, expr_kind kind, const json& n) {
    auto args = bind_all(list);
    if (!args.ok()) return args.error();
    auto t = unify(args.value(), n);
    if (!t.ok()) return t.error();
    for (auto& a : args.value()) {
        auto c = coerce(a, t.value(), cast_context::implicit, location_of(n), _ctx);
        if (!c.ok()) return c;
        a = c.value();
    }
    auto out = expr::make(kind, t.value(), std::move(args.value()));
    return out;
}

}  // namespace

int bind_context::position(int location) const {
    if (location < 0 || !statement) return 0;
    return statement->offset + tree_offset + location + 1;
}

sql_result<expr_ptr> bind_expression(const json& node, const bind_scope& scope, bind_context& ctx) {
    auto e = expr_binder(scope, ctx).bind(node);
    if (!e.ok()) return e;
    return fold_constants(e.value(), ctx);
}

}  // namespace spate::sql
