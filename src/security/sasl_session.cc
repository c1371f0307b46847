#include "security/sasl_session.h"

#include <algorithm>

#include "security/sasl_plain.h"

namespace spate::security {

sasl_session::sasl_session(const credential_store& users, std::vector<std::string> enabled)
    : _users(users), _enabled(std::move(enabled)) {}

status sasl_session::select(std::string_view mechanism) {
    if (!_mechanism.empty()) return make_error(errc::invalid_argument, "mechanism already chosen");
    if (std::find(_enabled.begin(), _enabled.end(), mechanism) == _enabled.end())
        return make_error(errc::unsupported,
                          "SASL mechanism " + std::string(mechanism) + " is not enabled");
    _mechanism = std::string(mechanism);
    if (auto m = parse_scram_mechanism(mechanism))
        _scram = std::make_unique<scram_server>(*m, _users.lookup());
    return {};
}

result<std::string> sasl_session::fail(std::string reason) {
    _ended = true;
    _failure = std::move(reason);
    return make_error(errc::invalid_argument, std::string(k_authentication_failed));
}

result<std::string> sasl_session::step(std::string_view token) {
    if (_ended || complete()) return fail("authentication already ended");
    if (_mechanism.empty()) return fail("no mechanism chosen");
    if (_mechanism == "PLAIN") {
        auto c = parse_plain(token);
        if (!c.ok()) return fail(c.err().message);
        _attempted_user = c->user;
        if (!_users.check_password(c->user, c->password))
            return fail("PLAIN: unknown user or wrong password");
        _principal = "User:" + c->user;
        return std::string();
    }
    auto out = _scram->step(token);
    if (!out.ok()) {
        if (_attempted_user.empty()) _attempted_user = _scram->user();
        return fail(out.err().message);
    }
    if (_attempted_user.empty()) _attempted_user = _scram->user();
    if (_scram->complete()) _principal = "User:" + _scram->user();
    return out;
}

}  // namespace spate::security
