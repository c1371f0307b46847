#pragma once

// Aggregate functions over groups of rows, with retraction, merging and a
// serialised state (the functions and their types: docs/sql.md,
// "Aggregates"; the state bytes: docs/formats/sql_aggregate_state.md).
//
// A `grouped_aggregate` holds the states of one aggregate call for many
// groups; each group is a dense slot number chosen by the caller (the batch
// hash aggregate, the streaming aggregate). It works a chunk at a time:
// update() takes the call's evaluated argument columns, the slot of every
// row and, for changelog input, every row's diff (+1 insert, -1 retract).
//
// Contract:
// - Rows whose filter is not TRUE are skipped; so are rows with a NULL
//   argument, except for count(*) (PostgreSQL's rules).
// - A retraction matches an earlier insertion of the same values into the
//   same slot (the caller guarantees it). Every function stays exact under
//   retraction: min/max, DISTINCT, string_agg and array_agg keep each value's
//   multiplicity, so retracting the current extreme yields the next one.
// - result() follows PostgreSQL: count over no rows is 0, every other
//   function NULL; an overflow is numeric_value_out_of_range.
// - save()/load() round-trip a slot exactly; merge() adds one slot's rows
//   to another's (session windows joining).
// Threading: none; one operator owns each object.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sql/plan/logical_plan.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql {

// True for the names this module implements (count, sum, min, max, avg,
// stddev, stddev_samp, stddev_pop, variance, var_samp, var_pop, bool_and,
// bool_or, every, string_agg, array_agg).
bool is_aggregate_function(std::string_view name);

// The result type of `name` over arguments of `args` types (count(*):
// `star`, no args). Errors: undefined_function naming the signature.
// Types as PostgreSQL: sum(int2/int4) bigint, sum(int8/numeric) numeric,
// avg and stddev/variance of integers and numeric numeric, of floats double
// precision; array_agg is a PostgreSQL array literal (text).
sql_result<data_type> aggregate_result_type(std::string_view name, std::span<const data_type> args,
                                            bool star);

class grouped_aggregate {
  public:
    virtual ~grouped_aggregate() = default;

    virtual size_t slots() const = 0;
    // Grows (new slots are empty) or shrinks to `slots`.
    virtual void resize(size_t slots) = 0;
    // Lets resize() up to `slots` keep its storage in place (no copy, no
    // memory touched before the slots are).
    virtual void reserve(size_t slots) { (void)slots; }
    // Makes `slot` empty again (slot reuse).
    virtual void reset(size_t slot) = 0;
    // Makes `slot` empty like reset(), but may keep buffers sized for the
    // rows it held, for a slot refilled with as many rows soon (the
    // combiner's groups, once per commit interval).
    virtual void clear(size_t slot) { reset(slot); }
    // A hint: `slot`'s state is about to be used (a cache prefetch).
    virtual void prefetch(size_t slot) const { (void)slot; }

    // Applies the n rows of `args` (one column per argument, each n rows):
    // row i to slot `slots[i]` with diff `diffs[i]` (empty: all +1).
    // `filter` (n rows, boolean) or null.
    virtual sql_status update(std::span<const column> args, const column* filter,
                              std::span<const uint32_t> slots, std::span<const int8_t> diffs) = 0;
    // Adds the rows of `other`'s slot `from` (the same call) to slot `into`.
    virtual sql_status merge(size_t into, const grouped_aggregate& other, size_t from) = 0;
    // Appends the slot's result to `out` (of the call's result type).
    virtual sql_status result(size_t slot, column& out) const = 0;

    // Appends the slot's state to `out`; load() replaces a slot's state.
    virtual void save(size_t slot, std::string& out) const = 0;
    virtual sql_status load(size_t slot, std::string_view bytes) = 0;
    // Heap bytes the slot's state holds beyond a fixed-size slot (for
    // state-size statistics).
    virtual size_t slot_bytes(size_t slot) const = 0;
};

// The grouped aggregate for `call` (bound: argument types final).
// `retractions` false promises that update() never sees a diff of -1 (batch
// queries, streams over append-only input): min/max then keep only the
// current extreme instead of every value's multiplicity, and a retraction
// is an internal_error. Errors: undefined_function for argument types the
// function does not take.
sql_result<std::unique_ptr<grouped_aggregate>> make_grouped_aggregate(const aggregate_call& call,
                                                                      bool retractions = true);

}  // namespace spate::sql
