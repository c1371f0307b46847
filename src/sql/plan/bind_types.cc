// Types, coercion and constant folding of the binder (binder.h).

#include <cctype>
#include <charconv>

#include "sql/expr/eval.h"
#include "sql/plan/bind_util.h"
#include "sql/plan/binder.h"
#include "sql/types/text_io.h"

namespace spate::sql {

using json = nlohmann::json;

int location_of(const json& n) {
    if (n.is_object()) {
        if (n.contains("location")) return n["location"].get<int>();
        if (n.size() == 1 && n.begin().value().is_object() &&
            n.begin().value().contains("location"))
            return n.begin().value()["location"].get<int>();
    }
    return -1;
}

std::string_view literal_at(const bind_context& ctx, int location) {
    if (!ctx.statement || location < 0) return {};
    std::string_view s = ctx.statement->text;
    size_t i = static_cast<size_t>(ctx.tree_offset + location);
    if (i >= s.size()) return {};
    size_t j = i;
    if (s[j] == '-' || s[j] == '+') ++j;
    while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])))
        ++j;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' ||
                            ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
    return s.substr(i, j - i);
}

bool is_plain_number(std::string_view t) {
    if (t.empty()) return false;
    size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    bool digits = false;
    for (; i < t.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(t[i]))) {
            digits = true;
        } else if (t[i] != '.') {
            return false;
        }
    }
    return digits;
}

sql_result<expr_ptr> number_constant(std::string_view text, int position) {
    std::string clean;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    bool integral = clean.find_first_of(".eE") == std::string::npos;
    if (integral) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
        if (ec == std::errc() && p == clean.data() + clean.size()) {
            if (v >= INT32_MIN && v <= INT32_MAX)
                return expr::make_constant(value::int32(static_cast<int32_t>(v)));
            return expr::make_constant(value::int64(v));
        }
    }
    auto v = parse_value(clean, data_type::of(type_id::numeric));
    if (!v.ok()) {
        sql_error e = v.error();
        e.position = position;
        return e;
    }
    return expr::make_constant(v.value());
}

bool is_aggregate_name(std::string_view n) {
    for (std::string_view a :
         {"count", "sum", "min", "max", "avg", "stddev", "variance", "stddev_samp", "stddev_pop",
          "var_samp", "var_pop", "bool_and", "bool_or", "string_agg", "array_agg", "every"})
        if (n == a) return true;
    return false;
}

std::string interval_unit(const json& type_name) {
    if (!type_name.contains("typmods") || type_name["typmods"].empty()) return "";
    const json& c = type_name["typmods"][0]["A_Const"];
    int mask = c.contains("ival") ? c["ival"].value("ival", 0) : 0;
    // PostgreSQL's interval field bits (datetime.h): the smallest field named.
    static const std::pair<int, const char*> k_fields[] = {{1 << 12, "second"}, {1 << 11, "minute"},
                                                           {1 << 10, "hour"},   {1 << 3, "day"},
                                                           {1 << 1, "month"},   {1 << 2, "year"}};
    for (const auto& [bit, unit] : k_fields)
        if (mask & bit) return unit;
    return "";
}

std::string range_var_name(const json& rv) {
    return rv.value("relname", "");
}

