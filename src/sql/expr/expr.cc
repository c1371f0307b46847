#include "sql/expr/expr.h"

#include <cctype>
#include <string>
#include <utility>

#include "sql/types/text_io.h"

namespace spate::sql {

expr_ptr expr::make_column(int index, data_type t, std::string name) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::column_ref;
    e->type = t;
    e->column = index;
    e->name = std::move(name);
    return e;
}

expr_ptr expr::make_constant(value v) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::constant;
    e->type = v.type();
    e->constant = std::move(v);
    return e;
}

expr_ptr expr::make_parameter(int index, data_type t) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::parameter;
    e->type = t;
    e->parameter = index;
    return e;
}

expr_ptr expr::make_function(resolved_function f, std::vector<expr_ptr> args) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::function;
    e->type = f.return_type;
    e->name = f.name;
    e->function = std::move(f);
    e->args = std::move(args);
    return e;
}

expr_ptr expr::make_cast(expr_ptr arg, data_type to, cast_function fn) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::cast;
    e->type = to;
    e->cast_fn = std::move(fn);
    e->args.push_back(std::move(arg));
    return e;
}

expr_ptr expr::make(expr_kind k, data_type t, std::vector<expr_ptr> args) {
    auto e = std::make_shared<expr>();
    e->kind = k;
    e->type = t;
    e->args = std::move(args);
    return e;
}

expr_ptr expr::make_case(data_type t, std::vector<expr_ptr> args, bool has_else) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::case_;
    e->type = t;
    e->args = std::move(args);
    e->has_else = has_else;
    return e;
}

expr_ptr expr::make_compare(expr_kind k, data_type t, resolved_function eq,
                            std::vector<expr_ptr> args) {
    SPATE_ASSERT(k == expr_kind::nullif || k == expr_kind::in_list);
    auto e = std::make_shared<expr>();
    e->kind = k;
    e->type = t;
    e->name = k == expr_kind::nullif ? "nullif" : "in";
    e->function = std::move(eq);
    e->args = std::move(args);
    return e;
}

sql_result<expr_ptr> coerce(expr_ptr e, const data_type& to, cast_context ctx) {
    if (e->type == to) return e;
    auto c = resolve_cast(e->type, to, ctx);
    if (!c) return c.error();
    return expr::make_cast(std::move(e), to, std::move(c).value());
}

sql_result<expr_ptr> make_call(std::string_view name, std::vector<expr_ptr> args) {
    std::vector<data_type> types;
    types.reserve(args.size());
    for (const auto& a : args)
        types.push_back(a->type);
    auto f = resolve_function(name, types);
    if (!f) return f.error();
    for (size_t i = 0; i < args.size(); ++i) {
        auto c = coerce(args[i], f.value().arg_types[i], cast_context::implicit);
        if (!c) return c.error();
        args[i] = std::move(c).value();
    }
    return expr::make_function(std::move(f).value(), std::move(args));
}

namespace {

bool is_operator_name(const std::string& name) {
    return !name.empty() && !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
}

std::string constant_text(const value& v) {
    if (v.is_null()) return "NULL";
    std::string text = format_text(v);
    switch (v.type().id) {
        case type_id::boolean:
            return text == "t" ? "true" : "false";
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
        case type_id::float32:
        case type_id::float64:
        case type_id::numeric:
            return text;
        default:
            break;
    }
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += '\'';
        quoted += c;
    }
    quoted += '\'';
    return quoted;
}

std::string join_args(const expr& e, size_t begin, const char* sep) {
    std::string out;
    for (size_t i = begin; i < e.args.size(); ++i) {
        if (i > begin) out += sep;
        out += to_string(*e.args[i]);
    }
    return out;
}

std::string function_text(const expr& e) {
    const std::string& name = e.function.name.empty() ? e.name : e.function.name;
    if (is_operator_name(name)) {
        if (e.args.size() == 1) return "(" + name + to_string(*e.args[0]) + ")";
        if (e.args.size() == 2) {
            std::string op = name;
            if (op == "~~") op = "LIKE";
            if (op == "!~~") op = "NOT LIKE";
            if (op == "~~*") op = "ILIKE";
            if (op == "!~~*") op = "NOT ILIKE";
            return "(" + to_string(*e.args[0]) + " " + op + " " + to_string(*e.args[1]) + ")";
        }
    }
    return name + "(" + join_args(e, 0, ", ") + ")";
}

