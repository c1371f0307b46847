#pragma once

// Helpers of the aggregate function tests: columns from text, calls over
// argument columns, results as text.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/agg/aggregate_function.h"
#include "sql/types/text_io.h"

namespace spate::sql::agg_testing {

using opt = std::optional<std::string>;
inline const opt null_value = std::nullopt;

// A column of type `t` from PostgreSQL text (nullopt: NULL).
inline column make_col(data_type t, const std::vector<opt>& values) {
    column c(t);
    for (const auto& v : values) {
        if (!v) {
            c.push_null();
            continue;
        }
        auto s = parse_text(*v, t, c);
        EXPECT_TRUE(s.ok()) << *v << ": " << s.error().message;
    }
    return c;
}

inline data_type of(type_id t) {
    return data_type::of(t);
}

// The call `name(args)` over argument columns 0.. of the given types.
inline aggregate_call agg_call(const std::string& name, std::vector<data_type> args,
                               bool distinct = false) {
    aggregate_call call;
    call.name = name;
    call.star = args.empty() && name == "count";
    call.distinct = distinct;
    for (size_t i = 0; i < args.size(); ++i)
        call.args.push_back(expr::make_column(static_cast<int>(i), args[i], "x"));
    std::vector<data_type> types(args.begin(), args.end());
    auto t = aggregate_result_type(name, types, call.star);
    EXPECT_TRUE(t.ok()) << name << ": " << (t.ok() ? "" : t.error().message);
    if (t.ok()) call.type = t.value();
    return call;
}

// An aggregate of `call` with `slots` empty slots.
inline std::unique_ptr<grouped_aggregate> make_agg(const aggregate_call& call, size_t slots = 1,
                                                   bool retractions = true) {
    auto a = make_grouped_aggregate(call, retractions);
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    if (!a.ok()) return nullptr;
    a.value()->resize(slots);
    return std::move(a.value());
}

// Slot `slot`'s result as text ("NULL"; "ERROR: message").
inline std::string result_text(const grouped_aggregate& a, const aggregate_call& call,
                               size_t slot = 0) {
    column out(call.type);
    auto s = a.result(slot, out);
    if (!s.ok()) return "ERROR: " + s.error().message;
    EXPECT_EQ(out.size(), 1u);
    if (out.is_null(0)) return "NULL";
    std::string text;
    format_text(out, 0, text);
    return text;
}

// Feeds `args` to slots (every row to slot 0 when empty) with `diffs`.
inline sql_status feed(grouped_aggregate& a, const std::vector<column>& args,
                       std::vector<uint32_t> slots = {}, std::vector<int8_t> diffs = {},
                       const column* filter = nullptr, size_t rows = 0) {
    if (slots.empty()) slots.assign(args.empty() ? rows : args[0].size(), 0);
    return a.update(args, filter, slots, diffs);
}

}  // namespace spate::sql::agg_testing
