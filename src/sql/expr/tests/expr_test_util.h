#pragma once

// Test helpers: build bound expressions the way the binder does (resolve,
// insert implicit casts) and evaluate them to text.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sql/expr/eval.h"
#include "sql/expr/expr.h"
#include "sql/expr/functions.h"
#include "sql/types/text_io.h"

namespace spate::sql::testing {

// A constant of type `t` parsed from its text form.
inline expr_ptr lit(type_id t, std::string_view text) {
    auto v = parse_value(text, data_type::of(t));
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
    return expr::make_constant(std::move(v).value());
}
inline expr_ptr lit_int(int32_t v) {
    return expr::make_constant(value::int32(v));
}
inline expr_ptr lit_text(std::string s) {
    return expr::make_constant(value::text(std::move(s)));
}
inline expr_ptr lit_unknown(std::string s) {
    return expr::make_constant(value::string(data_type::of(type_id::unknown), std::move(s)));
}
inline expr_ptr lit_null(type_id t) {
    return expr::make_constant(value::null(data_type::of(t)));
}

// `e` cast to `to` in `ctx`, or the error (always a cast node).
inline sql_result<expr_ptr> try_cast(expr_ptr e, data_type to,
                                     cast_context ctx = cast_context::explicit_) {
    auto c = resolve_cast(e->type, to, ctx);
    if (!c) return c.error();
    return expr::make_cast(std::move(e), to, std::move(c).value());
}
inline expr_ptr cast(expr_ptr e, data_type to) {
    auto r = try_cast(std::move(e), to);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : nullptr;
}

inline sql_result<expr_ptr> try_call(std::string_view name, std::vector<expr_ptr> args) {
    return make_call(name, std::move(args));
}
inline expr_ptr call(std::string_view name, std::vector<expr_ptr> args) {
    auto r = try_call(name, std::move(args));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : expr::make_constant(value::null(data_type{}));
}

inline eval_context test_context() {
    eval_context ctx;
    ctx.statement_time_micros = 1'700'000'000'000'000;  // 2023-11-14 22:13:20 UTC
    return ctx;
}

// The value of a constant expression as PostgreSQL prints it, "NULL", or
// "ERROR: message".
inline std::string run(const expr_ptr& e) {
    if (!e) return "ERROR: no expression";
    auto v = evaluate_constant(*e, test_context());
    if (!v) return "ERROR: " + v.error().message;
    if (v.value().is_null()) return "NULL";
    return format_text(v.value());
}

inline std::string run_call(std::string_view name, std::vector<expr_ptr> args) {
    auto e = try_call(name, std::move(args));
    if (!e) return "ERROR: " + e.error().message;
    return run(e.value());
}

// The error code of evaluating `e` (internal_error when it succeeds).
inline sql_errc error_of(const expr_ptr& e) {
    auto v = evaluate_constant(*e, test_context());
    return v ? sql_errc::internal_error : v.error().code;
}

inline column int_column(std::vector<std::optional<int32_t>> vals) {
    column c(data_type::of(type_id::int32));
    for (auto v : vals) {
        if (v) {
            c.push<int32_t>(*v);
        } else {
            c.push_null();
        }
    }
    return c;
}
inline column bool_column(std::vector<std::optional<bool>> vals) {
    column c(data_type::of(type_id::boolean));
    for (auto v : vals) {
        if (v) {
            c.push<uint8_t>(*v);
        } else {
            c.push_null();
        }
    }
    return c;
}

// Each row of a column as text ("NULL" for nulls).
inline std::vector<std::string> texts(const column& c) {
    std::vector<std::string> out;
    for (size_t i = 0; i < c.size(); ++i) {
        if (c.is_null(i)) {
            out.push_back("NULL");
        } else {
            std::string s;
            format_text(c, i, s);
            out.push_back(s);
        }
    }
    return out;
}

inline std::vector<std::string> eval_texts(const expr_ptr& e, const chunk& in) {
    auto r = evaluate(*e, in, test_context());
    if (!r) return {"ERROR: " + r.error().message};
    return texts(r.value());
}

}  // namespace spate::sql::testing
