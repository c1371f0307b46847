// libFuzzer target: the server side of SASL on a Kafka connection, as
// broker/connection.cc and the SaslHandshake / SaslAuthenticate handlers
// drive broker::connection_auth (and through it security::sasl_session,
// scram_server and PLAIN), without a socket.
//
// Input: one byte choosing the listener (SASL or not, enabled mechanisms,
// re-authentication), then steps [op][length: 2 bytes, big-endian][payload]:
//   frame   a frame body as the connection reads it: a Kafka request, or a
//           raw token after SaslHandshake v0;
//   token   bytes straight to connection_auth::step (SaslAuthenticate's);
//   first   a well-formed SCRAM client-first (payload[0]: user, mechanism,
//           right or wrong password) from security::scram_client;
//   final   that client's client-final for the last server token, with the
//           payload appended;
//   plain   a well-formed PLAIN token (payload[0]: user, right or wrong
//           password);
//   wait    advances the clock by the payload's first two bytes (ms).
// A step the connection would answer by closing ends the input.
//
// Besides "no crash, no sanitizer report": the connection is authenticated
// only as a user whose right password was sent, never as a wrong password's
// user, and re-authentication never changes the principal.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/log.h"
#include "broker/connection_auth.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/message.h"
#include "security/credential_store.h"
#include "security/scram.h"
#include "served_apis.h"

namespace {

namespace proto = spate::kafka::protocol;
namespace sec = spate::security;
using spate::broker::connection_auth;

struct user {
    const char* name;
    const char* password;
};
// alice has both SCRAM credentials, bob only SHA-512, mallory none (her
// "right" password proves nothing).
constexpr user k_users[] = {{"alice", "alice-pw"}, {"bob", "bob-pw"}, {"mallory", "mallory-pw"}};

const sec::credential_store& users() {
    static const sec::credential_store* store = [] {
        auto* s = new sec::credential_store;  // lives as long as the process
        auto add = [s](const user& u, sec::scram_mechanism m) {
            s->upsert(
                u.name,
                sec::make_scram_credential(m, u.password, "", sec::k_scram_min_iterations).value());
        };
        add(k_users[0], sec::scram_mechanism::sha256);
        add(k_users[0], sec::scram_mechanism::sha512);
        add(k_users[1], sec::scram_mechanism::sha512);
        return s;
    }();
    return *store;
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "sasl_fuzz: %s\n", what.c_str());
    std::abort();
}

// step()'s `right_user` for tokens made by the fuzzer.
constexpr const char* k_fuzzed = "<fuzzed>";

enum class op : uint8_t { frame, token, first, final, plain, wait, count };

