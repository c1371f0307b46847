#pragma once

// A listener: one TCP acceptor on HOST:PORT, an optional TLS context, limits,
// and the connection factory of the protocol it serves. Kafka, PostgreSQL
// wire and HTTP each plug in their own factory; accepting, TLS handshakes,
// connection limits, tracking and shutdown are the same for all.
//
// As a service: start() binds (port 0 picks a free port: see port()) and
// starts accepting on the runtime; a bind failure names the listener's flag
// ("--kafka-listen 127.0.0.1:9092: address already in use"). stop() closes the
// acceptor, stops every open connection and waits (up to a short deadline)
// for them to go; the runtime must still be running then.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/connection_info.h"
#include "net/service.h"
#include "net/stream.h"

namespace spate::net {

// A protocol connection the listener tracks. start() is called once after
// the factory returns it; stop() may be called from any thread, any number
// of times, and must eventually release the connection's resources.
class connection {
  public:
    virtual ~connection() = default;
    virtual void start() = 0;
    virtual void stop() = 0;
};

// Makes the protocol connection for an accepted (and, with TLS, handshaken)
// stream. Runs on the stream's strand. May return nullptr to refuse it.
using connection_factory =
    std::function<std::shared_ptr<connection>(stream s, connection_info info)>;

struct listener_options {
    std::string name;  // "kafka", "pgwire", "http", ...
    std::string flag;  // the option that set the address, named in errors
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    // TLS: nullptr serves plaintext.
    std::shared_ptr<boost::asio::ssl::context> tls;
    // When set, asked at each accept for the TLS context (certificate
    // reload); `tls` is then ignored.
    std::function<std::shared_ptr<boost::asio::ssl::context>()> tls_source;
    // Connections beyond this many are closed at accept; 0: no limit.
    size_t max_connections = 0;
    // A TLS handshake not done in this time closes the connection.
    int tls_handshake_timeout_ms = 10000;
    // Called (on the connection's strand) when a TLS handshake fails, with
    // the peer and OpenSSL's reason: a refused client certificate is a failed
    // authentication the protocol may audit.
    std::function<void(const connection_info& peer, const std::string& why)> on_tls_failure;
};

class listener final : public service {
  public:
    listener(listener_options opts, connection_factory factory);
    ~listener() override;

    std::string_view name() const override { return _service_name; }
    status start(runtime& rt) override;
    void stop() override;

    // The bound port (the chosen one when the option asked for port 0);
    // valid after start().
    uint16_t port() const { return _port; }
    const listener_options& options() const { return _opts; }
    size_t connection_count();

  private:
    void on_accepted(boost::asio::ip::tcp::socket sock);
    void hand_over(stream s);
    void track(const std::shared_ptr<connection>& c);

    listener_options _opts;
    connection_factory _factory;
    std::string _service_name;
    runtime* _rt = nullptr;
    std::shared_ptr<boost::asio::ip::tcp::acceptor> _acceptor;
    uint16_t _port = 0;
    std::mutex _mu;  // guards _connections, _stopped
    std::vector<std::weak_ptr<connection>> _connections;
    bool _stopped = false;
};

// Parses a listener flag's value: "HOST:PORT" (HOST may be empty for all
// interfaces, or a bracketed IPv6 literal) or "off" (returns nullopt).
// errc::invalid_argument names `flag`.
result<std::optional<std::pair<std::string, uint16_t>>> parse_listen_address(
    const std::string& flag, const std::string& value);

}  // namespace spate::net
