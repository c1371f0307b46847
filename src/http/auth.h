#pragma once

// Who an HTTP request is from: HTTP Basic credentials (RFC 7617) checked
// against the platform's stored users, or the connection's client
// certificate (mutual TLS, mapped by ssl.principal.mapping.rules), and the
// identity model behind both (the same users, ACLs and audit log as Kafka's,
// implemented by app/ over the broker's).
//
// A request carrying an Authorization header is authenticated by it (when
// Basic authentication is on); one without is the connection's certificate
// principal, else User:ANONYMOUS, which Basic authentication refuses.
// Failures answer one 401 whatever the reason (unknown user, wrong password,
// malformed header); the reason is logged ("security" logger) and audited.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/message.h"
#include "net/connection_info.h"
#include "security/acl.h"

namespace spate::http {

struct basic_credentials {
    std::string user;
    std::string password;
};

// Parses an Authorization header value: the scheme "Basic" (any case), blanks,
// then base64 of "user:password" (the user ends at the first ':'; the
// password may hold more). Errors: another scheme, no or invalid base64, no
// ':', an empty user, control characters in the user or password.
result<basic_credentials> parse_basic_authorization(std::string_view value);

// The platform's identity model as HTTP uses it. Threading: every member may
// be called from any thread (the server's worker threads).
class identity_model {
  public:
    virtual ~identity_model() = default;
    // Whether `password` is `user`'s stored password (as SASL PLAIN checks
    // it). Unknown users and wrong passwords are refused alike.
    virtual bool check_password(const std::string& user, std::string_view password) = 0;
    // Records an authentication in the audit log (kind authentication);
    // `principal` is the one tried on failure.
    virtual void audit_authentication(const net::connection_info& peer, std::string_view principal,
                                      std::string_view mechanism, bool success,
                                      std::string_view detail) = 0;
    // Whether `who` may perform `op` on the resource; a refusal is audited
    // (kind denied, `action` as detail).
    virtual bool authorize(const net::connection_info& who, security::acl_operation op,
                           security::resource_type type, std::string_view name,
                           std::string_view action) = 0;
    // The same decision without an audit line (filters of listings).
    virtual bool allowed(const net::connection_info& who, security::acl_operation op,
                         security::resource_type type, std::string_view name) = 0;
};

enum class authentication_method { none, basic };

struct auth_settings {
    authentication_method method = authentication_method::none;
    std::string realm = "spate";  // WWW-Authenticate's realm
    // A refused request is answered after this long (on a timer).
    int failed_delay_ms = 100;
};

// The 401 every authentication failure gets: WWW-Authenticate: Basic
// realm="...", Confluent's body {"error_code": 40101, ...}.
response unauthorized_response(const auth_settings& s);

// One connection's request authentication (internal to the server; used by
// one request at a time). A header verified once is remembered for the
// connection's life, so keep-alive clients that send it with every request
// cost one password check (and one audit line) per connection.
class request_authenticator {
  public:
    // `identity` may be null only when `s.method` is none and no
    // certificate principal is audited.
    request_authenticator(const auth_settings& s, identity_model* identity);

    // The principal of a request with Authorization header `authorization`
    // (empty: none) on connection `conn` (whose user is its certificate's
    // principal when `certificate` is true). An error is a failure to answer
    // with unauthorized_response(); it is logged and audited here.
    result<net::principal> authenticate(std::string_view authorization,
                                        const net::connection_info& conn, bool certificate);

  private:
    const auth_settings& _settings;
    identity_model* _identity;
    std::string _verified;  // the Authorization value last accepted
    net::principal _verified_user;
};

}  // namespace spate::http
