#pragma once

// Event time of a stateful continuous query (docs/sql.md, "Event time and
// watermarks").
//
// Sub-topology A keeps one `source_clock` for the source partitions this
// server reads: a partition's watermark is the largest WATERMARK expression
// value of its rows so far; a row whose event time is below the watermark as
// it stood before the row is late. A partition that has had no record for
// idle_timeout_ms is idle. At each commit A writes a marker for every
// partition whose state (watermark or idleness) changed since its last
// committed marker to every repartition partition; the watermark also rides
// in the partition's committed offset metadata ("wm=<micros>"), so a task
// that moves or restarts goes on from the committed value.
//
// Sub-topology B keeps one `watermark_merger` per repartition partition:
// the latest marker of every source partition; its watermark is the
// minimum over the non-idle ones (when all are idle: the largest any of them
// reached), none until every partition reported, and never moves back.
//
// Threading: the query's thread only.

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/stream/stateful_spec.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql::detail {

using steady_time = std::chrono::steady_clock::time_point;

// The marker header: `spate.watermark` = "<source partition>:<micros>" or
// "<source partition>:idle".
inline constexpr const char* k_watermark_header = "spate.watermark";

struct watermark_marker {
    int32_t source_partition = 0;
    bool idle = false;
    int64_t micros = 0;  // when not idle
    bool operator==(const watermark_marker&) const = default;
};
std::string format_marker(const watermark_marker& m);
std::optional<watermark_marker> parse_marker(std::string_view header);

// Offset commit metadata carrying a partition's watermark ("wm=<micros>").
std::string watermark_metadata(std::optional<int64_t> wm);
std::optional<int64_t> parse_watermark_metadata(std::string_view metadata);

class source_clock {
  public:
    explicit source_clock(const event_time_def& def) : _def(def) {}

    // A partition this server now reads, with the watermark its committed
    // offset carried.
    void assign(int32_t partition, std::optional<int64_t> committed, steady_time now);
    void revoke(int32_t partition);
    bool owns(int32_t partition) const { return _parts.contains(partition); }

    // One run of `partition`'s rows in offset order: `time` and `watermark`
    // (timestamp columns, same rows) -> late[i] = 1 for late rows, and for
    // each late row (in order) the watermark it was late against in
    // `late_against`; the watermark advances over the others. Returns the
    // number of late rows.
    size_t observe(int32_t partition, const column& time, const column& watermark,
                   std::vector<uint8_t>& late, std::vector<int64_t>& late_against);
    // Records arrived on `partition` (it is not idle).
    void touch(int32_t partition, steady_time now);

    std::optional<int64_t> watermark(int32_t partition) const;
    // The markers to write in this transaction (state changed since the
    // last marker); processing time: every partition at `now_micros`.
    std::vector<watermark_marker> due(steady_time now, int64_t now_micros);
    // Whether a commit without input should write markers: due() would
    // return one (processing time: none was written for a second).
    bool pending(steady_time now) const;
    // The smallest watermark of the owned partitions (statistics).
    std::optional<int64_t> low() const;

    // The transaction with the markers of due() committed / aborted.
    void committed();
    void aborted();

  private:
    struct part {
        std::optional<int64_t> wm, committed_wm;
        steady_time last_record;
        std::optional<watermark_marker> sent, committed_sent;
        steady_time sent_at;  // of `sent`
    };
    // The marker describing `p` now; nothing while its watermark is unknown.
    std::optional<watermark_marker> marker_of(int32_t id, const part& p, steady_time now) const;

    const event_time_def& _def;
    std::map<int32_t, part> _parts;
};

class watermark_merger {
  public:
    explicit watermark_merger(int32_t source_partitions)
        : _parts(static_cast<size_t>(source_partitions)) {}

    // Applies a marker; true when the watermark advanced.
    bool apply(const watermark_marker& m);
    std::optional<int64_t> value() const { return _value; }

    // The merger's state (task_state bytes) and back.
    std::string save() const;
    sql_status load(std::string_view bytes);

  private:
    struct entry {
        bool reported = false;
        bool idle = false;
        int64_t wm = std::numeric_limits<int64_t>::min();
    };
    std::vector<entry> _parts;
    std::optional<int64_t> _value;
};

}  // namespace spate::sql::detail
