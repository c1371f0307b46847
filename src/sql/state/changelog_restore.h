#pragma once

// The restore half of task_state::open() (docs/formats/sql_state.md,
// "Restore"): where the changelog partition ends, and the replay of
// [from, end) into a state_db with checkpoints along the way.
//
// Threading: blocking calls, one thread. Internal to sql/state.

#include <cstdint>

#include "sql/state/state_db.h"
#include "sql/state/task_state.h"
#include "sql/types/error.h"

namespace spate::sql::detail {

struct changelog_ends {
    int64_t low = 0;   // log start offset
    int64_t high = 0;  // high watermark, undecided transactions included
};

// The partition's log start and high watermark (read_uncommitted, so a
// transaction undecided now counts: a restore to `high` waits for it).
// Errors: the topic or partition does not exist, the broker does not answer
// within o.timeout_ms.
sql_result<changelog_ends> read_changelog_ends(const state_options& o);

struct replay_result {
    int64_t position = 0;  // the offset restore reached (>= the target)
    int64_t records = 0;   // records applied
};

// Applies the committed records of [from, to) (read_committed: aborted
// records and transaction markers skipped) to `db`: a value is a put, a null
// value a removal; a record without a key is logged and skipped. Writes a
// checkpoint with every batch (and `identity` with the first when
// non-empty), so an interrupted replay resumes where it stopped.
// Errors: reading fails, or the position does not advance for o.timeout_ms.
sql_result<replay_result> replay_changelog(const state_options& o, state_db& db, int64_t from,
                                           int64_t to, std::string_view identity);

}  // namespace spate::sql::detail
