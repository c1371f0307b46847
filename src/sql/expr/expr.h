#pragma once

// Bound (typed) scalar expressions, built by the binder and evaluated over
// chunks by `evaluate` (eval.h). Immutable and shared once built.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/expr/functions.h"
#include "sql/types/error.h"
#include "sql/types/types.h"
#include "sql/types/value.h"

namespace spate::sql {

enum class expr_kind {
    column_ref,   // column `column` of the input chunk
    constant,     // `constant`
    parameter,    // $`parameter + 1`
    function,     // `function` applied to args (operators are functions too)
    cast,         // args[0] cast to `type` with `cast_fn`
    and_,         // args[0] AND args[1] AND ... (three-valued)
    or_,          // three-valued OR over args
    not_,         // NOT args[0]
    is_null,      // args[0] IS NULL
    is_not_null,  // args[0] IS NOT NULL
    is_true,      // args[0] IS TRUE (never null); is_false, IS NOT TRUE = not_(is_true)
    is_false,
    case_,     // args = [when1, then1, when2, then2, ..., else?]; has_else
    coalesce,  // first non-null of args
    nullif,    // NULL if args[0] = args[1] (`function` is the = operator) else args[0]
    in_list,   // args[0] IN (args[1..]) with `function` the = operator; SQL NULL rules
};

struct expr;
using expr_ptr = std::shared_ptr<const expr>;

struct expr {
    expr_kind kind = expr_kind::constant;
    data_type type;
    int column = -1;  // column_ref
    value constant = value::null(data_type{});
    int parameter = -1;          // parameter, 0-based
    resolved_function function;  // function, nullif, in_list
    cast_function cast_fn;       // cast
    std::vector<expr_ptr> args;
    bool has_else = false;  // case_
    std::string name;       // column name / function name, for EXPLAIN and errors

    static expr_ptr make_column(int index, data_type t, std::string name);
    static expr_ptr make_constant(value v);
    static expr_ptr make_parameter(int index, data_type t);
    static expr_ptr make_function(resolved_function f, std::vector<expr_ptr> args);
    static expr_ptr make_cast(expr_ptr arg, data_type to, cast_function fn);
    static expr_ptr make(expr_kind k, data_type t, std::vector<expr_ptr> args);
    // case_ with args [when1, then1, ..., else?].
    static expr_ptr make_case(data_type t, std::vector<expr_ptr> args, bool has_else);
    // nullif or in_list: `eq` is the resolved = operator over the (already
    // cast) arguments.
    static expr_ptr make_compare(expr_kind k, data_type t, resolved_function eq,
                                 std::vector<expr_ptr> args);
};

// `e` converted to `to` in `ctx`: `e` itself when the types are equal, else
// a cast node. Errors: cannot_coerce.
sql_result<expr_ptr> coerce(expr_ptr e, const data_type& to, cast_context ctx);
// A function call: resolves `name` over the arguments' types
// (resolve_function) and casts each argument to the resolved parameter type.
sql_result<expr_ptr> make_call(std::string_view name, std::vector<expr_ptr> args);

// EXPLAIN text of `e`: "(price * 0.908)", "lower(channel)", "$1", "#3".
std::string to_string(const expr& e);

// True when `e` reads no column, parameter or volatile function (now()).
bool is_constant(const expr& e);
// Columns `e` reads, appended to `out` (duplicates allowed).
void referenced_columns(const expr& e, std::vector<int>& out);
// Structural equality of bound expressions: the same operators, functions
// (by name and signature), casts, columns, parameters and constants (by
// type and value) in the same shape. GROUP BY matching uses it.
bool same_expr(const expr& a, const expr& b);
// A copy of `e` with column_ref i replaced by mapping[i] (projection pushdown).
expr_ptr remap_columns(const expr_ptr& e, const std::vector<int>& mapping);

}  // namespace spate::sql
