#pragma once

// Logical plans: what a query computes, as a tree of relational operators
// over typed columns. Built by the binder (binder.h), rewritten by the
// optimizer (optimizer.h), turned into dataflow by the executor (batch) or
// the streaming planner (continuous queries).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/expr/expr.h"
#include "sql/format/format.h"
#include "sql/types/column.h"

namespace spate::sql {

enum class plan_kind {
    scan,       // a relation's records, decoded: relation columns then hidden columns
    values,     // one row of no columns (SELECT without FROM)
    filter,     // rows of input 0 where `predicate` is TRUE
    project,    // `exprs` over input 0
    union_all,  // inputs' rows, concatenated (same schema)
    sort,       // input 0 ordered by `keys` (batch only)
    limit,      // rows [offset, offset + limit) of input 0 (batch only)
    memory,     // the rows of `rows` (system tables, built at bind time; batch only)
    join,       // input 0 x input 1 (left columns then right) where `predicate`; `join`
    apply,      // input 0's columns, then one per `subqueries` entry evaluated per row
    distinct,   // input 0's rows without duplicates, first occurrences in order (batch only)
    function,   // table function `function` of `exprs`: generate_series(start, stop[, step])
                // (one bigint column) or unnest(array literal) (one text column); batch only
    aggregate,  // groups of input 0 by `group_keys`: one row per group, the key values then
                // one column per `aggregates` entry; without keys exactly one row (also over
                // no input rows)
    window,     // window table function `window` over input 0: input 0's columns, then
                // window_start and window_end (the time column's type). TUMBLE, HOP and
                // CUMULATE emit one row per window containing the row's time (a NULL time: no
                // row); SESSION assigns each row the session of its `session_keys` group.
};

// Window table functions in FROM (docs/sql.md, "Windows"). Sizes are fixed
// durations in microseconds (intervals with months are refused at bind time);
// windows align to the epoch plus `offset_us`.
enum class window_kind { tumble, hop, cumulate, session };

struct window_def {
    window_kind kind = window_kind::tumble;
    int time_column = -1;  // of input 0: timestamp or timestamptz
    int64_t size_us = 0;   // tumble, hop, cumulate: window size; session: the gap
    int64_t slide_us = 0;  // hop: slide; cumulate: step
    int64_t offset_us = 0;
    // session: the columns of input 0 that the enclosing GROUP BY groups by
    // (besides window_start/window_end); a session is per value of these.
    std::vector<int> session_keys;
};

// One aggregate call of an aggregate node (the functions: sql/agg/aggregate_function.h).
struct aggregate_call {
    std::string name;            // lower case: count, sum, min, max, avg, ...
    std::vector<expr_ptr> args;  // over input 0 (string_agg: value, delimiter)
    bool star = false;           // count(*)
    bool distinct = false;       // agg(DISTINCT x): each distinct non-null value once
    expr_ptr filter;             // FILTER (WHERE ...) over input 0; null: every row
    data_type type;              // result
};

enum class join_type {
    inner,  // pairs where the predicate is TRUE
    left,   // and left rows without a match, right columns NULL
};

enum class subquery_kind {
    scalar,  // the single value of a one-column subquery (NULL without rows; error above one)
    exists,  // TRUE when the subquery yields a row
    array,   // the subquery's one column as a PostgreSQL array literal (text)
    any,     // x op ANY (subquery) / x IN (subquery): the plan yields the comparisons
             // (booleans); TRUE if one is TRUE, else NULL if one is NULL, else FALSE
    all,     // x op ALL (subquery): FALSE if one is FALSE, else NULL if one is NULL, else TRUE
};

// Outer references of a correlated subquery are parameters numbered from
// k_outer_parameter_base; apply substitutes the current row's values.
inline constexpr int k_outer_parameter_base = 1 << 20;

struct sort_key {
    expr_ptr key;
    bool descending = false;
    bool nulls_first = false;  // PostgreSQL's default: nulls last ascending, first descending
};

struct plan_node;
using plan_ptr = std::shared_ptr<plan_node>;

struct subquery_def {
    subquery_kind kind = subquery_kind::scalar;
    plan_ptr plan;
    // (parameter index, column of the apply input) for each outer reference.
    std::vector<std::pair<int, int>> outer;
};

struct plan_node {
    plan_kind kind = plan_kind::values;
    std::vector<column_def> schema;  // output columns
    std::vector<plan_ptr> inputs;

    // scan: output column i is column scan_columns[i] of the relation's
    // source chunk (format.h layout: declared columns, then hidden ones).
    relation_def relation;
    std::vector<int> scan_columns;
    // filter
    expr_ptr predicate;
    // project
    std::vector<expr_ptr> exprs;
    // sort
    std::vector<sort_key> keys;
    // limit: -1 = no limit
    int64_t limit = -1;
    int64_t offset = 0;
    // memory: the rows (schema-typed columns), shared and immutable.
    std::shared_ptr<const chunk> rows;
    std::string memory_name;  // for EXPLAIN
    // join (predicate above: over left columns then right ones; null = true)
    join_type join = join_type::inner;
    // apply
    std::vector<subquery_def> subqueries;
    // aggregate: output = group_keys' values, then aggregates. `window_end_key`:
    // the index in group_keys of a window TVF's window_end below (a windowed
    // aggregation, whose groups close with the watermark), else -1.
    std::vector<expr_ptr> group_keys;
    std::vector<aggregate_call> aggregates;
    int window_end_key = -1;
    // window
    window_def window;
    // function
    std::string function;
};

// EXPLAIN text: one line per operator, children indented.
std::string explain(const plan_node& root);

}  // namespace spate::sql
