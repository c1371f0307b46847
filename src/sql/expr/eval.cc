#include "sql/expr/eval.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace spate::sql {

namespace {

using row_list = std::vector<uint32_t>;

sql_result<column> eval_node(const expr& e, const chunk& input, const eval_context& ctx);

// `input` restricted to `rows` (all of input when rows covers every row).
chunk select_rows(const chunk& input, const row_list& rows) {
    std::vector<column> cols;
    cols.reserve(input.width());
    for (const auto& c : input.columns())
        cols.push_back(c.gather(rows));
    chunk out(std::move(cols));
    out.set_rows(rows.size());
    return out;
}

// `e` over the subset `rows` of `input`.
sql_result<column> eval_rows(const expr& e, const chunk& input, const row_list& rows,
                             const eval_context& ctx) {
    if (rows.size() == input.rows()) return eval_node(e, input, ctx);
    return eval_node(e, select_rows(input, rows), ctx);
}

row_list all_rows(size_t n) {
    row_list rows(n);
    std::iota(rows.begin(), rows.end(), 0u);
    return rows;
}

// Three-valued truth of a boolean column row: 0 false, 1 true, 2 null.
inline uint8_t truth(const column& c, size_t i) {
    if (c.is_null(i)) return 2;
    return c.values<uint8_t>()[i] != 0 ? 1 : 0;
}

column bool_column(const std::vector<uint8_t>& state) {
    column out(data_type::of(type_id::boolean));
    out.reserve(state.size());
    for (uint8_t s : state) {
        if (s == 2) {
            out.push_null();
        } else {
            out.push<uint8_t>(s);
        }
    }
    return out;
}

// AND (stop_on = 0) or OR (stop_on = 1), evaluating each argument only on
// the rows not yet decided.
sql_result<column> eval_logic(const expr& e, const chunk& input, const eval_context& ctx,
                              uint8_t stop_on) {
    const size_t n = input.rows();
    std::vector<uint8_t> state(n, static_cast<uint8_t>(1 - stop_on));
    row_list active = all_rows(n);
    for (const auto& arg : e.args) {
        if (active.empty()) break;
        auto r = eval_rows(*arg, input, active, ctx);
        if (!r) return r.error();
        row_list next;
        next.reserve(active.size());
        for (size_t k = 0; k < active.size(); ++k) {
            uint8_t t = truth(r.value(), k);
            uint32_t row = active[k];
            if (t == stop_on) {
                state[row] = stop_on;
                continue;
            }
            if (t == 2) state[row] = 2;
            next.push_back(row);
        }
        active = std::move(next);
    }
    return bool_column(state);
}

// Appends row `position` of results[source] (null when source < 0 or the row
// is null, so an untyped NULL branch never has its values read).
void push_picked(column& out, const std::vector<column>& results, int32_t source,
                 uint32_t position) {
    if (source < 0 || results[static_cast<size_t>(source)].is_null(position)) {
        out.push_null();
    } else {
        out.push_from(results[static_cast<size_t>(source)], position);
    }
}

sql_result<column> eval_case(const expr& e, const chunk& input, const eval_context& ctx) {
    const size_t n = input.rows();
    const size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
    std::vector<int32_t> branch_of(n, -1);
    std::vector<uint32_t> position(n, 0);
    std::vector<column> results;
    row_list remaining = all_rows(n);
    auto take = [&](const expr& value_expr, const row_list& rows) -> sql_status {
        auto r = eval_rows(value_expr, input, rows, ctx);
        if (!r) return r.error();
        for (size_t j = 0; j < rows.size(); ++j) {
            branch_of[rows[j]] = static_cast<int32_t>(results.size());
            position[rows[j]] = static_cast<uint32_t>(j);
        }
        results.push_back(std::move(r).value());
        return {};
    };
    for (size_t i = 0; i < pairs && !remaining.empty(); ++i) {
        auto cond = eval_rows(*e.args[2 * i], input, remaining, ctx);
        if (!cond) return cond.error();
        row_list taken, rest;
        for (size_t k = 0; k < remaining.size(); ++k) {
            (truth(cond.value(), k) == 1 ? taken : rest).push_back(remaining[k]);
        }
        if (!taken.empty()) {
            if (auto s = take(*e.args[2 * i + 1], taken); !s) return s.error();
        }
        remaining = std::move(rest);
    }
    if (e.has_else && !remaining.empty()) {
        if (auto s = take(*e.args.back(), remaining); !s) return s.error();
    }
    column out(e.type);
    out.reserve(n);
    for (size_t row = 0; row < n; ++row) {
        push_picked(out, results, branch_of[row], position[row]);
    }
    return out;
}

sql_result<column> eval_coalesce(const expr& e, const chunk& input, const eval_context& ctx) {
    const size_t n = input.rows();
    std::vector<int32_t> source(n, -1);
    std::vector<uint32_t> position(n, 0);
    std::vector<column> results;
    row_list remaining = all_rows(n);
    for (const auto& arg : e.args) {
        if (remaining.empty()) break;
        auto r = eval_rows(*arg, input, remaining, ctx);
        if (!r) return r.error();
        row_list rest;
        for (size_t k = 0; k < remaining.size(); ++k) {
            if (r.value().is_null(k)) {
                rest.push_back(remaining[k]);
            } else {
                source[remaining[k]] = static_cast<int32_t>(results.size());
                position[remaining[k]] = static_cast<uint32_t>(k);
            }
        }
        results.push_back(std::move(r).value());
        remaining = std::move(rest);
    }
    column out(e.type);
    out.reserve(n);
    for (size_t row = 0; row < n; ++row) {
        push_picked(out, results, source[row], position[row]);
    }
    return out;
}

// Runs `f`'s kernel; strict functions get null wherever an argument is null.
sql_result<column> call_kernel(const resolved_function& f, std::span<const column* const> args,
                               size_t rows, const data_type& result_type, const eval_context& ctx) {
    SPATE_ASSERT(f.kernel);
    column out(result_type);
    out.reserve(rows);
    if (auto s = f.kernel(args, rows, out, ctx); !s) return s.error();
    SPATE_ASSERT(out.size() == rows);
    if (f.nulls == null_handling::strict) {
        auto& nulls = out.nulls();
        for (const column* a : args) {
            const auto& an = a->nulls();
            for (size_t i = 0; i < rows; ++i)
                nulls[i] |= an[i];
        }
    }
    return out;
}

// Argument columns of `e`: input columns are read in place, other
// arguments evaluated into `storage`.
sql_status eval_args(const expr& e, const chunk& input, const eval_context& ctx,
                     std::vector<column>& storage, std::vector<const column*>& ptrs) {
    storage.reserve(e.args.size());
    for (const auto& a : e.args) {
        if (a->kind == expr_kind::column_ref) continue;
        auto r = eval_node(*a, input, ctx);
        if (!r) return r.error();
        storage.push_back(std::move(r).value());
    }
    size_t next = 0;
    for (const auto& a : e.args) {
        SPATE_ASSERT(a->kind != expr_kind::column_ref ||
                     (a->column >= 0 && static_cast<size_t>(a->column) < input.width()));
        ptrs.push_back(a->kind == expr_kind::column_ref ? &input.at(static_cast<size_t>(a->column))
                                                        : &storage[next++]);
    }
    return {};
}

sql_result<column> eval_function(const expr& e, const chunk& input, const eval_context& ctx) {
    std::vector<column> storage;
    std::vector<const column*> ptrs;
    if (auto s = eval_args(e, input, ctx, storage, ptrs); !s) return s.error();
    return call_kernel(e.function, ptrs, input.rows(), e.type, ctx);
}

sql_result<column> eval_nullif(const expr& e, const chunk& input, const eval_context& ctx) {
    auto a = eval_node(*e.args[0], input, ctx);
    if (!a) return a;
    auto b = eval_node(*e.args[1], input, ctx);
    if (!b) return b;
    const column* ptrs[] = {&a.value(), &b.value()};
    auto eq = call_kernel(e.function, ptrs, input.rows(), data_type::of(type_id::boolean), ctx);
    if (!eq) return eq;
    column out = std::move(a).value();
    for (size_t i = 0; i < input.rows(); ++i) {
        if (truth(eq.value(), i) == 1) out.nulls()[i] = 1;
    }
    return out;
}

sql_result<column> eval_in_list(const expr& e, const chunk& input, const eval_context& ctx) {
    const size_t n = input.rows();
    auto lhs = eval_node(*e.args[0], input, ctx);
    if (!lhs) return lhs;
    // 0 no match yet, 1 matched, 2 no match but a null seen
    std::vector<uint8_t> state(n, 0);
    for (size_t j = 1; j < e.args.size(); ++j) {
        auto rhs = eval_node(*e.args[j], input, ctx);
        if (!rhs) return rhs;
        const column* ptrs[] = {&lhs.value(), &rhs.value()};
        auto eq = call_kernel(e.function, ptrs, n, data_type::of(type_id::boolean), ctx);
        if (!eq) return eq;
        for (size_t i = 0; i < n; ++i) {
            uint8_t t = truth(eq.value(), i);
            if (t == 1) {
                state[i] = 1;
            } else if (t == 2 && state[i] == 0) {
                state[i] = 2;
            }
        }
    }
    return bool_column(state);
}

sql_result<column> eval_parameter(const expr& e, size_t rows, const eval_context& ctx) {
    if (e.parameter < 0 || static_cast<size_t>(e.parameter) >= ctx.parameters.size()) {
        return make_error(sql_errc::undefined_parameter,
                          "there is no parameter $" + std::to_string(e.parameter + 1));
    }
    const value& v = ctx.parameters[static_cast<size_t>(e.parameter)];
    if (v.is_null()) return value::null(e.type).broadcast(rows);
    if (v.type().id == e.type.id) return v.broadcast(rows);
    auto cast = resolve_cast(v.type(), e.type, cast_context::explicit_);
    if (!cast) return cast.error();
    column in = v.broadcast(rows);
    if (!cast.value().kernel) return in;
    column out(e.type);
    out.reserve(rows);
    if (auto s = cast.value().kernel(in, out, ctx); !s) return s.error();
    return out;
}

sql_result<column> eval_cast(const expr& e, const chunk& input, const eval_context& ctx) {
    if (!e.cast_fn.kernel) return eval_node(*e.args[0], input, ctx);
    std::vector<column> storage;
    std::vector<const column*> ptrs;
    if (auto s = eval_args(e, input, ctx, storage, ptrs); !s) return s.error();
    column out(e.type);
    out.reserve(input.rows());
    if (auto s = e.cast_fn.kernel(*ptrs[0], out, ctx); !s) return s.error();
    SPATE_ASSERT(out.size() == input.rows());
    return out;
}

// IS [NOT] NULL, IS TRUE, IS FALSE, NOT.
sql_result<column> eval_test(const expr& e, const chunk& input, const eval_context& ctx) {
    auto in = eval_node(*e.args[0], input, ctx);
    if (!in) return in;
    const column& c = in.value();
    const size_t n = input.rows();
    std::vector<uint8_t> state(n);
    for (size_t i = 0; i < n; ++i) {
        switch (e.kind) {
            case expr_kind::is_null:
                state[i] = c.is_null(i) ? 1 : 0;
                break;
            case expr_kind::is_not_null:
                state[i] = c.is_null(i) ? 0 : 1;
                break;
            case expr_kind::is_true:
                state[i] = truth(c, i) == 1 ? 1 : 0;
                break;
            case expr_kind::is_false:
                state[i] = truth(c, i) == 0 ? 1 : 0;
                break;
            default: {  // not_
                uint8_t t = truth(c, i);
                state[i] = t == 2 ? 2 : static_cast<uint8_t>(1 - t);
            }
        }
    }
    return bool_column(state);
}

sql_result<column> eval_node(const expr& e, const chunk& input, const eval_context& ctx) {
    switch (e.kind) {
        case expr_kind::column_ref:
            SPATE_ASSERT(e.column >= 0 && static_cast<size_t>(e.column) < input.width());
            return input.at(static_cast<size_t>(e.column));
        case expr_kind::constant:
            return e.constant.broadcast(input.rows());
        case expr_kind::parameter:
            return eval_parameter(e, input.rows(), ctx);
        case expr_kind::function:
            return eval_function(e, input, ctx);
        case expr_kind::cast:
            return eval_cast(e, input, ctx);
        case expr_kind::and_:
            return eval_logic(e, input, ctx, 0);
        case expr_kind::or_:
            return eval_logic(e, input, ctx, 1);
        case expr_kind::not_:
        case expr_kind::is_null:
        case expr_kind::is_not_null:
        case expr_kind::is_true:
        case expr_kind::is_false:
            return eval_test(e, input, ctx);
        case expr_kind::case_:
            return eval_case(e, input, ctx);
        case expr_kind::coalesce:
            return eval_coalesce(e, input, ctx);
        case expr_kind::nullif:
            return eval_nullif(e, input, ctx);
        case expr_kind::in_list:
            return eval_in_list(e, input, ctx);
    }
    return make_error(sql_errc::internal_error, "unknown expression kind");
}

}  // namespace

sql_result<column> evaluate(const expr& e, const chunk& input, const eval_context& ctx) {
    return eval_node(e, input, ctx);
}

sql_result<std::vector<uint8_t>> evaluate_predicate(const expr& e, const chunk& input,
                                                    const eval_context& ctx) {
    auto r = eval_node(e, input, ctx);
    if (!r) return r.error();
    const column& c = r.value();
    std::vector<uint8_t> keep(c.size(), 0);
    if (c.type().id != type_id::boolean) {
        // WHERE NULL (an untyped null) keeps nothing; other types are a binder bug.
        SPATE_ASSERT(std::all_of(c.nulls().begin(), c.nulls().end(), [](uint8_t n) { return n; }));
        return keep;
    }
    const auto& vals = c.values<uint8_t>();
    for (size_t i = 0; i < keep.size(); ++i)
        keep[i] = (!c.is_null(i) && vals[i] != 0) ? 1 : 0;
    return keep;
}

sql_result<value> evaluate_constant(const expr& e, const eval_context& ctx) {
    chunk one;
    one.set_rows(1);
    auto r = eval_node(e, one, ctx);
    if (!r) return r.error();
    return value::from_column(r.value(), 0);
}

}  // namespace spate::sql
