#include "broker/connection_auth.h"

#include "base/log.h"

namespace spate::broker {

using kafka::protocol::api_key;

void audit_authentication(security::audit_log* audit, const net::connection_info& conn,
                          const std::string& principal, const std::string& mechanism, bool success,
                          const std::string& detail) {
    if (!audit) return;
    security::audit_event e;
    e.kind = security::audit_kind::authentication;
    e.success = success;
    e.principal = principal;
    e.host = conn.peer_address;
    e.listener = conn.listener;
    e.mechanism = mechanism;
    e.detail = detail;
    audit->record(e);
}

connection_auth::connection_auth(const listener_security* sec, net::connection_info& info)
    : _sec(sec), _info(info) {}

bool connection_auth::admits(api_key key, clock::time_point now) const {
    if (!sasl()) return true;
    const bool sasl_api = key == api_key::sasl_handshake || key == api_key::sasl_authenticate;
    if (!_authenticated) return sasl_api || key == api_key::api_versions;
    if (_expires && now >= *_expires) return sasl_api;
    return true;
}

const std::vector<std::string>& connection_auth::mechanisms() const {
    static const std::vector<std::string> none;
    return sasl() ? _sec->mechanisms : none;
}

int16_t connection_auth::handshake(std::string_view mechanism, int16_t version) {
    if (!sasl() || _session) return k_illegal_sasl_state;
    // v0 (raw tokens) only for the first authentication, as Kafka.
    if (version == 0 && _authenticated) return k_illegal_sasl_state;
    auto s = std::make_unique<security::sasl_session>(*_sec->users, _sec->mechanisms);
    if (!s->select(mechanism).ok()) return k_unsupported_sasl_mechanism;
    _session = std::move(s);
    _raw_tokens = version == 0;
    return 0;
}

result<std::string> connection_auth::step(std::string_view token, clock::time_point now) {
    auto& log = logging::get("security");
    if (!_session) {
        log.warn(
            "authentication failed: listener {} peer {}:{}: SaslAuthenticate without "
            "SaslHandshake",
            _info.listener, _info.peer_address, _info.peer_port);
        audit_authentication(_sec ? _sec->audit : nullptr, _info, "", "", false,
                             "SaslAuthenticate without SaslHandshake");
        return make_error(errc::invalid_argument, std::string(security::k_authentication_failed));
    }
    auto out = _session->step(token);
    std::string principal;
    if (out.ok() && _session->complete()) {
        principal = *_session->principal();
        if (_authenticated && principal != _info.user.to_string())
            out =
                make_error(errc::invalid_argument, std::string(security::k_authentication_failed));
    }
    if (!out.ok()) {
        std::string reason = _session->failure_reason();
        if (reason.empty()) reason = "re-authentication as another principal " + principal;
        log.warn("authentication failed: listener {} peer {}:{} user '{}' mechanism {}: {}",
                 _info.listener, _info.peer_address, _info.peer_port, _session->attempted_user(),
                 _session->mechanism(), reason);
        const std::string& tried = _session->attempted_user();
        audit_authentication(_sec->audit, _info, tried.empty() ? "" : "User:" + tried,
                             std::string(_session->mechanism()), false, reason);
        _session.reset();
        _raw_tokens = false;
        return out;
    }
    if (!_session->complete()) return out;
    log.info("authenticated: listener {} peer {}:{} as {} ({}){}", _info.listener,
             _info.peer_address, _info.peer_port, principal, _session->mechanism(),
             _authenticated ? " again" : "");
    audit_authentication(_sec->audit, _info, principal, std::string(_session->mechanism()), true,
                         _authenticated ? "re-authentication" : "");
    auto colon = principal.find(':');
    _info.user = {principal.substr(0, colon), principal.substr(colon + 1)};
    _authenticated = true;
    _raw_tokens = false;
    _session.reset();
    if (_sec->max_reauth_ms > 0) _expires = now + std::chrono::milliseconds(_sec->max_reauth_ms);
    return out;
}

int64_t connection_auth::session_lifetime_ms(clock::time_point now) const {
    if (!_expires) return 0;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*_expires - now).count();
    return left > 0 ? left : 1;
}

}  // namespace spate::broker
