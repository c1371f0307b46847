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

namespace spate::sql {

enum class plan_kind {
    scan,       // a relation's records, decoded: relation columns then hidden columns
    values,     // one row of no columns (SELECT without FROM)
    filter,     // rows of input 0 where `predicate` is TRUE
    project,    // `exprs` over input 0
    union_all,  // inputs' rows, concatenated (same schema)
    sort,       // input 0 ordered by `keys` (batch only)
    limit,      // rows [offset, offset + limit) of input 0 (batch only)
};

struct sort_key {
    expr_ptr key;
    bool descending = false;
    bool nulls_first = false;  // PostgreSQL's default: nulls last ascending, first descending
};

struct plan_node;
using plan_ptr = std::shared_ptr<plan_node>;

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
};

// EXPLAIN text: one line per operator, children indented.
std::string explain(const plan_node& root);

}  // namespace spate::sql
