#pragma once

// The data directory's record of the encryption keys that sealed data in it
// (`<data-dir>/encryption.keys`, docs/formats/encryption.md): each key's id
// and check value. It lets a start with a wrong or missing key be refused
// before anything in the directory changes, with an error naming the key,
// instead of failing later on the first read.
//
// Threading: callers serialise (log_manager's open and topic creation).

#include <filesystem>
#include <string>

#include "base/result.h"
#include "storage/encryption.h"

namespace spate::storage {

inline constexpr const char* k_key_registry_file = "encryption.keys";

// Read-only; run before the directory is opened. errc::invalid_argument
// when a registered key is missing from `ring` or differs from the ring's
// key of that id, or when the directory holds encrypted data (registered
// keys or a topic file with spate.encryption=true) and `ring` is null.
// A directory that does not exist yet passes.
status check_keys_before_open(const std::filesystem::path& dir, const key_ring* ring);

// Adds the ring's active key to the registry unless it is there (written
// atomically and fsynced), before the first batch is sealed with it.
status register_active_key(const std::filesystem::path& dir, const key_ring& ring);

}  // namespace spate::storage
