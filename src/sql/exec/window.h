#pragma once

// Window table functions (docs/sql.md, "Windows"): the assignment math,
// pure and shared by batch plans and continuous queries, and the batch
// SESSION operator. The stateless TUMBLE/HOP/CUMULATE transform is
// make_window_assign (transform.h).
//
// Times and sizes are microseconds (timestamp and timestamptz alike).
// Windows are half-open, [start, end). A time that is NULL or infinite
// (INT64_MIN, INT64_MAX), or whose window would reach an infinity, belongs
// to no window: it yields no row.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sql/exec/batch.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

struct time_window {
    int64_t start = 0;
    int64_t end = 0;
    friend bool operator==(const time_window&, const time_window&) = default;
};

// Appends the windows of `w` (tumble, hop or cumulate; sizes as the binder
// checked them: positive, hop and cumulate sizes multiples of the slide)
// that contain `t`, ordered by start, then end:
//   tumble:   one, start = floor((t - offset) / size) * size + offset
//   hop:      size / slide windows, starts k * slide + offset
//   cumulate: windows starting at t's tumble window (of `size`) start, ending at
//             start + step, start + 2 * step, ..., start + size, those that end after t
// Returns false (nothing appended) when `t` belongs to no window.
bool windows_of(const window_def& w, int64_t t, std::vector<time_window>& out);

// SESSION: the window one event at `t` opens, [t, t + gap); none for an
// infinite `t` or when t + gap reaches infinity.
std::optional<time_window> session_of_event(int64_t t, int64_t gap);
// Two windows of one session key belong to one session when they overlap:
// an event extends a session when it comes before the session's end (the
// last event's time plus the gap); one exactly at the end starts a new one.
inline bool sessions_overlap(const time_window& a, const time_window& b) {
    return a.start < b.end && b.start < a.end;
}
inline time_window merge_sessions(const time_window& a, const time_window& b) {
    return {a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end};
}

// Sessions of one key's event times `sorted` (ascending): appends each
// session to `sessions` and, per time, the index of its session in
// `sessions` (k_no_session for a time of no window) to `session_of`.
inline constexpr uint32_t k_no_session = UINT32_MAX;
void assign_sessions(std::span<const int64_t> sorted, int64_t gap,
                     std::vector<time_window>& sessions, std::vector<uint32_t>& session_of);

// The batch SESSION operator over `input` (a plan_kind::window node of kind
// session): blocking; materialises its input, then emits the rows with a
// window ordered by (session_keys, time), NULL keys forming one group.
batch_ptr make_session_window(batch_ptr input, const plan_node& window, const batch_env& env);

}  // namespace spate::sql
