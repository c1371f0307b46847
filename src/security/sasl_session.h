#pragma once

// One connection's SASL authentication, independent of the protocol that
// carries it (Kafka's SaslHandshake + SaslAuthenticate; pgwire's
// SASLInitialResponse / SASLResponse use scram_server directly): the
// mechanism chosen, then token exchanges until the principal is known.
//
// PLAIN checks the password against any stored SCRAM credential of the user
// (one user store for every mechanism). A failure does not say whether the
// user exists: every failed login reads "Authentication failed: invalid
// credentials" to the client; the reason goes to the audit log.
//
// Threading: one per connection, not thread-safe; the store is shared.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/credential_store.h"
#include "security/scram.h"

namespace spate::security {

// What the client is told when authentication fails, for every reason.
inline constexpr std::string_view k_authentication_failed =
    "Authentication failed: invalid credentials";

class sasl_session {
  public:
    // `enabled`: sasl.enabled.mechanisms (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
    sasl_session(const credential_store& users, std::vector<std::string> enabled);

    // Chooses the mechanism (SaslHandshake); unsupported_mechanism error
    // (errc::unsupported) when it is not enabled. Once only.
    status select(std::string_view mechanism);
    const std::vector<std::string>& enabled() const { return _enabled; }

    // One client token (SaslAuthenticate auth_bytes) -> the server's token.
    // An error ends the session: its message is k_authentication_failed
    // (errc::invalid_argument) and `failure_reason()` says why.
    result<std::string> step(std::string_view client_token);

    bool complete() const { return _principal.has_value(); }
    // "User:<name>" once complete.
    const std::optional<std::string>& principal() const { return _principal; }
    const std::string& mechanism() const { return _mechanism; }
    // The user name the client gave (also on failure, for the audit log).
    const std::string& attempted_user() const { return _attempted_user; }
    const std::string& failure_reason() const { return _failure; }

  private:
    result<std::string> fail(std::string reason);

    const credential_store& _users;
    std::vector<std::string> _enabled;
    std::string _mechanism;
    std::unique_ptr<scram_server> _scram;
    std::optional<std::string> _principal;
    std::string _attempted_user;
    std::string _failure;
    bool _ended = false;
};

// Kafka's re-authentication (KIP-368): the session lifetime to tell the
// client, 0 when connections.max.reauth.ms is 0 (never), else that many ms.
inline int64_t session_lifetime_ms(int64_t max_reauth_ms) {
    return max_reauth_ms > 0 ? max_reauth_ms : 0;
}

}  // namespace spate::security
