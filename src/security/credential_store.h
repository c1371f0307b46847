#pragma once

// Users' SCRAM credentials (one per mechanism per user), as Kafka's
// AlterUserScramCredentials / DescribeUserScramCredentials manage them, and
// their records in the internal compacted topic that persists them
// (docs/formats/security.md): key = the user name, value = every mechanism's
// credential of that user; a tombstone once the last one is deleted.
//
// Threading: every member may be called from any thread.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "security/scram.h"

namespace spate::security {

// One user's credentials, by mechanism.
using user_credentials = std::map<scram_mechanism, scram_credential>;

// The record value of `creds` (empty: the caller writes a tombstone).
std::string encode_user_credentials(const user_credentials& creds);
// Errors: not the format's JSON, an unknown mechanism, bad base64, keys of
// the wrong length for their hash, iterations out of bounds.
result<user_credentials> decode_user_credentials(std::string_view value);

class credential_store {
  public:
    std::optional<scram_credential> find(const std::string& user, scram_mechanism m) const;
    // The user's mechanisms and iteration counts (DescribeUserScramCredentials).
    std::vector<std::pair<scram_mechanism, int32_t>> describe(const std::string& user) const;
    std::vector<std::string> users() const;

    // Upsert / delete of one mechanism; returns the user's credentials after
    // the change (what the store's record says). Deleting a mechanism the
    // user lacks is not_found.
    user_credentials upsert(const std::string& user, scram_credential c);
    result<user_credentials> remove(const std::string& user, scram_mechanism m);

    // Replay of a record (nullopt: tombstone).
    status apply(const std::string& user, std::optional<std::string_view> value);

    // Whether `password` is `user`'s (SASL PLAIN, HTTP Basic), checked
    // against each of the user's SCRAM credentials. An unknown user costs
    // the same hashing as a wrong password and is refused alike.
    bool check_password(const std::string& user, std::string_view password) const;

    // A lookup for scram_server and password checks over this store (which
    // must outlive it).
    credential_lookup lookup() const;

  private:
    mutable std::mutex _mutex;
    std::map<std::string, user_credentials> _users;
};

}  // namespace spate::security
