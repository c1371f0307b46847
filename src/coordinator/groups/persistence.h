#pragma once

// The persistence hooks of group_coordinator::set_persistence. Each write
// returns ok when no hook is set; a failure is logged (logger
// "coordinator") with the group and `what` was being written, and returned
// for the caller to answer or retry.
//
// Threading: any thread. The hooks are copied under a leaf mutex and called
// outside it, with the caller's group mutex held (writes follow state order).

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/group_types.h"

namespace spate::coordinator::groups {

class persistence {
  public:
    void set(offset_writer offsets, group_writer groups, txn_offset_writer txn_offsets);

    status write_offsets(const std::string& group, const std::vector<offset_change>& changes,
                         const char* what) const;
    status write_group(const std::string& group, const std::optional<group_snapshot>& g,
                       const char* what) const;
    // errc::producer_fenced (logged at debug: it is an answer, not a fault)
    // or any error of the hook.
    status write_txn_offsets(const std::string& group, int64_t producer_id, int16_t epoch,
                             const std::vector<offset_change>& changes) const;

  private:
    mutable std::mutex _mu;  // guards the hooks below
    offset_writer _offsets;
    group_writer _groups;
    txn_offset_writer _txn_offsets;
};

}  // namespace spate::coordinator::groups
