#pragma once

// How pgwire authenticates its clients (pg_options::auth): the method
// (PostgreSQL's pg_hba.conf names: trust, password, scram-sha-256), whether
// TLS is required, and what the platform provides: the users' stored SCRAM
// credentials (the Kafka users of __spate_credentials) and the audit log.
//
// The app wires `users` and `audit` (pgwire does not see the broker). Both
// may be called from any connection's strand or the execution pool, so
// they must be thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "security/audit_log.h"
#include "security/scram.h"

namespace spate::pgwire {

enum class auth_method { trust, password, scram_sha_256 };

// "trust", "password", "scram-sha-256" (as in pg_hba.conf).
const char* auth_method_name(auth_method m);
std::optional<auth_method> parse_auth_method(std::string_view name);

struct auth_options {
    // trust: the startup packet's user is the session's user, unchecked.
    auth_method method = auth_method::trust;
    // A client that did not upgrade to TLS (SSLRequest) is refused (28000).
    bool require_tls = false;
    // A failed login is answered (FATAL 28P01, then close) after this delay.
    int32_t failed_delay_ms = 100;
    // The user's credential for a mechanism; unset: every user is unknown.
    security::credential_lookup users;
    // Receives one event per authentication, success or failure (kind
    // authentication, listener "pgwire"); unset: none recorded.
    std::function<void(const security::audit_event&)> audit;
};

}  // namespace spate::pgwire
