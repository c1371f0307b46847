#pragma once

// The repartition topic between sub-topology A and B of a stateful query
// (docs/formats/sql_repartition.md): pre-aggregate rows grouped by the
// partition their group key hashes to, many rows per record (key null,
// value a row batch), or, when the query's calls combine (combiner.h),
// partial aggregates per group key; and watermark markers (header
// spate.watermark, key and value null) written to every partition.
//
// Threading: the query's thread only.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kafka/client/producer.h"
#include "sql/stream/combiner.h"
#include "sql/stream/stateful_spec.h"
#include "sql/stream/watermark.h"
#include "sql/types/column.h"

namespace spate::sql::detail {

using record_sink = std::function<status(const kafka::client::outgoing_record&)>;

// A group's key bytes: for windowed aggregations the window end (8 bytes,
// ordered) first, then the group key values (stream_codec::append_key) in
// key order, SESSION's window_start and window_end left out.
class group_key_layout {
  public:
    explicit group_key_layout(const aggregate_def& def);

    // The key bytes of every row of `pre` (the pre-aggregate chunk),
    // concatenated into `bytes`, row i ending at ends[i].
    void encode(const chunk& pre, std::string& bytes, std::vector<uint32_t>& ends) const;
    bool windowed() const { return _window_end >= 0; }
    int64_t window_end(std::string_view key) const;  // windowed() only
    // Appends the group key values of `key` to `keys` (one typed column per
    // group key); SESSION: window_start/window_end get `start`/`end`.
    sql_status decode(std::string_view key, std::vector<column>& keys, int64_t start = 0,
                      int64_t end = 0) const;
    // Empty typed columns of the group keys.
    std::vector<column> key_columns() const;

  private:
    std::vector<data_type> _types;
    std::vector<int> _encoded;  // the group keys in the bytes, in order
    int _window_end = -1;
    int _start_key = -1, _end_key = -1;
};

class repartition_writer {
  public:
    // `def` must outlive the writer; partitions >= 1.
    repartition_writer(const aggregate_def& def, std::string topic, int32_t partitions);

    // From now on rows without retractions are folded into partial
    // aggregates per group key (combinable(def) must hold), written by
    // flush() (or by write() when many groups are held). Errors: the
    // aggregates cannot be made.
    sql_status combine();
    // Writes the rows of `pre` (diffs: empty = all +1) to the partitions
    // their keys hash to, in row order per partition; when combining, adds
    // them to the partials instead (a chunk with retractions first flushes
    // the partials, then goes out as rows).
    status write(const chunk& pre, std::span<const int8_t> diffs, const record_sink& sink);
    // Writes the partials held (combine()) and forgets them. Call before
    // writing watermark markers, so every row is ahead of the marker after it.
    status flush(const record_sink& sink);
    // Forgets the partials held (the transaction aborted).
    void drop_partials();
    // Writes each marker to every partition.
    status write_markers(std::span<const watermark_marker> markers, const record_sink& sink);
    int32_t partitions() const { return _partitions; }

  private:
    status write_rows(std::span<const uint32_t> rows, int32_t partition,
                      std::span<const int8_t> diffs, const record_sink& sink);
    status write_partials(std::span<const uint32_t> groups, int32_t partition,
                          const record_sink& sink);
    status produce(int32_t partition, const record_sink& sink);

    const aggregate_def& _def;
    group_key_layout _layout;
    std::string _topic;
    int32_t _partitions;
    std::vector<const column*> _value_cols;  // of the chunk being written
    std::string _keys;
    std::vector<uint32_t> _key_ends;
    std::vector<std::vector<uint32_t>> _rows_of;
    std::string _value;
    std::string _body;  // scratch of write_partials()
    std::unique_ptr<combiner> _combiner;
};

// One decoded data record of the repartition topic: rows, or (non-empty
// `partials`) one partial aggregate per key.
struct repartition_rows {
    std::vector<std::string_view> keys;      // views into the record value
    chunk values;                            // the pre-aggregate columns after the keys
    std::vector<int8_t> diffs;               // empty: all +1
    std::vector<std::string_view> partials;  // group bodies (combiner.h), views into the value
};

// Decodes a data record's value into `out` (replacing its contents).
sql_status decode_repartition(std::string_view value, const aggregate_def& def,
                              repartition_rows& out);

}  // namespace spate::sql::detail
