#include "coordinator/groups/persistence.h"

#include "base/log.h"

namespace spate::coordinator::groups {

void persistence::set(offset_writer offsets, group_writer groups, txn_offset_writer txn_offsets) {
    std::lock_guard lk(_mu);
    _offsets = std::move(offsets);
    _groups = std::move(groups);
    _txn_offsets = std::move(txn_offsets);
}

status persistence::write_offsets(const std::string& group,
                                  const std::vector<offset_change>& changes,
                                  const char* what) const {
    offset_writer w;
    {
        std::lock_guard lk(_mu);
        w = _offsets;
    }
    if (!w) return {};
    auto s = w(group, changes);
    if (!s.ok())
        logging::get("coordinator")
            .warn("group {}: persisting {} ({} offset change(s)) failed: {}", group, what,
                  changes.size(), s.err().to_string());
    return s;
}

status persistence::write_group(const std::string& group, const std::optional<group_snapshot>& g,
                                const char* what) const {
    group_writer w;
    {
        std::lock_guard lk(_mu);
        w = _groups;
    }
    if (!w) return {};
    auto s = w(group, g);
    if (!s.ok())
        logging::get("coordinator")
            .warn("group {}: persisting {} ({}) failed: {}", group, what,
                  g ? "membership" : "tombstone", s.err().to_string());
    return s;
}

status persistence::write_txn_offsets(const std::string& group, int64_t producer_id, int16_t epoch,
                                      const std::vector<offset_change>& changes) const {
    txn_offset_writer w;
    {
        std::lock_guard lk(_mu);
        w = _txn_offsets;
    }
    if (!w) return {};
    auto s = w(group, producer_id, epoch, changes);
    if (s.ok()) return s;
    auto& log = logging::get("coordinator");
    if (s.err().code == errc::producer_fenced)
        log.debug("group {}: transactional offsets of producer {} epoch {} fenced: {}", group,
                  producer_id, epoch, s.err().to_string());
    else
        log.warn(
            "group {}: persisting {} transactional offset(s) of producer {} epoch {} failed: {}",
            group, changes.size(), producer_id, epoch, s.err().to_string());
    return s;
}

}  // namespace spate::coordinator::groups
