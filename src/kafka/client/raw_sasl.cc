// raw_connection's SASL client: SaslHandshake v1, then SaslAuthenticate
// rounds carrying PLAIN (RFC 4616) or SCRAM (security/scram.h's client);
// again before a request once the session nears its lifetime (KIP-368).

#include <chrono>
#include <random>

#include "kafka/client/error.h"
#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/sasl_authenticate_request.h"
#include "kafka/protocol/generated/sasl_authenticate_response.h"
#include "kafka/protocol/generated/sasl_handshake_request.h"
#include "kafka/protocol/generated/sasl_handshake_response.h"
#include "security/scram.h"

namespace spate::kafka::client {

namespace {

namespace proto = kafka::protocol;

std::string text_of(const std::vector<std::byte>& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::vector<std::byte> bytes_of(const std::string& s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

// Uniform in [0, 1): where in its 10% window a session re-authenticates.
double jitter() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "none" : out;
}

}  // namespace

std::chrono::milliseconds reauthentication_delay(int64_t session_lifetime_ms, double jitter) {
    // Kafka's Java client: 85% of the lifetime (network latency, clock
    // drift) plus up to 10% at random (channels opened together do not all
    // re-authenticate at once).
    return std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(session_lifetime_ms) * (0.85 + 0.10 * jitter)));
}

result<std::string> raw_connection::sasl_round(const std::string& token, int16_t version) {
    proto::sasl_authenticate_request req;
    req.auth_bytes = bytes_of(token);
    auto r = call<proto::sasl_authenticate_response>(req, version);
    SPATE_TRY(r);
    if (r->error_code != 0) {
        error e = kafka_error(r->error_code);
        return make_error(errc::invalid_argument, r->error_message && !r->error_message->empty()
                                                      ? *r->error_message
                                                      : e.message);
    }
    _session_lifetime_ms = r->session_lifetime_ms;
    return text_of(r->auth_bytes);
}

status raw_connection::reauthenticate_if_due() {
    if (!_reauth_at || std::chrono::steady_clock::now() < *_reauth_at) return {};
    return authenticate();
}

status raw_connection::authenticate() {
    _reauth_at.reset();  // the exchange's own requests never re-authenticate
    _session_lifetime_ms = 0;
    const std::string mech = sasl_mechanism_name(_config.sasl_mechanism);
    auto hv = version<proto::sasl_handshake_request>("SaslHandshake v1", 1);
    SPATE_TRY(hv);
    proto::sasl_handshake_request hs;
    hs.mechanism = mech;
    auto hr = call<proto::sasl_handshake_response>(hs, *hv);
    SPATE_TRY(hr);
    if (hr->error_code != 0) {
        return make_error(errc::unsupported, "the broker at " + _address +
                                                 " does not accept SASL mechanism " + mech +
                                                 " (enabled: " + joined(hr->mechanisms) + ")");
    }
    auto av = version<proto::sasl_authenticate_request>("SaslAuthenticate");
    SPATE_TRY(av);
    SPATE_TRY(sasl_exchange(mech, *av));
    ++_authentications;
    if (_session_lifetime_ms > 0)
        _reauth_at = std::chrono::steady_clock::now() +
                     reauthentication_delay(_session_lifetime_ms, jitter());
    return {};
}

status raw_connection::sasl_exchange(const std::string& mech, int16_t version) {
    const std::string& user = _config.sasl_username;
    auto refused = [&](const error& e) {
        // A broker may close the connection instead of answering a failed login.
        return make_error(e.code == errc::io_error ? errc::invalid_argument : e.code,
                          "authentication failed at " + _address + " (user '" + user + "', " +
                              mech + "): " + e.message);
    };
    if (_config.sasl_mechanism == sasl_mechanism::plain) {
        std::string token = std::string(1, '\0') + user + '\0' + _config.sasl_password;
        auto r = sasl_round(token, version);
        return r.ok() ? status{} : status(refused(r.err()));
    }
    security::scram_client scram(_config.sasl_mechanism == sasl_mechanism::scram_sha_256
                                     ? security::scram_mechanism::sha256
                                     : security::scram_mechanism::sha512,
                                 user, _config.sasl_password);
    auto server_first = sasl_round(scram.first(), version);
    if (!server_first.ok()) return refused(server_first.err());
    auto client_final = scram.final(*server_first);
    if (!client_final.ok()) return refused(client_final.err());
    auto server_final = sasl_round(*client_final, version);
    if (!server_final.ok()) return refused(server_final.err());
    if (auto s = scram.verify(*server_final); !s.ok()) return refused(s.err());
    return {};
}

}  // namespace spate::kafka::client