sql_result<data_type> bind_type_name(const json& tn, bind_context& ctx) {
    std::string name = tn["names"].back()["String"].value("sval", "");
    std::vector<int> mods;
    if (tn.contains("typmods"))
        for (const auto& m : tn["typmods"])
            if (m.contains("A_Const"))
                mods.push_back(m["A_Const"].contains("ival") ? m["A_Const"]["ival"].value("ival", 0)
                                                             : 0);
    // Arrays are PostgreSQL array literals in text values (no array types yet).
    if (tn.contains("arrayBounds")) return data_type::of(type_id::text);
    static const std::pair<const char*, type_id> k_names[] = {
        {"bool", type_id::boolean},
        {"boolean", type_id::boolean},
        {"int2", type_id::int16},
        {"smallint", type_id::int16},
        {"int4", type_id::int32},
        {"int", type_id::int32},
        {"integer", type_id::int32},
        {"int8", type_id::int64},
        {"bigint", type_id::int64},
        {"float4", type_id::float32},
        {"real", type_id::float32},
        {"float8", type_id::float64},
        {"double", type_id::float64},
        {"numeric", type_id::numeric},
        {"decimal", type_id::numeric},
        {"text", type_id::text},
        {"varchar", type_id::text},
        {"bpchar", type_id::text},
        {"char", type_id::text},
        {"string", type_id::text},
        {"bytea", type_id::bytea},
        {"date", type_id::date},
        {"time", type_id::time},
        {"timestamp", type_id::timestamp},
        {"timestamptz", type_id::timestamptz},
        {"interval", type_id::interval},
        {"jsonb", type_id::jsonb},
        {"json", type_id::jsonb},
        // Catalog types: OIDs are bigints, names text.
        {"oid", type_id::int64},
        {"regclass", type_id::int64},
        {"regtype", type_id::int64},
        {"regproc", type_id::int64},
        {"regnamespace", type_id::int64},
        {"xid", type_id::int64},
        {"name", type_id::text},
    };
    for (const auto& [n, id] : k_names) {
        if (name != n) continue;
        data_type t = data_type::of(id);
        if (id == type_id::numeric && !mods.empty()) {
            t.precision = static_cast<int16_t>(mods[0]);
            t.scale = static_cast<int16_t>(mods.size() > 1 ? mods[1] : 0);
            if (t.precision < 1 || t.precision > k_max_numeric_digits || t.scale < 0 ||
                t.scale > t.precision)
                return make_error(sql_errc::invalid_parameter_value,
                                  "NUMERIC precision " + std::to_string(t.precision) +
                                      " must be between 1 and " +
                                      std::to_string(k_max_numeric_digits),
                                  ctx.position(location_of(tn)));
        }
        if (name == "varchar") {
            t.varchar = true;
            if (!mods.empty()) t.precision = static_cast<int16_t>(mods[0]);
        }
        return t;
    }
    return make_error(sql_errc::undefined_object, "type \"" + name + "\" does not exist",
                      ctx.position(location_of(tn)));
}

sql_result<expr_ptr> coerce(expr_ptr e, const data_type& to, cast_context cx, int location,
                            bind_context& ctx) {
    if (e->type == to) return e;
    if (e->kind == expr_kind::parameter && e->type.id == type_id::unknown) {
        auto& slot = ctx.parameter_types[static_cast<size_t>(e->parameter)];
        if (slot.id == type_id::unknown) slot = to;
        auto p = expr::make_parameter(e->parameter, slot);
        if (slot == to) return p;
        e = p;
    }
    if (e->kind == expr_kind::constant && e->type.id == type_id::unknown) {
        if (e->constant.is_null()) return expr::make_constant(value::null(to));
        auto v = parse_value(e->constant.get<std::string>(), to);
        if (!v.ok()) {
            sql_error err = v.error();
            err.position = ctx.position(location);
            return err;
        }
        return expr::make_constant(v.value());
    }
    // Same physical type, different modifiers (VARCHAR vs TEXT): no-op
    // unless a NUMERIC/VARCHAR limit applies.
    if (e->type.id == to.id && to.precision < 0) return e;
    auto c = resolve_cast(e->type, to, cx);
    if (!c.ok()) {
        sql_error err = c.error();
        err.position = ctx.position(location);
        return err;
    }
    return expr::make_cast(e, to, c.value());
}

sql_result<expr_ptr> fold_constants(const expr_ptr& e, bind_context& ctx) {
    if (e->kind == expr_kind::constant || e->kind == expr_kind::column_ref ||
        e->kind == expr_kind::parameter)
        return e;
    if (is_constant(*e)) {
        eval_context ectx;
        ectx.statement_time_micros = ctx.now_micros;
        auto v = evaluate_constant(*e, ectx);
        // A constant that fails to evaluate (1/0) is left for run time, which
        // reports it only if a row reaches it.
        if (v.ok()) return expr::make_constant(v.value());
        return e;
    }
    bool changed = false;
    std::vector<expr_ptr> args;
    for (const auto& a : e->args) {
        auto f = fold_constants(a, ctx);
        if (!f.ok()) return f;
        changed |= f.value() != a;
        args.push_back(f.value());
    }
    if (!changed) return e;
    auto copy = std::make_shared<expr>(*e);
    copy->args = std::move(args);
    return expr_ptr(copy);
}

}  // namespace spate::sql