class connection {
  public:
    explicit connection(uint8_t config) {
        _sec.name = "FUZZ";
        _sec.protocol = config & 1 ? spate::broker::security_protocol::sasl_ssl
                                   : spate::broker::security_protocol::ssl;
        const char* all[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
        for (int i = 0; i < 3; ++i)
            if (config & (2 << i)) _sec.mechanisms.emplace_back(all[i]);
        _sec.max_reauth_ms = config & 16 ? 1000 : 0;
        _sec.failed_delay_ms = 0;
        _sec.users = &users();
        _info.listener = "FUZZ";
        _info.peer_address = "127.0.0.1";
        _auth.emplace(&_sec, _info);
    }

    // false: the connection would be closed.
    bool run(op o, std::string_view payload) {
        switch (o) {
            case op::frame:
                return frame(payload);
            case op::token:
                return step(payload, k_fuzzed);
            case op::first: {
                const uint8_t b = payload.empty() ? 0 : uint8_t(payload[0]);
                const user& u = k_users[b % 3];
                const bool right = (b & 4) == 0;
                _client.emplace(b & 8 ? sec::scram_mechanism::sha512 : sec::scram_mechanism::sha256,
                                u.name, right ? u.password : "wrong");
                _client_user = right && b % 3 != 2 ? u.name : nullptr;
                return step(_client->first(), nullptr);
            }
            case op::final: {
                if (!_client) return true;
                auto f = _client->final(_last_token);
                if (!f.ok()) return true;  // the server token was no server-first
                return step(*f + std::string(payload), _client_user);
            }
            case op::plain: {
                const uint8_t b = payload.empty() ? 0 : uint8_t(payload[0]);
                const user& u = k_users[b % 3];
                const bool right = (b & 4) == 0;
                std::string t =
                    std::string(1, '\0') + u.name + '\0' + (right ? u.password : "wrong");
                return step(t, right && b % 3 != 2 ? u.name : nullptr);
            }
            case op::wait: {
                int ms = payload.size() >= 2 ? (uint8_t(payload[0]) << 8) | uint8_t(payload[1]) : 1;
                _now += std::chrono::milliseconds(ms);
                return true;
            }
            case op::count:
                break;
        }
        return false;
    }

  private:
    // As connection::read_loop and the SASL handlers.
    bool frame(std::string_view bytes) {
        if (_auth->sasl() && !_auth->authenticated() &&
            bytes.size() > connection_auth::k_max_unauthenticated_frame)
            return false;
        if (_auth->raw_tokens()) return step(bytes, k_fuzzed);
        const std::span<const std::byte> f(reinterpret_cast<const std::byte*>(bytes.data()),
                                           bytes.size());
        if (f.size() < 8) return false;
        auto h = proto::parse_request_header(f);
        if (!h.ok() || !served(h->api_key)) return false;
        const auto key = static_cast<proto::api_key>(h->api_key);
        if (!_auth->admits(key, _now)) return false;
        const auto body = f.subspan(h->header_size);
        const int16_t v = h->api_version;
        if (key == proto::api_key::sasl_handshake) {
            auto req = proto::decode_request_body<proto::sasl_handshake_request>(body, v);
            if (!req.ok()) return false;
            (void)_auth->handshake(req->mechanism, v);
            (void)_auth->mechanisms();
            return true;
        }
        if (key == proto::api_key::sasl_authenticate) {
            auto req = proto::decode_request_body<proto::sasl_authenticate_request>(body, v);
            if (!req.ok() || !_auth->sasl()) return false;
            return step(
                {reinterpret_cast<const char*>(req->auth_bytes.data()), req->auth_bytes.size()},
                k_fuzzed);
        }
        return true;  // another admitted API: its handler would run
    }

    static bool served(int16_t key) {
        switch (static_cast<proto::api_key>(key)) {
#define SPATE_FUZZ_SERVED_API(name) case proto::api_key::name:
            SPATE_FUZZ_SERVED_APIS
#undef SPATE_FUZZ_SERVED_API
            return true;
            default:
                return false;
        }
    }

    // `right_user`: the user whose right password this token proves (may
    // authenticate); nullptr: no right password (must not authenticate);
    // k_fuzzed: fuzzer bytes, which may authenticate only as a user whose
    // password they contain (PLAIN; a SCRAM proof cannot be guessed).
    bool step(std::string_view token, const char* right_user) {
        if (right_user == k_fuzzed) {
            right_user = nullptr;
            for (int i = 0; i < 2; ++i)  // alice, bob
                if (token.find(k_users[i].password) != token.npos) right_user = k_users[i].name;
            // Both passwords: either may authenticate (PLAIN takes the user named).
            if (token.find(k_users[0].password) != token.npos &&
                token.find(k_users[1].password) != token.npos)
                right_user = k_fuzzed;
        }
        const bool was = _auth->authenticated();
        const std::string before = _info.user.to_string();
        auto out = _auth->step(token, _now);
        if (!out.ok()) return false;
        _last_token = *out;
        if (!_auth->authenticated()) return true;
        (void)_auth->session_lifetime_ms(_now);
        const std::string now = _info.user.to_string();
        if (!was) {
            if (right_user == nullptr)
                fail("authenticated as " + now + " without a right password");
            if (right_user != k_fuzzed && now != std::string("User:") + right_user)
                fail("authenticated as " + now + " with " + right_user + "'s password");
        } else if (now != before) {
            fail("re-authentication changed the principal from " + before + " to " + now);
        }
        return true;
    }

    spate::broker::listener_security _sec;
    spate::net::connection_info _info;
    std::optional<connection_auth> _auth;
    connection_auth::clock::time_point _now{};
    std::optional<sec::scram_client> _client;
    const char* _client_user = nullptr;
    std::string _last_token;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)spate::logging::configure("off", spate::logging::format::text);
    (void)users();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    connection c(data[0]);
    size_t i = 1;
    while (i + 3 <= size) {
        const auto o = static_cast<op>(data[i] % static_cast<uint8_t>(op::count));
        size_t n = (size_t(data[i + 1]) << 8) | data[i + 2];
        i += 3;
        n = std::min(n, size - i);
        if (!c.run(o, {reinterpret_cast<const char*>(data + i), n})) break;
        i += n;
    }
    return 0;
}
