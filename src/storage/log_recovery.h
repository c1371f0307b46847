#pragma once

// Opening a log directory (internal to storage; log::open in log.h):
// finishes or undoes an interrupted compaction swap, removes temporary and
// orphaned files, loads the segments (fully validating the active one after
// an unclean shutdown), drops segments below the persisted log start, and
// rebuilds the producer state and the transaction indexes' tails.

#include "base/result.h"
#include "storage/log_state.h"

namespace spate::storage {

// Fills `s` (freshly constructed, not yet shared) from its directory.
status recover_log(log_state& s, bool clean_shutdown);

}  // namespace spate::storage
