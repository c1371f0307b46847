#pragma once

// Pre-aggregation before the repartition topic (the "combiner" of
// sub-topology A): rows with the same group key are folded into one partial
// aggregate per key, and the partials cross the repartition topic instead of
// the rows (docs/formats/sql_repartition.md, version 2 records). B merges a
// partial into its group with grouped_aggregate::merge, which gives the
// same state as applying the rows one by one, because combining only runs
// for calls whose merge is exact and order-free (combinable()).
//
// A partial's bytes are a group body (the layout of the `g` state value's
// body): rows (8 bytes, ordered), then per call a varint length and its
// grouped_aggregate::save() bytes.
//
// Threading: the query's thread only. Errors: aggregate errors (e.g. numeric
// overflow) from update().

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/agg/aggregate_function.h"
#include "sql/stream/stateful_spec.h"

namespace spate::sql::detail {

using aggregate_set = std::vector<std::unique_ptr<grouped_aggregate>>;

// Appends the group body of `slot` of `aggs` with `rows` rows to `out`.
void save_group_body(const aggregate_set& aggs, size_t slot, int64_t rows, std::string& out);
// Replaces `slot` of `aggs` with a group body; its row count into `rows`.
// Errors: a malformed body (internal_error "corrupt aggregate state").
sql_status load_group_body(aggregate_set& aggs, size_t slot, std::string_view body, int64_t& rows);
// The aggregates of `def`'s calls.
sql_result<aggregate_set> make_aggregate_set(const aggregate_def& def);

// Whether rows of `def` may be combined: insert-only input, no SESSION
// window, and every call's merge exact and independent of row order
// (count, min, max, bool_and/bool_or/every, and sum/avg/variance over
// non-float arguments; not string_agg/array_agg, not float sums).
bool combinable(const aggregate_def& def);

class combiner {
  public:
    // combinable(def) must hold; `def` must outlive the object.
    static sql_result<std::unique_ptr<combiner>> create(const aggregate_def& def);

    // Adds the rows of `pre` (a pre-aggregate chunk, every row +1); row r's
    // group key bytes are keys[ends[r-1], ends[r]).
    sql_status add(const chunk& pre, std::string_view keys, std::span<const uint32_t> ends);
    size_t groups() const { return _hashes.size(); }
    // Group g's key bytes and hash (stream_codec::hash_bytes).
    std::string_view key(size_t g) const {
        uint32_t begin = g == 0 ? 0 : _key_ends[g - 1];
        return std::string_view(_arena).substr(begin, _key_ends[g] - begin);
    }
    uint64_t hash(size_t g) const { return _hashes[g]; }
    // Appends group g's partial (a group body) to `out`.
    void save(size_t g, std::string& out) const;
    // Forgets every group (after their partials were written, or an abort).
    void clear();

  private:
    explicit combiner(const aggregate_def& def) : _def(def) {}

    // The group of `key` (hash `h`), added when new.
    uint32_t find_or_add(std::string_view key, uint64_t h);
    void grow_table();

    const aggregate_def& _def;
    aggregate_set _aggs;
    // Open addressing (linear probing) over group numbers with their key
    // hash's low 32 bits; group k_empty is a free entry.
    static constexpr uint32_t k_empty = UINT32_MAX;
    struct entry {
        uint32_t hash = 0;
        uint32_t group = k_empty;
    };
    std::vector<entry> _table;  // power-of-two size
    std::string _arena;         // the groups' keys, one after another
    std::vector<uint32_t> _key_ends;
    std::vector<uint64_t> _hashes;
    std::vector<int64_t> _rows;
    std::vector<uint32_t> _slots;  // scratch of add(): each row's group
};

}  // namespace spate::sql::detail
