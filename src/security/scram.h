#pragma once

// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses them
// (KIP-84): no channel binding (gs2 header "n,," or "y,,"; "p=" refused), an
// optional authzid that must equal the user name, extensions after the
// nonce (only `tokenauth` is known; delegation tokens are refused), and
// credentials stored as salt, iterations, StoredKey and ServerKey, never the
// password. The same credentials serve PLAIN (verify_password), pgwire's
// SCRAM-SHA-256 and HTTP Basic.
//
// Error cases: every malformed message, unknown user, wrong proof or nonce
// is an error; the messages do not say whether the user exists (an unknown
// user gets a server-first message with a salt derived from its name and
// fails at the proof, like a wrong password).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace spate::security {

enum class scram_mechanism { sha256, sha512 };

const char* scram_mechanism_name(scram_mechanism m);  // "SCRAM-SHA-256", ...
std::optional<scram_mechanism> parse_scram_mechanism(std::string_view name);

// Kafka's iteration bounds (AlterUserScramCredentials refuses others).
inline constexpr int32_t k_scram_min_iterations = 4096;
inline constexpr int32_t k_scram_max_iterations = 16384;

struct scram_credential {
    scram_mechanism mechanism = scram_mechanism::sha256;
    std::string salt;  // raw bytes
    int32_t iterations = k_scram_min_iterations;
    std::string stored_key;  // H(ClientKey), raw bytes
    std::string server_key;  // HMAC(SaltedPassword, "Server Key"), raw bytes
};

// The credential of `password` with `salt` (raw bytes; empty: 32 random
// bytes) and `iterations` (bounds checked).
result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               std::string_view salt, int32_t iterations);

// The credential of a SaltedPassword the client computed (Kafka's
// AlterUserScramCredentials upsertion: Hi(password, salt, iterations)):
// StoredKey and ServerKey derived from it. Errors: a salted password of the
// wrong length for the hash, an empty salt, iterations out of bounds.
result<scram_credential> scram_credential_from_salted_password(scram_mechanism m,
                                                               std::string_view salt,
                                                               int32_t iterations,
                                                               std::string_view salted);

// Hi(password, salt, iterations): what a client sends in Kafka's
// AlterUserScramCredentials (raw bytes, the hash's length).
std::string salted_password_of(scram_mechanism m, std::string_view password, std::string_view salt,
                               int32_t iterations);

// Whether `password` is the one `c` was made from (PLAIN, pgwire password,
// HTTP Basic). Constant time in the keys' comparison.
bool verify_password(const scram_credential& c, std::string_view password);

std::string base64_encode(std::string_view raw);
result<std::string> base64_decode(std::string_view text);

// Finds a user's credential for one mechanism.
using credential_lookup =
    std::function<std::optional<scram_credential>(const std::string& user, scram_mechanism m)>;

// One server side of one SCRAM exchange: client-first -> server-first,
// client-final -> server-final. Not thread-safe (one per connection).
class scram_server {
  public:
    // `nonce` generates the server's nonce part (printable, no ','): tests
    // pin it; by default 24 random bytes, base64.
    scram_server(scram_mechanism m, credential_lookup lookup,
                 std::function<std::string()> nonce = {});

    // PostgreSQL's convention (pgwire): the user is the startup packet's
    // `user`, so client-first's "n=" attribute is ignored (libpq sends it
    // empty) and an authzid is refused. Call before the first step().
    void set_user(std::string user) { _fixed_user = std::move(user); }

    // The next server message for `client_message`; an error ends the
    // exchange (authentication failed or malformed).
    result<std::string> step(std::string_view client_message);

    bool complete() const { return _state == state::done; }
    // The authenticated user name (after complete()).
    const std::string& user() const { return _user; }

  private:
    result<std::string> client_first(std::string_view msg);
    result<std::string> client_final(std::string_view msg);

    enum class state { first, final, done, failed };
    scram_mechanism _mechanism;
    credential_lookup _lookup;
    std::function<std::string()> _nonce_source;
    state _state = state::first;
    std::string _user;
    std::optional<std::string> _fixed_user;       // set_user()
    std::optional<scram_credential> _credential;  // unset: unknown user
    std::string _gs2_header;
    std::string _client_first_bare;
    std::string _server_first;
    std::string _nonce;
};

// The client side (tests, and Spate's own clients): client-first, then the
// proof for the server-first message, then the server signature check.
class scram_client {
  public:
    scram_client(scram_mechanism m, std::string user, std::string password,
                 std::string client_nonce = {});
    std::string first();
    result<std::string> final(std::string_view server_first);
    status verify(std::string_view server_final) const;

  private:
    scram_mechanism _mechanism;
    std::string _user;
    std::string _password;
    std::string _nonce;
    std::string _first_bare;
    std::string _server_signature;
};

}  // namespace spate::security
