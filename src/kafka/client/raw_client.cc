#include "kafka/client/raw_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "kafka/client/error.h"
#include "kafka/client/raw_transport.h"
#include "kafka/protocol/generated/api_keys.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"

namespace spate::kafka::client {

namespace {

namespace proto = kafka::protocol;
using steady = std::chrono::steady_clock;

constexpr int k_connect_timeout_ms = 5000;
constexpr size_t k_max_response_frame = 100u << 20;

error bad(std::string msg) {
    return make_error(errc::invalid_argument, std::move(msg));
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::string api_name(int16_t api) {
    const proto::api_info* info = proto::find_api(api);
    return info ? std::string(info->name) : "API " + std::to_string(api);
}

// One bootstrap entry: "host:port" or "[v6]:port".
result<host_port> parse_entry(const std::string& entry) {
    host_port hp;
    size_t colon;
    if (entry[0] == '[') {
        size_t close = entry.find(']');
        if (close == std::string::npos || close + 1 >= entry.size() || entry[close + 1] != ':')
            return bad("--bootstrap: expected [HOST]:PORT, got '" + entry + "'");
        hp.host = entry.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = entry.rfind(':');
        if (colon == std::string::npos) return bad("--bootstrap: missing port in '" + entry + "'");
        hp.host = entry.substr(0, colon);
    }
    if (hp.host.empty()) return bad("--bootstrap: missing host in '" + entry + "'");
    std::string port = entry.substr(colon + 1);
    int v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || v < 1 ||
        v > 65535) {
        return bad("--bootstrap: bad port in '" + entry + "' (1..65535)");
    }
    hp.port = static_cast<uint16_t>(v);
    return hp;
}

}  // namespace

// Framed I/O of one call over the connection's transport, bounded by a deadline.
struct raw_connection::io {
    raw_connection& c;
    steady::time_point deadline;
    std::string what;

    error failed(const std::string& msg) const { return make_error(errc::io_error, msg); }

    status write_all(const std::vector<std::byte>& bytes) {
        return c._transport->write_all(bytes.data(), bytes.size(), deadline, what);
    }

    result<std::vector<std::byte>> read_frame() {
        std::byte prefix[proto::k_frame_size_prefix];
        SPATE_TRY(c._transport->read_exact(prefix, sizeof prefix, deadline, what));
        auto size = proto::frame_size(prefix, k_max_response_frame);
        if (!size.ok()) return failed(what + " from " + c._address + ": " + size.err().message);
        std::vector<std::byte> body(*size);
        SPATE_TRY(c._transport->read_exact(body.data(), body.size(), deadline, what));
        return body;
    }
};

result<std::vector<host_port>> parse_bootstrap(const std::string& s) {
    std::vector<host_port> out;
    size_t pos = 0;
    while (true) {
        size_t comma = s.find(',', pos);
        std::string entry = trim(s.substr(pos, comma == std::string::npos ? comma : comma - pos));
        if (entry.empty()) return bad("--bootstrap: empty address in '" + s + "'");
        auto hp = parse_entry(entry);
        SPATE_TRY(hp);
        out.push_back(std::move(*hp));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::string address_text(const host_port& hp) {
    return hp.host.find(':') != std::string::npos ? "[" + hp.host + "]:" + std::to_string(hp.port)
                                                  : hp.host + ":" + std::to_string(hp.port);
}

raw_connection::raw_connection(host_port hp, const client_config& config)
    : _hp(std::move(hp))
    , _config(config)
    , _address(address_text(_hp))
    , _client_id(config.client_id)
    , _timeout_ms(config.timeout_ms) {}

raw_connection::~raw_connection() = default;

result<std::unique_ptr<raw_connection>> raw_connection::open(const host_port& hp,
                                                             const client_config& config) {
    std::unique_ptr<raw_connection> c(new raw_connection(hp, config));
    auto t = detail::raw_transport::connect(
        hp, config, steady::now() + std::chrono::milliseconds(k_connect_timeout_ms));
    SPATE_TRY(t);
    c->_transport = std::move(*t);
    proto::api_versions_request req;
    auto resp = c->call<proto::api_versions_response>(req, 0);
    SPATE_TRY(resp);
    if (resp->error_code != 0) {
        error e = kafka_error(resp->error_code);
        e.message = "ApiVersions at " + c->address() + ": " + e.message;
        return e;
    }
    for (const auto& v : resp->api_keys)
        c->_versions[v.api_key] = {v.min_version, v.max_version};
    if (uses_sasl(config.security_protocol)) SPATE_TRY(c->authenticate());
    return c;
}

result<std::unique_ptr<raw_connection>> raw_connection::open_bootstrap(
    const client_config& config) {
    auto addrs = parse_bootstrap(config.bootstrap);
    SPATE_TRY(addrs);
    std::optional<error> first;
    for (const auto& hp : *addrs) {
        auto c = open(hp, config);
        if (c.ok()) return c;
        if (!first) first = c.err();
    }
    return *first;
}

result<int16_t> raw_connection::pick_version(int16_t api, int16_t codec_min, int16_t codec_max,
                                             int16_t min_wanted, const char* what) const {
    auto it = _versions.find(api);
    if (it != _versions.end()) {
        int16_t v = std::min(it->second.second, codec_max);
        if (v >= it->second.first && v >= min_wanted && v >= codec_min) return v;
    }
    return make_error(errc::unsupported, "the broker at " + _address + " does not support " + what +
                                             " (API " + std::to_string(api) + ")");
}

status raw_connection::write_frame(const std::vector<std::byte>& frame, int16_t api) {
    io call{*this, steady::now() + std::chrono::milliseconds(_timeout_ms), api_name(api)};
    return call.write_all(frame);
}

result<std::pair<std::vector<std::byte>, size_t>> raw_connection::read_answer(int16_t api,
                                                                              int16_t version,
                                                                              int32_t id) {
    io call{*this, steady::now() + std::chrono::milliseconds(_timeout_ms), api_name(api)};
    if (_outstanding > 0) --_outstanding;
    auto body = call.read_frame();
    SPATE_TRY(body);
    auto h = proto::parse_response_header(*body, api, version);
    if (!h.ok()) return call.failed(call.what + " from " + _address + ": " + h.err().message);
    if (h->correlation_id != id) {
        return call.failed(
            call.what + " from " + _address + ": response to another request (correlation id " +
            std::to_string(h->correlation_id) + ", want " + std::to_string(id) + ")");
    }
    return std::pair{std::move(*body), h->header_size};
}

error raw_connection::decode_error(int16_t api, const error& e) const {
    return make_error(errc::io_error, api_name(api) + " from " + _address + ": " + e.message);
}

}  // namespace spate::kafka::client