std::string case_text(const expr& e) {
    std::string out = "CASE";
    size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
    for (size_t i = 0; i < pairs; ++i) {
        out += " WHEN " + to_string(*e.args[2 * i]) + " THEN " + to_string(*e.args[2 * i + 1]);
    }
    if (e.has_else) out += " ELSE " + to_string(*e.args.back());
    return out + " END";
}

}  // namespace

std::string to_string(const expr& e) {
    switch (e.kind) {
        case expr_kind::column_ref:
            return e.name.empty() ? "#" + std::to_string(e.column) : e.name;
        case expr_kind::constant:
            return constant_text(e.constant);
        case expr_kind::parameter:
            return "$" + std::to_string(e.parameter + 1);
        case expr_kind::function:
            return function_text(e);
        case expr_kind::cast:
            return "CAST(" + to_string(*e.args[0]) + " AS " + type_display(e.type) + ")";
        case expr_kind::and_:
            return "(" + join_args(e, 0, " AND ") + ")";
        case expr_kind::or_:
            return "(" + join_args(e, 0, " OR ") + ")";
        case expr_kind::not_:
            return "(NOT " + to_string(*e.args[0]) + ")";
        case expr_kind::is_null:
            return "(" + to_string(*e.args[0]) + " IS NULL)";
        case expr_kind::is_not_null:
            return "(" + to_string(*e.args[0]) + " IS NOT NULL)";
        case expr_kind::is_true:
            return "(" + to_string(*e.args[0]) + " IS TRUE)";
        case expr_kind::is_false:
            return "(" + to_string(*e.args[0]) + " IS FALSE)";
        case expr_kind::case_:
            return case_text(e);
        case expr_kind::coalesce:
            return "COALESCE(" + join_args(e, 0, ", ") + ")";
        case expr_kind::nullif:
            return "NULLIF(" + join_args(e, 0, ", ") + ")";
        case expr_kind::in_list:
            return "(" + to_string(*e.args[0]) + " IN (" + join_args(e, 1, ", ") + "))";
    }
    return "?";
}

bool is_constant(const expr& e) {
    if (e.kind == expr_kind::column_ref || e.kind == expr_kind::parameter) return false;
    if ((e.kind == expr_kind::function || e.kind == expr_kind::nullif ||
         e.kind == expr_kind::in_list) &&
        e.function.volatile_) {
        return false;
    }
    for (const auto& a : e.args) {
        if (!is_constant(*a)) return false;
    }
    return true;
}

void referenced_columns(const expr& e, std::vector<int>& out) {
    if (e.kind == expr_kind::column_ref) out.push_back(e.column);
    for (const auto& a : e.args)
        referenced_columns(*a, out);
}

bool same_expr(const expr& a, const expr& b) {
    if (a.kind != b.kind || a.type != b.type || a.args.size() != b.args.size()) return false;
    switch (a.kind) {
        case expr_kind::column_ref:
            return a.column == b.column;
        case expr_kind::parameter:
            return a.parameter == b.parameter;
        case expr_kind::constant:
            if (a.constant.is_null() || b.constant.is_null())
                return a.constant.is_null() == b.constant.is_null() &&
                       a.constant.type() == b.constant.type();
            if (a.constant.type() != b.constant.type() ||
                format_text(a.constant) != format_text(b.constant))
                return false;
            break;
        case expr_kind::function:
        case expr_kind::nullif:
        case expr_kind::in_list:
            if (a.function.name != b.function.name || a.function.arg_types != b.function.arg_types)
                return false;
            break;
        case expr_kind::cast:
            if (a.cast_fn.from != b.cast_fn.from) return false;
            break;
        case expr_kind::case_:
            if (a.has_else != b.has_else) return false;
            break;
        default:
            break;
    }
    for (size_t i = 0; i < a.args.size(); ++i)
        if (!same_expr(*a.args[i], *b.args[i])) return false;
    return true;
}

expr_ptr remap_columns(const expr_ptr& e, const std::vector<int>& mapping) {
    if (e->kind == expr_kind::column_ref) {
        SPATE_ASSERT(e->column >= 0 && static_cast<size_t>(e->column) < mapping.size());
        auto copy = std::make_shared<expr>(*e);
        copy->column = mapping[static_cast<size_t>(e->column)];
        return copy;
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<expr>(*e);
    for (auto& a : copy->args)
        a = remap_columns(a, mapping);
    return copy;
}

}  // namespace spate::sql
