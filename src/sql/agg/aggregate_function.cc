// The aggregate functions' names, result types and constructors
// (aggregate_function.h); the shared helpers of agg_detail.h.

#include "sql/agg/aggregate_function.h"

#include <algorithm>
#include <array>

#include "sql/agg/agg_detail.h"
#include "sql/expr/kernels.h"

namespace spate::sql {

namespace {

using namespace agg_detail;

constexpr std::array<std::string_view, 16> k_names = {
    "count",    "sum",      "min",     "max",      "avg",     "stddev", "stddev_samp", "stddev_pop",
    "variance", "var_samp", "var_pop", "bool_and", "bool_or", "every",  "string_agg",  "array_agg"};

bool is_variance(std::string_view n) {
    return n == "stddev" || n == "stddev_samp" || n == "stddev_pop" || n == "variance" ||
           n == "var_samp" || n == "var_pop";
}

bool has_min_max(type_id t) {
    switch (t) {
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
        case type_id::float32:
        case type_id::float64:
        case type_id::numeric:
        case type_id::text:
        case type_id::unknown:
        case type_id::date:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
        case type_id::interval:
            return true;
        default:
            return false;
    }
}

// The result type over one argument of type `t`, or unknown when the
// function does not take it.
data_type unary_result(std::string_view name, const data_type& t) {
    const type_id id = t.id;
    const data_type none = data_type::of(type_id::unknown);
    if (name == "count") return data_type::of(type_id::int64);
    if (name == "array_agg") return data_type::of(type_id::text);
    if (name == "min" || name == "max") {
        if (!has_min_max(id)) return none;
        return data_type::of(is_string_like(id) ? type_id::text : id);
    }
    if (name == "bool_and" || name == "bool_or" || name == "every")
        return id == type_id::boolean ? t : none;
    if (name == "sum") {
        switch (id) {
            case type_id::int16:
            case type_id::int32:
                return data_type::of(type_id::int64);
            case type_id::int64:
            case type_id::numeric:
                return data_type::of(type_id::numeric);
            case type_id::float32:
            case type_id::float64:
            case type_id::interval:
                return data_type::of(id);
            default:
                return none;
        }
    }
    if (name == "avg" || is_variance(name)) {
        if (is_integer(id) || id == type_id::numeric) return data_type::of(type_id::numeric);
        if (id == type_id::float32 || id == type_id::float64)
            return data_type::of(type_id::float64);
    }
    return none;
}

std::string signature(std::string_view name, std::span<const data_type> args, bool star) {
    std::string s = std::string(name) + "(";
    if (star) s += "*";
    for (size_t i = 0; i < args.size(); ++i)
        s += (i ? ", " : "") + (args[i].id == type_id::unknown ? "unknown" : type_name(args[i]));
    return s + ")";
}

}  // namespace

bool is_aggregate_function(std::string_view name) {
    return std::find(k_names.begin(), k_names.end(), name) != k_names.end();
}

sql_result<data_type> aggregate_result_type(std::string_view name, std::span<const data_type> args,
                                            bool star) {
    auto undefined = [&] {
        return make_error(sql_errc::undefined_function,
                          "function " + signature(name, args, star) + " does not exist");
    };
    if (star) {
        if (name != "count" || !args.empty()) return undefined();
        return data_type::of(type_id::int64);
    }
    if (name == "string_agg") {
        if (args.size() != 2) return undefined();
        if (args[0].id == type_id::bytea && args[1].id == type_id::bytea) return args[0];
        if (is_string_like(args[0].id) && is_string_like(args[1].id))
            return data_type::of(type_id::text);
        return undefined();
    }
    if (args.size() != 1 || !is_aggregate_function(name)) return undefined();
    data_type t = unary_result(name, args[0]);
    if (t.id == type_id::unknown) return undefined();
    return t;
}

sql_result<std::unique_ptr<grouped_aggregate>> make_grouped_aggregate(const aggregate_call& call,
                                                                      bool retractions) {
    std::vector<data_type> types;
    for (const auto& a : call.args)
        types.push_back(a->type);
    auto t = aggregate_result_type(call.name, types, call.star);
    if (!t.ok()) return t.error();
    const std::string& n = call.name;
    std::unique_ptr<grouped_aggregate> plain;
    if (n == "count") {
        if (call.distinct && !call.star) return make_count_distinct(call);
        return make_count(call);
    }
    if (n == "min" || n == "max") {
        if (!retractions) return make_extreme(call, n == "max");
        return make_multiset(call, n == "max" ? multiset_mode::max : multiset_mode::min, nullptr);
    }
    if (n == "string_agg") return make_multiset(call, multiset_mode::string_agg, nullptr);
    if (n == "array_agg") return make_multiset(call, multiset_mode::array_agg, nullptr);
    if (n == "sum" || n == "avg")
        plain = make_sum(call, n == "avg");
    else if (is_variance(n))
        plain = make_variance(call, n.find("pop") == std::string::npos, n.rfind("stddev", 0) == 0);
    else
        plain = make_bool(call, n != "bool_or");
    if (!call.distinct) return plain;
    return make_multiset(call, multiset_mode::distinct_of, std::move(plain));
}

namespace agg_detail {

row_span rows_of(std::span<const column> args, size_t arity, const column* filter,
                 std::span<const uint32_t> slots, std::span<const int8_t> diffs, size_t slot_count,
                 const column* strict_arg) {
    SPATE_ASSERT(args.size() == arity);
    row_span r;
    r.rows = slots.size();
    r.slots = slots.data();
    for (const auto& a : args)
        SPATE_ASSERT(a.size() == r.rows);
    SPATE_ASSERT(diffs.empty() || diffs.size() == r.rows);
    if (!diffs.empty()) r.diffs = diffs.data();
    if (filter) {
        SPATE_ASSERT(filter->type().id == type_id::boolean && filter->size() == r.rows);
        r.filter = filter->values<uint8_t>().data();
        r.filter_nulls = filter->nulls().data();
    }
    if (strict_arg) r.nulls = strict_arg->nulls().data();
    uint32_t top = 0;
    for (uint32_t s : slots)
        top = std::max(top, s);
    SPATE_ASSERT(r.rows == 0 || top < slot_count);
    return r;
}

int decimal_compare(const decimal& a, const decimal& b) {
    return detail::decimal_cmp(a, b);
}

sql_status bad_state(std::string_view what) {
    return make_error(sql_errc::internal_error,
                      "corrupt aggregate state (" + std::string(what) + ")");
}

bool read_tag(state_reader& r, state_tag want) {
    return r.u8() == static_cast<uint8_t>(want) && r.ok();
}

sql_error overflow(std::string_view type_word) {
    return make_error(sql_errc::numeric_value_out_of_range,
                      std::string(type_word) + " out of range");
}

}  // namespace agg_detail

}  // namespace spate::sql
