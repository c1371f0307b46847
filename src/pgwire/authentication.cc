// Client authentication after the StartupMessage (auth.h): trust, cleartext
// password (AuthenticationCleartextPassword + PasswordMessage) or
// SCRAM-SHA-256 (AuthenticationSASL, SASLInitialResponse,
// AuthenticationSASLContinue, SASLResponse, AuthenticationSASLFinal), all
// against the users' stored SCRAM credentials.
//
// A failed login reads `password authentication failed for user "..."`
// (FATAL 28P01) whatever the reason, after the failure delay; the reason
// goes to the audit log and the server log only.

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log.h"
#include "pgwire/backend.h"
#include "pgwire/connection.h"

namespace spate::pgwire {

namespace asio = boost::asio;

namespace {

// Authentication request codes (the int32 after 'R').
constexpr int32_t k_auth_ok = 0;
constexpr int32_t k_auth_cleartext_password = 3;
constexpr int32_t k_auth_sasl = 10;
constexpr int32_t k_auth_sasl_continue = 11;
constexpr int32_t k_auth_sasl_final = 12;

// PostgreSQL's bound on an authentication message (PG_MAX_AUTH_TOKEN_LENGTH).
constexpr size_t k_max_auth_message_bytes = 65535;

constexpr std::string_view k_scram_sha_256 = "SCRAM-SHA-256";
constexpr std::string_view k_invalid_password = "28P01";
constexpr std::string_view k_invalid_authorization = "28000";

// An unknown user's password is hashed like a real one's.
const security::scram_credential& decoy_credential() {
    static const security::scram_credential c =
        security::make_scram_credential(security::scram_mechanism::sha256, "", "",
                                        security::k_scram_min_iterations)
            .value();
    return c;
}

// Whether `password` matches any stored credential of `user`.
bool password_matches(const security::credential_lookup& users, const std::string& user,
                      const std::string& password) {
    bool found = false;
    for (auto m : {security::scram_mechanism::sha256, security::scram_mechanism::sha512}) {
        auto c = users ? users(user, m) : std::nullopt;
        if (!c) continue;
        found = true;
        if (security::verify_password(*c, password)) return true;
    }
    if (!found) (void)security::verify_password(decoy_credential(), password);
    return false;
}

void write_auth_request(message_writer& w, int32_t code, std::string_view data = {}) {
    w.begin('R');
    w.put_i32(code);
    w.put_bytes(data);
    w.end();
}

}  // namespace

const char* auth_method_name(auth_method m) {
    switch (m) {
        case auth_method::trust:
            return "trust";
        case auth_method::password:
            return "password";
        case auth_method::scram_sha_256:
            return "scram-sha-256";
    }
    return "trust";
}

std::optional<auth_method> parse_auth_method(std::string_view name) {
    for (auto m : {auth_method::trust, auth_method::password, auth_method::scram_sha_256})
        if (name == auth_method_name(m)) return m;
    return std::nullopt;
}

void pg_connection::audit_login(const std::string& user, std::string_view mechanism, bool success,
                                std::string_view detail) {
    const auto& audit = _state->options().auth.audit;
    if (!audit) return;
    security::audit_event e;
    e.kind = security::audit_kind::authentication;
    e.success = success;
    e.principal = "User:" + user;
    e.host = _info.peer_address;
    e.listener = "pgwire";
    e.mechanism = std::string(mechanism);
    e.detail = std::string(detail);
    audit(e);
}

asio::awaitable<bool> pg_connection::refuse_login(const std::string& user,
                                                  std::string_view mechanism,
                                                  std::string_view reason) {
    logging::get("security")
        .info("pgwire authentication of user '{}' from {} failed: {}", user, _info.peer_address,
              reason);
    audit_login(user, mechanism, false, reason);
    asio::steady_timer delay(_stream.get_executor(),
                             std::chrono::milliseconds(_state->options().auth.failed_delay_ms));
    boost::system::error_code ec;
    co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    pg_error e = make_pg_error(k_invalid_password,
                               "password authentication failed for user \"" + user + "\"");
    e.severity = "FATAL";
    send_error(e);
    co_await flush();
    close();
    co_return false;
}

asio::awaitable<bool> pg_connection::auth_violation(const std::string& user,
                                                    std::string_view mechanism,
                                                    std::string_view reason) {
    audit_login(user, mechanism, false, reason);
    co_await protocol_violation(reason);
    co_return false;
}

asio::awaitable<std::optional<pg_connection::frontend_message>> pg_connection::read_auth_message(
    const std::string& user, std::string_view mechanism) {
    auto m = co_await read_message(k_max_auth_message_bytes);
    if (!m) {
        // Closed, or a length over the bound (08P01 already sent). libpq
        // closes here when it has no password to give.
        audit_login(user, mechanism, false,
                    "the client closed the connection or sent a malformed message");
        co_return std::nullopt;
    }
    if (m->type != 'p') {
        co_await auth_violation(user, mechanism, "expected a password or SASL response message");
        co_return std::nullopt;
    }
    co_return m;
}

asio::awaitable<bool> pg_connection::authenticate(const std::string& user) {
    const auth_options& auth = _state->options().auth;
    const char* method = auth_method_name(auth.method);
    if (auth.require_tls && !_stream.is_tls()) {
        audit_login(user, method, false, "TLS required: the client did not request it");
        pg_error e = make_pg_error(k_invalid_authorization,
                                   "this server requires TLS connections (sslmode=require)");
        e.severity = "FATAL";
        send_error(e);
        co_await flush();
        close();
        co_return false;
    }
    bool ok = true;
    if (auth.method == auth_method::password) ok = co_await authenticate_password(user);
    if (auth.method == auth_method::scram_sha_256) ok = co_await authenticate_scram(user);
    if (!ok) co_return false;
    if (auth.method == auth_method::trust) audit_login(user, method, true, "");
    write_auth_request(_w, k_auth_ok);
    co_return true;
}

asio::awaitable<bool> pg_connection::authenticate_password(const std::string& user) {
    const char* mechanism = "password";
    write_auth_request(_w, k_auth_cleartext_password);
    co_await flush();
    if (_closed) co_return false;
    auto m = co_await read_auth_message(user, mechanism);
    if (!m) co_return false;
    message_reader r(m->body);
    auto password = r.cstring();
    if (!password || !r.at_end())
        co_return co_await auth_violation(user, mechanism, "malformed password message");
    auto users = _state->options().auth.users;
    auto job = [users, user, p = std::string(*password)] {
        return password_matches(users, user, p);
    };
    const bool matches = co_await run_blocking(job);
    if (_closed) co_return false;
    if (!matches)
        co_return co_await refuse_login(user, mechanism, "unknown user or wrong password");
    audit_login(user, mechanism, true, "");
    co_return true;
}

asio::awaitable<bool> pg_connection::authenticate_scram(const std::string& user) {
    const std::string mechanism(k_scram_sha_256);
    std::string offer(k_scram_sha_256);
    offer.push_back('\0');
    offer.push_back('\0');  // the end of the mechanism list
    write_auth_request(_w, k_auth_sasl, offer);
    co_await flush();
    if (_closed) co_return false;

    auto first = co_await read_auth_message(user, mechanism);
    if (!first) co_return false;
    message_reader r(first->body);
    auto chosen = r.cstring();
    auto len = r.i32();
    if (!chosen || !len)
        co_return co_await auth_violation(user, mechanism, "malformed SASLInitialResponse");
    if (*chosen != k_scram_sha_256)
        co_return co_await auth_violation(
            user, mechanism, "client selected an invalid SASL authentication mechanism");
    if (*len < 0)
        co_return co_await auth_violation(user, mechanism,
                                          "SASLInitialResponse without the client-first message");
    auto data = r.bytes(static_cast<size_t>(*len));
    if (!data || !r.at_end())
        co_return co_await auth_violation(user, mechanism, "malformed SASLInitialResponse");

    const auto& users = _state->options().auth.users;
    security::credential_lookup lookup = users;
    if (!lookup)
        lookup = [](const std::string&, security::scram_mechanism) {
            return std::optional<security::scram_credential>();
        };
    security::scram_server scram(security::scram_mechanism::sha256, std::move(lookup));
    scram.set_user(user);
    auto server_first = scram.step(*data);
    if (!server_first.ok())
        co_return co_await refuse_login(user, mechanism, server_first.err().message);
    write_auth_request(_w, k_auth_sasl_continue, server_first.value());
    co_await flush();
    if (_closed) co_return false;

    auto final_msg = co_await read_auth_message(user, mechanism);
    if (!final_msg) co_return false;
    auto server_final = scram.step(final_msg->body);
    if (!server_final.ok())
        co_return co_await refuse_login(user, mechanism, server_final.err().message);
    write_auth_request(_w, k_auth_sasl_final, server_final.value());
    audit_login(user, mechanism, true, "");
    co_return true;
}

}  // namespace spate::pgwire
