#pragma once

// Internal to the module (not a public header): the byte stream under
// raw_connection: one TCP connection, with TLS (OpenSSL over the
// non-blocking socket) when the client config's security.protocol says so.
//
// Threading: one thread at a time. Errors: every call is bounded by its
// deadline (errc::timed_out naming `what`); socket and TLS failures are
// errc::io_error naming the broker's address and, for TLS, OpenSSL's reason
// (a certificate that does not verify, a broker that does not speak TLS).

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "kafka/client/config.h"

namespace spate::kafka::client {
struct host_port;
}

namespace spate::kafka::client::detail {

class raw_transport {
  public:
    using clock = std::chrono::steady_clock;

    // TCP to `hp` within `deadline`, then the TLS handshake (verifying the
    // broker's certificate against ssl_ca_location, or the system's CAs, and
    // its name against hp.host unless ssl_verify_hostname is off) when
    // uses_tls(config.security_protocol).
    static result<std::unique_ptr<raw_transport>> connect(const host_port& hp,
                                                          const client_config& config,
                                                          clock::time_point deadline);
    raw_transport(const raw_transport&) = delete;
    raw_transport& operator=(const raw_transport&) = delete;
    ~raw_transport();

    status write_all(const std::byte* data, size_t len, clock::time_point deadline,
                     const std::string& what);
    status read_exact(std::byte* dst, size_t len, clock::time_point deadline,
                      const std::string& what);

  private:
    raw_transport(int fd, std::string address) : _fd(fd), _address(std::move(address)) {}
    status start_tls(const std::string& host, const client_config& config,
                     clock::time_point deadline);
    status wait(short events, clock::time_point deadline, const std::string& what);
    // One read or write attempt: bytes moved, 0 when it must wait (events
    // set to what to wait for), or an error.
    result<size_t> attempt(bool writing, std::byte* buf, size_t len, short& events,
                           const std::string& what);
    error failed(const std::string& what, const std::string& why) const;

    struct ssl_ctx_deleter {
        void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
    };
    struct ssl_deleter {
        void operator()(SSL* s) const { SSL_free(s); }
    };

    int _fd = -1;
    std::string _address;
    std::unique_ptr<SSL_CTX, ssl_ctx_deleter> _ctx;
    std::unique_ptr<SSL, ssl_deleter> _ssl;  // unset: plain TCP
};

}  // namespace spate::kafka::client::detail
