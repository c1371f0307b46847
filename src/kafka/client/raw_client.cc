#include "kafka/client/raw_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "kafka/client/error.h"
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

int remaining_ms(steady::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
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

// Socket I/O of one call, bounded by a deadline.
struct raw_connection::io {
    raw_connection& c;
    steady::time_point deadline;
    std::string what;

    error failed(const std::string& msg) const { return make_error(errc::io_error, msg); }

    status wait(short events) {
        pollfd p{c._fd, events, 0};
        int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return {};
        if (rc == 0)
            return make_error(errc::timed_out, "no answer to " + what + " from " + c._address);
        if (errno == EINTR) return failed("interrupted");
        return failed(what + " to " + c._address + ": " + std::strerror(errno));
    }

    status write_all(const std::vector<std::byte>& bytes) {
        size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(c._fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += static_cast<size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                SPATE_TRY(wait(POLLOUT));
            } else if (n < 0 && errno != EINTR) {
                return failed(what + " to " + c._address + ": " + std::strerror(errno));
            }
        }
        return {};
    }

    status read_exact(std::byte* dst, size_t len) {
        size_t off = 0;
        while (off < len) {
            ssize_t n = ::recv(c._fd, dst + off, len - off, 0);
            if (n > 0) {
                off += static_cast<size_t>(n);
            } else if (n == 0) {
                return failed("the broker at " + c._address + " closed the connection (" + what +
                              " not understood?)");
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                SPATE_TRY(wait(POLLIN));
            } else if (errno != EINTR) {
                return failed(what + " from " + c._address + ": " + std::strerror(errno));
            }
        }
        return {};
    }

    result<std::vector<std::byte>> read_frame() {
        std::byte prefix[proto::k_frame_size_prefix];
        SPATE_TRY(read_exact(prefix, sizeof prefix));
        auto size = proto::frame_size(prefix, k_max_response_frame);
        if (!size.ok()) return failed(what + " from " + c._address + ": " + size.err().message);
        std::vector<std::byte> body(*size);
        SPATE_TRY(read_exact(body.data(), body.size()));
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
    , _address(address_text(_hp))
    , _client_id(config.client_id)
    , _timeout_ms(config.timeout_ms) {}

raw_connection::~raw_connection() {
    if (_fd >= 0) ::close(_fd);
}

result<std::unique_ptr<raw_connection>> raw_connection::open(const host_port& hp,
                                                             const client_config& config) {
    std::unique_ptr<raw_connection> c(new raw_connection(hp, config));
    SPATE_TRY(c->connect());
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

status raw_connection::connect() {
    auto unreachable = [&](const std::string& why) {
        return make_error(errc::io_error, "cannot reach the broker at " + _address + " (" + why +
                                              "); is a broker listening at the bootstrap "
                                              "address?");
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(_hp.port);
    if (int rc = ::getaddrinfo(_hp.host.c_str(), port.c_str(), &hints, &res); rc != 0)
        return unreachable(::gai_strerror(rc));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(res, ::freeaddrinfo);
    std::string last = "no address";
    auto deadline = steady::now() + std::chrono::milliseconds(k_connect_timeout_ms);
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ai->ai_protocol);
        if (fd < 0) {
            last = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, remaining_ms(deadline));
            int err = 0;
            socklen_t len = sizeof err;
            if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
                rc = err == 0 ? 0 : -1;
                errno = err;
            } else {
                if (rc == 0) errno = ETIMEDOUT;
                rc = -1;
            }
        }
        if (rc == 0) {
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            _fd = fd;
            return {};
        }
        last = std::strerror(errno);
        ::close(fd);
    }
    return unreachable(last);
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

result<std::pair<std::vector<std::byte>, size_t>> raw_connection::round_trip(
    const std::vector<std::byte>& frame, int16_t api, int16_t version, int32_t id) {
    io call{*this, steady::now() + std::chrono::milliseconds(_timeout_ms), api_name(api)};
    SPATE_TRY(call.write_all(frame));
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
