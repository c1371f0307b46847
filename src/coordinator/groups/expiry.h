#pragma once

// Offset retention (offsets.retention.minutes): an Empty group's offsets
// are removed `keep_ms` after it became empty (a group that never had
// members: after each offset's commit), and an Empty group left with
// nothing has its membership tombstoned so the registry can forget it.

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "coordinator/groups/group.h"
#include "coordinator/groups/persistence.h"

namespace spate::coordinator::groups {

// When the periodic expiry pass is due: every `interval_ms`, counted from the
// first check. Threading: any thread.
class expiry_timer {
  public:
    explicit expiry_timer(int64_t interval_ms) : _interval_ms(interval_ms) {}
    // True, restarting the interval, once it has passed at `now_ms`.
    bool due(int64_t now_ms);
    // When due() next returns true (as of the last call to it).
    int64_t next_due(int64_t now_ms);

  private:
    std::mutex _mu;  // guards _last_ms
    const int64_t _interval_ms;
    int64_t _last_ms = 0;
};

struct expiry_result {
    size_t removed = 0;  // offsets removed
    // The group may be dropped from the registry (it was Empty and every
    // write succeeded); false leaves it for the next pass.
    bool settled = false;
};

// Expires `g`'s offsets as of `now_ms`, writing the removals (and the
// membership tombstone) first; a failed write keeps the state for the next
// pass (the failure is logged). Requires g.mu.
expiry_result expire_group(group& g, int64_t now_ms, int64_t keep_ms, const persistence& store);

}  // namespace spate::coordinator::groups
