#include "broker/tests/test_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "model/record_batch_builder.h"

namespace spate::broker::test {

namespace {
std::filesystem::path make_temp_dir() {
    static std::atomic<int> counter{0};
    auto p = std::filesystem::temp_directory_path() /
             ("spate-broker-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(p);
    return p;
}
}  // namespace

test_broker::test_broker(broker_config cfg) : _dir(make_temp_dir()), _config(std::move(cfg)) {
    _config.data_dir = _dir;
    _config.listen_host = "127.0.0.1";
    _config.listen_port = 0;
    _rt.start(_config.io_threads);
    _services = std::make_unique<net::service_set>(_rt);
    _storage = &_services->add(std::make_unique<storage_service>(_config));
    auto& coordinators = _services->add(std::make_unique<coordinator_service>(_config, *_storage));
    net::listener_options listen{.name = "kafka", .flag = "--kafka-listen", .host = "127.0.0.1"};
    _kafka =
        &_services->add(std::make_unique<kafka_service>(_config, *_storage, coordinators, listen));
    if (auto s = _services->start_all(); !s.ok()) throw std::runtime_error(s.err().to_string());
    _port = _kafka->port();
}

uint16_t test_broker::add_listener(const broker_config& limits) {
    const auto& l = _extra_limits.emplace_back(limits);
    net::listener_options opts{
        .name = "kafka-extra", .flag = "--kafka-listen", .host = "127.0.0.1"};
    auto& lis = _extra_listeners.emplace_back(
        std::make_unique<net::listener>(opts, kafka_connection_factory(deps(), l)));
    if (auto s = lis->start(_rt); !s.ok()) throw std::runtime_error(s.err().to_string());
    return lis->port();
}

test_broker::~test_broker() {
    for (auto& l : _extra_listeners)
        l->stop();
    _services->stop_all();
    _rt.stop();
    _services.reset();
    std::error_code ec;
    std::filesystem::remove_all(_dir, ec);
}

test_client::test_client(uint16_t port) {
    _fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

test_client::~test_client() {
    if (_fd >= 0) ::close(_fd);
}

void test_client::send_raw(const std::vector<std::byte>& bytes) {
    size_t at = 0;
    while (at < bytes.size()) {
        ssize_t n = ::send(_fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
        if (n <= 0) return;  // the broker may have closed on us: tests check that
        at += static_cast<size_t>(n);
    }
}

namespace {
bool read_exact(int fd, std::byte* p, size_t n, int timeout_ms) {
    size_t at = 0;
    while (at < n) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, timeout_ms) <= 0) return false;
        ssize_t r = ::recv(fd, p + at, n - at, 0);
        if (r <= 0) return false;
        at += static_cast<size_t>(r);
    }
    return true;
}
}  // namespace

std::optional<std::vector<std::byte>> test_client::read_frame(int timeout_ms) {
    std::byte prefix[4];
    if (!read_exact(_fd, prefix, 4, timeout_ms)) return std::nullopt;
    auto size = proto::frame_size(std::span<const std::byte>(prefix, 4), size_t{1} << 30);
    if (!size.ok()) return std::nullopt;
    std::vector<std::byte> body(*size);
    if (!read_exact(_fd, body.data(), body.size(), timeout_ms)) return std::nullopt;
    return body;
}

bool test_client::closed_by_peer(int timeout_ms) {
    for (;;) {
        pollfd pfd{_fd, POLLIN, 0};
        if (::poll(&pfd, 1, timeout_ms) <= 0) return false;
        std::byte buf[4096];
        ssize_t r = ::recv(_fd, buf, sizeof(buf), 0);
        if (r <= 0) return true;
    }
}

std::vector<std::byte> make_batch(int n, int64_t base_ts, const std::string& prefix) {
    model::record_batch_builder builder;
    for (int i = 0; i < n; ++i) {
        std::string v = prefix + std::to_string(i);
        builder.add(
            base_ts + i, std::nullopt,
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(v.data()), v.size()));
    }
    return builder.finish();
}

}  // namespace spate::broker::test
