#include "http/auth.h"

#include <algorithm>

#include "base/log.h"
#include "security/scram.h"

namespace spate::http {

namespace {

error malformed_authorization(const std::string& why) {
    return make_error(errc::invalid_argument, "Authorization header: " + why);
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

result<basic_credentials> parse_basic_authorization(std::string_view value) {
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!value.empty() && blank(value.back()))
        value.remove_suffix(1);
    const size_t sp = value.find_first_of(" \t");
    if (sp == std::string_view::npos || !iequal(value.substr(0, sp), "Basic"))
        return malformed_authorization("not the Basic scheme");
    std::string_view token = value.substr(sp);
    while (!token.empty() && blank(token.front()))
        token.remove_prefix(1);
    if (token.empty()) return malformed_authorization("no credentials");
    // token68 characters only: base64_decode would skip embedded blanks.
    if (!std::all_of(token.begin(), token.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
        }))
        return malformed_authorization("credentials are not base64");
    auto decoded = security::base64_decode(token);
    if (!decoded.ok()) return malformed_authorization("credentials are not base64");
    const std::string& text = *decoded;
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return malformed_authorization("no ':' after the user name");
    basic_credentials out{text.substr(0, colon), text.substr(colon + 1)};
    if (out.user.empty()) return malformed_authorization("empty user name");
    if (has_control(out.user) || has_control(out.password))
        return malformed_authorization("control characters in the credentials");
    return out;
}

response unauthorized_response(const auth_settings& s) {
    response r = error_response(401, 40101, "Unauthorized");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"" + s.realm + "\"");
    return r;
}

request_authenticator::request_authenticator(const auth_settings& s, identity_model* identity)
    : _settings(s), _identity(identity) {}

result<net::principal> request_authenticator::authenticate(std::string_view authorization,
                                                           const net::connection_info& conn,
                                                           bool certificate) {
    const bool basic = _settings.method == authentication_method::basic;
    if (!basic || authorization.empty()) {
        if (!basic || certificate) return conn.user;
        logging::get("security")
            .warn("authentication failed: listener {} peer {}:{} mechanism BASIC: no credentials",
                  conn.listener, conn.peer_address, conn.peer_port);
        if (_identity) _identity->audit_authentication(conn, "", "BASIC", false, "no credentials");
        return make_error(errc::invalid_argument, "no credentials");
    }
    if (!_verified.empty() && authorization == _verified) return _verified_user;
    auto creds = parse_basic_authorization(authorization);
    std::string user = creds.ok() ? creds->user : std::string();
    std::string reason;
    if (!creds.ok())
        reason = creds.err().message;
    else if (!_identity || !_identity->check_password(creds->user, creds->password))
        reason = "unknown user or wrong password";
    if (_identity)
        _identity->audit_authentication(conn, user.empty() ? "" : "User:" + user, "BASIC",
                                        reason.empty(), reason);
    if (!reason.empty()) {
        logging::get("security")
            .warn("authentication failed: listener {} peer {}:{} user '{}' mechanism BASIC: {}",
                  conn.listener, conn.peer_address, conn.peer_port, user, reason);
        return make_error(errc::invalid_argument, reason);
    }
    logging::get("security")
        .info("authenticated: listener {} peer {}:{} as User:{} (BASIC)", conn.listener,
              conn.peer_address, conn.peer_port, user);
    _verified = std::string(authorization);
    _verified_user = {"User", user};
    return _verified_user;
}

}  // namespace spate::http
