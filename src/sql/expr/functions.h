#pragma once

// Scalar functions, operators and casts: overload resolution (PostgreSQL's
// rules, simplified: exact match, then implicit casts, numeric promotion
// int16 < int32 < int64 < numeric < float32 < float64, unknown literals
// taking the other side's type) and vectorised kernels over columns.
//
// Operators are functions named by their symbol: "+", "-", "*", "/", "%",
// "=", "<>", "<", "<=", ">", ">=", "||", "~~" (LIKE), "!~~", "~~*" (ILIKE),
// "!~~*", "~", "!~", "~*", "!~*" (POSIX regex, RE2), "->", "->>", "#>",
// "#>>"; unary minus is "-" with one argument, unary plus "+".

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/types/column.h"
#include "sql/types/column_pool.h"
#include "sql/types/error.h"
#include "sql/types/types.h"
#include "sql/types/value.h"

namespace spate::sql {

// What a kernel may read besides its arguments.
struct eval_context {
    int64_t statement_time_micros = 0;  // now(), current_timestamp: fixed per statement
                                        // (ad hoc) or per chunk (continuous queries)
    std::span<const value> parameters;  // $1.. of the bound statement
    // Set from another thread to interrupt a long kernel (pg_sleep); may be null.
    const std::atomic<bool>* cancelled = nullptr;
    // Where transforms give the input columns they drop (not passed on), for
    // the caller's next input to reuse; may be null (they are freed).
    column_pool* spare = nullptr;
};

// Computes `out` (a fresh column of the function's return type, empty) from
// `args` (each with `rows` rows). A row whose arguments include a null gets
// a null result unless the function is declared `null_handling::custom`.
using kernel_fn = std::function<sql_status(std::span<const column* const> args, size_t rows,
                                           column& out, const eval_context& ctx)>;

enum class null_handling { strict, custom };

struct resolved_function {
    std::string name;
    std::vector<data_type> arg_types;  // what each argument must be cast to before the call
    data_type return_type;
    kernel_fn kernel;
    null_handling nulls = null_handling::strict;
    bool volatile_ = false;  // now(), random(): never constant-folded
};

// Looks up `name` (lower case, schema stripped) for arguments of types
// `args`. Errors: undefined_function (42883) for both, messages as
// PostgreSQL: "function lower(integer) does not exist", "operator does not
// exist: text + integer".
// NUMERIC results: + and - keep the larger scale, * the sum of scales, /
// PostgreSQL's select_div_scale (at least 16 significant digits, at least
// either input's scale), narrowed when 38 digits cannot hold it.
sql_result<resolved_function> resolve_function(std::string_view name,
                                               std::span<const data_type> args);

// Known function names (for errors and completion).
bool function_exists(std::string_view name);

enum class cast_context { implicit, assignment, explicit_ };

using cast_kernel_fn =
    std::function<sql_status(const column& in, column& out, const eval_context& ctx)>;
struct cast_function {
    data_type from;
    data_type to;
    cast_kernel_fn kernel;  // empty when from == to (no-op)
};

// The cast `from` -> `to` allowed in `ctx`. Errors: cannot_coerce
// ("cannot cast type bytea to integer").
sql_result<cast_function> resolve_cast(const data_type& from, const data_type& to,
                                       cast_context ctx);
bool can_cast_implicitly(const data_type& from, const data_type& to);

// The type both sides of a comparison/UNION/CASE branch convert to, or
// datatype_mismatch.
sql_result<data_type> common_type(const data_type& a, const data_type& b);

}  // namespace spate::sql
