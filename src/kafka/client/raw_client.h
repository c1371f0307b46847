#pragma once

// A small blocking Kafka protocol client for the admin requests librdkafka
// 2.0 lacks (ListTransactions, DescribeTransactions, IncrementalAlterConfigs,
// the ACL and SCRAM credential APIs): one connection to one broker, TLS and
// SASL (PLAIN, SCRAM-SHA-256/512; SaslHandshake v1 + SaslAuthenticate) as
// the client config's security settings say, ApiVersions on open, then one
// request at a time framed and decoded with kafka/protocol's generated codecs.
//
// Re-authentication (KIP-368): when the broker's last SaslAuthenticate (v1+)
// gave a session lifetime (connections.max.reauth.ms), the connection
// authenticates again, with the same credentials, before the first request
// it sends once a random 85–95% of that lifetime has passed (as Kafka's Java
// client), so a broker that closes expired sessions never sees one; an idle
// connection re-authenticates at its next request. A refused
// re-authentication fails that request (errc::invalid_argument).
//
// Threading: a connection is used by one thread at a time. With TLS, the
// process must ignore SIGPIPE (OpenSSL writes with write(2)).
// Errors: every call is bounded by the connection's timeout (errc::timed_out);
// socket and TLS failures are errc::io_error naming the broker's address; a
// refused login is errc::invalid_argument naming the user and mechanism; an
// interrupted wait (a signal) fails the call. Kafka error codes inside
// responses are left to the caller (see error.h to turn them into errors).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/wire.h"

namespace spate::kafka::client {

namespace detail {
class raw_transport;
}

struct host_port {
    std::string host;
    uint16_t port = 0;
    bool operator==(const host_port&) const = default;
};

// "HOST:PORT[,HOST:PORT]..." as bootstrap.servers takes it; an IPv6 host is
// written in brackets ("[::1]:9092"). Spaces around entries are ignored; an
// empty entry, a missing host or port, or a port outside 1..65535 is
// errc::invalid_argument.
result<std::vector<host_port>> parse_bootstrap(const std::string& s);

// "host:port", "[v6]:port".
std::string address_text(const host_port& hp);

// When to re-authenticate a session of `session_lifetime_ms`, after its
// authentication: 85% of the lifetime plus `jitter` (in [0, 1)) times 10%.
std::chrono::milliseconds reauthentication_delay(int64_t session_lifetime_ms, double jitter);

class raw_connection {
  public:
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    ~raw_connection();

    // Connects to `hp` (within 5 s; TLS and SASL as `config` says) and reads
    // the broker's API versions.
    static result<std::unique_ptr<raw_connection>> open(const host_port& hp,
                                                        const client_config& config);
    // The first address of config.bootstrap that accepts a connection.
    static result<std::unique_ptr<raw_connection>> open_bootstrap(const client_config& config);

    const std::string& address() const { return _address; }
    // SASL authentications so far, the first included.
    int authentications() const { return _authentications; }
    // When the next request re-authenticates first (nullopt: the session
    // does not expire, or no SASL).
    std::optional<std::chrono::steady_clock::time_point> reauthentication_due() const {
        return _reauth_at;
    }

    // The highest version of `Request` both the codec and the broker support;
    // errc::unsupported naming `what` when there is none at or above `min_wanted`.
    template <typename Request>
    result<int16_t> version(const char* what, int16_t min_wanted = Request::k_min_version) const {
        return pick_version(static_cast<int16_t>(Request::k_api_key), Request::k_min_version,
                            Request::k_max_version, min_wanted, what);
    }

    // Sends `req` as `version` and decodes the answer (trailing bytes, from
    // fields newer than the codec, are ignored).
    template <typename Response, typename Request>
    result<Response> call(const Request& req, int16_t version) {
        auto id = send(req, version);
        SPATE_TRY(id);
        return receive<Response>(*id, static_cast<int16_t>(Request::k_api_key), version);
    }

    // Pipelining: send() writes a request without waiting for its answer and
    // returns its correlation id; receive() reads the next answer, which must
    // be the one to `id` (a broker answers a connection's requests in
    // order), so answers are received in the order their requests were
    // sent. Re-authentication runs only when no request is outstanding.
    template <typename Request>
    result<int32_t> send(const Request& req, int16_t version) {
        if (_outstanding == 0) SPATE_TRY(reauthenticate_if_due());
        std::vector<std::byte> out;
        const int32_t id = _next_id++;
        protocol::append_request_frame(out, id, _client_id, version, req);
        SPATE_TRY(write_frame(out, static_cast<int16_t>(Request::k_api_key)));
        ++_outstanding;
        return id;
    }
    template <typename Response>
    result<Response> receive(int32_t id, int16_t api, int16_t version) {
        auto body = read_answer(api, version, id);
        SPATE_TRY(body);
        protocol::reader r(std::span<const std::byte>(body->first).subspan(body->second));
        Response resp;
        if (auto s = resp.decode(r, version); !s.ok()) return decode_error(api, s.err());
        return resp;
    }

  private:
    raw_connection(host_port hp, const client_config& config);
    // SaslHandshake and SaslAuthenticate with the config's mechanism and
    // user; sets when to re-authenticate from the session lifetime.
    status authenticate();
    status sasl_exchange(const std::string& mech, int16_t version);
    // Authenticates again when the session's re-authentication time passed.
    status reauthenticate_if_due();
    // One SaslAuthenticate round: the server's answer to `token`.
    result<std::string> sasl_round(const std::string& token, int16_t version);
    result<int16_t> pick_version(int16_t api, int16_t codec_min, int16_t codec_max,
                                 int16_t min_wanted, const char* what) const;
    status write_frame(const std::vector<std::byte>& frame, int16_t api);
    // Reads the next answer, which must be to correlation id `id`: the frame
    // and the offset of the message after the response header.
    result<std::pair<std::vector<std::byte>, size_t>> read_answer(int16_t api, int16_t version,
                                                                  int32_t id);
    error decode_error(int16_t api, const error& e) const;
    struct io;

    host_port _hp;
    client_config _config;  // the SASL mechanism and credentials, for re-authentication
    std::string _address;
    std::optional<std::string> _client_id;
    int _timeout_ms;
    std::unique_ptr<detail::raw_transport> _transport;
    int32_t _next_id = 1;
    int _outstanding = 0;                                      // requests sent and not yet received
    std::map<int16_t, std::pair<int16_t, int16_t>> _versions;  // api key → [min, max]
    int _authentications = 0;
    int64_t _session_lifetime_ms = 0;  // of the last SaslAuthenticate answer
    std::optional<std::chrono::steady_clock::time_point> _reauth_at;
};

}  // namespace spate::kafka::client
