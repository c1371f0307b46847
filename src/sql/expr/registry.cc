// Overload resolution over the function registry, implicit casts and
// common types.

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>

#include "sql/expr/functions.h"
#include "sql/expr/kernels.h"

namespace spate::sql {

namespace detail {

const registry& functions() {
    static const registry r = [] {
        registry built;
        register_arithmetic(built);
        register_datetime_arithmetic(built);
        register_comparison(built);
        register_string(built);
        register_pattern(built);
        register_math(built);
        register_datetime(built);
        register_json(built);
        register_session(built);
        register_pg_catalog(built);
        return built;
    }();
    return r;
}

}  // namespace detail

namespace {

using detail::k_any;

// Numeric promotion order; 0 for non-numeric types.
int numeric_rank(type_id t) {
    switch (t) {
        case type_id::int16:
            return 1;
        case type_id::int32:
            return 2;
        case type_id::int64:
            return 3;
        case type_id::numeric:
            return 4;
        case type_id::float32:
            return 5;
        case type_id::float64:
            return 6;
        default:
            return 0;
    }
}

bool is_operator(std::string_view name) {
    return !name.empty() && !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
}

std::string describe_type(const data_type& t) {
    return type_name(data_type::of(t.id == type_id::unknown ? type_id::unknown : t.id));
}

sql_error no_such_function(std::string_view name, std::span<const data_type> args) {
    std::string msg;
    std::string hint;
    if (is_operator(name) && (args.size() == 1 || args.size() == 2)) {
        msg = "operator does not exist: ";
        if (args.size() == 2) msg += describe_type(args[0]) + " ";
        msg += std::string(name) + " " + describe_type(args.back());
        hint =
            "No operator matches the given name and argument types. You might need to add "
            "explicit type casts.";
    } else {
        msg = "function " + std::string(name) + "(";
        for (size_t i = 0; i < args.size(); ++i) {
            if (i) msg += ", ";
            msg += describe_type(args[i]);
        }
        msg += ") does not exist";
        hint =
            "No function matches the given name and argument types. You might need to add "
            "explicit type casts.";
    }
    sql_error e = make_error(sql_errc::undefined_function, std::move(msg));
    e.hint = std::move(hint);
    return e;
}

constexpr int k_reject = std::numeric_limits<int>::max();

// Cost of passing `args` to `s`; k_reject when it does not apply.
int match_cost(const detail::signature& s, std::span<const data_type> args, type_id hint) {
    const size_t n = s.params.size();
    if (s.variadic ? args.size() < n : args.size() != n) return k_reject;
    int cost = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        type_id p = s.params[std::min(i, n - 1)];
        type_id a = args[i].id;
        if (p == k_any) {
            cost += a == type_id::unknown ? 1 : 0;
        } else if (a == p) {
            continue;
        } else if (a == type_id::unknown) {
            cost += p == hint ? 1 : (p == type_id::text ? 2 : 3);
        } else if (can_cast_implicitly(args[i], data_type::of(p))) {
            int ra = numeric_rank(a), rp = numeric_rank(p);
            cost += 10 + (ra && rp ? rp - ra : 5);
        } else {
            return k_reject;
        }
    }
    return cost;
}

}  // namespace

sql_result<resolved_function> resolve_function(std::string_view name,
                                               std::span<const data_type> args) {
    const auto* candidates = detail::functions().find(name);
    if (!candidates) return no_such_function(name, args);
    type_id hint = type_id::unknown;
    for (const auto& a : args) {
        if (a.id != type_id::unknown) {
            hint = a.id;
            break;
        }
    }
    const detail::signature* best = nullptr;
    int best_cost = k_reject;
    for (const auto& s : *candidates) {
        int c = match_cost(s, args, hint);
        if (c < best_cost) {
            best_cost = c;
            best = &s;
        }
    }
    if (!best) return no_such_function(name, args);
    resolved_function f;
    f.name = std::string(name);
    const size_t n = best->params.size();
    for (size_t i = 0; i < args.size(); ++i) {
        type_id p = best->params[std::min(i, n - 1)];
        if (p == k_any) {
            f.arg_types.push_back(args[i].id == type_id::unknown ? data_type::of(type_id::text)
                                                                 : args[i]);
        } else if (args[i].id == p) {
            f.arg_types.push_back(args[i]);
        } else {
            f.arg_types.push_back(data_type::of(p));
        }
    }
    f.return_type = best->ret;
    if (best->ret_is_first_arg && !f.arg_types.empty()) {
        f.return_type = data_type::of(f.arg_types[0].id);
    }
    f.kernel = best->kernel;
    f.nulls = best->nulls;
    f.volatile_ = best->volatile_;
    return f;
}

bool function_exists(std::string_view name) {
    return detail::functions().find(name) != nullptr;
}

bool can_cast_implicitly(const data_type& from, const data_type& to) {
    if (from.id == to.id || from.id == type_id::unknown) return true;
    int rf = numeric_rank(from.id), rt = numeric_rank(to.id);
    if (rf && rt) return rf < rt;
    switch (from.id) {
        case type_id::date:
            return to.id == type_id::timestamp || to.id == type_id::timestamptz;
        case type_id::timestamp:
            return to.id == type_id::timestamptz;
        default:
            return false;
    }
}

sql_result<data_type> common_type(const data_type& a, const data_type& b) {
    if (a.id == type_id::unknown && b.id == type_id::unknown) return data_type::of(type_id::text);
    if (a == b) return a;
    if (a.id == b.id) {
        if (a.id == type_id::text && a.varchar && b.varchar)
            return a.precision >= b.precision ? a : b;
        return data_type::of(a.id);
    }
    if (a.id == type_id::unknown) return b;
    if (b.id == type_id::unknown) return a;
    if (can_cast_implicitly(a, b)) return data_type::of(b.id);
    if (can_cast_implicitly(b, a)) return data_type::of(a.id);
    return make_error(sql_errc::datatype_mismatch, "types " + describe_type(a) + " and " +
                                                       describe_type(b) + " cannot be matched");
}

}  // namespace spate::sql
