#pragma once

// One Kafka connection's authentication: the security of the listener it
// came in on, the pre-authentication gate, and the SASL exchange
// (SaslHandshake v0/v1 + SaslAuthenticate, or v0's raw tokens) that sets the
// connection's principal, with KIP-368 session expiry and re-authentication.
//
// Gate (as Kafka's SaslServerAuthenticator): on a SASL listener, before
// authentication only ApiVersions, SaslHandshake and SaslAuthenticate are
// served; after the session lifetime (connections.max.reauth.ms) only
// SaslHandshake and SaslAuthenticate; any other request closes the
// connection. Re-authentication must keep the principal.
//
// Failures read k_authentication_failed to the client whatever the reason
// (unknown user and wrong password alike); the reason, the user name given
// and the peer are logged (logging::get("security")). Every completed or
// failed exchange is recorded in the audit log (kind authentication) when
// the listener has one.
//
// Threading: one per connection, used only on the connection's strand.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "broker/listeners.h"
#include "kafka/protocol/generated/api_keys.h"
#include "net/connection_info.h"
#include "security/audit_log.h"
#include "security/credential_store.h"
#include "security/sasl_session.h"

namespace spate::broker {

// Kafka error codes of the SASL and SCRAM credential APIs.
inline constexpr int16_t k_unsupported_sasl_mechanism = 33;
inline constexpr int16_t k_illegal_sasl_state = 34;
inline constexpr int16_t k_sasl_authentication_failed = 58;
inline constexpr int16_t k_resource_not_found = 91;
inline constexpr int16_t k_duplicate_resource = 92;
inline constexpr int16_t k_unacceptable_credential = 93;

// What a listener asks of its connections; fixed once the listener starts.
struct listener_security {
    std::string name;
    security_protocol protocol = security_protocol::plaintext;
    std::vector<std::string> mechanisms;                // sasl.enabled.mechanisms
    int64_t max_reauth_ms = 0;                          // connections.max.reauth.ms
    int32_t failed_delay_ms = 100;                      // connection.failed.authentication.delay.ms
    const security::credential_store* users = nullptr;  // SASL listeners: not null
    security::audit_log* audit = nullptr;               // null: no audit log
};

// Records one authentication of `conn` in `audit` (null: nothing);
// `principal` is the one tried on failure (may be empty).
void audit_authentication(security::audit_log* audit, const net::connection_info& conn,
                          const std::string& principal, const std::string& mechanism, bool success,
                          const std::string& detail);

class connection_auth {
  public:
    using clock = std::chrono::steady_clock;

    // `sec` (nullptr: plaintext, nothing to authenticate) outlives this;
    // `info` is the connection's, whose principal this sets.
    connection_auth(const listener_security* sec, net::connection_info& info);

    bool sasl() const { return _sec && uses_sasl(_sec->protocol); }
    bool authenticated() const { return _authenticated; }
    // The gate: whether a request of `key` may be served at `now`.
    bool admits(kafka::protocol::api_key key, clock::time_point now) const;
    // Whether the next frame is a raw SASL token (after SaslHandshake v0).
    bool raw_tokens() const { return _raw_tokens; }
    // The largest frame accepted before authentication
    // (sasl.server.max.receive.size: 512 KiB).
    static constexpr size_t k_max_unauthenticated_frame = 512 * 1024;
    int32_t failed_delay_ms() const { return _sec ? _sec->failed_delay_ms : 0; }

    // SaslHandshake: chooses the mechanism for a new exchange (also on an
    // authenticated connection: re-authentication). Errors:
    // k_illegal_sasl_state (not a SASL listener, or an exchange under way),
    // k_unsupported_sasl_mechanism.
    int16_t handshake(std::string_view mechanism, int16_t version);
    const std::vector<std::string>& mechanisms() const;

    // One client token (SaslAuthenticate or a raw v0 frame) → the server's
    // token. An error is the failure (logged here); the caller answers
    // after failed_delay_ms and closes the connection.
    result<std::string> step(std::string_view token, clock::time_point now);
    // Milliseconds until the session expires (0: never), for
    // SaslAuthenticate v1+'s session_lifetime_ms.
    int64_t session_lifetime_ms(clock::time_point now) const;

  private:
    const listener_security* _sec;
    net::connection_info& _info;
    std::unique_ptr<security::sasl_session> _session;
    bool _authenticated = false;
    bool _raw_tokens = false;
    std::optional<clock::time_point> _expires;
};

}  // namespace spate::broker
