#include "kafka/client/raw_transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kafka/client/raw_client.h"

namespace spate::kafka::client::detail {

namespace {

int ms_until(raw_transport::clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                      raw_transport::clock::now())
                    .count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// OpenSSL's queued errors as text (emptying the queue); `fallback` if none.
std::string openssl_errors(const std::string& fallback) {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += (out.empty() ? "" : "; ") + std::string(buf);
    }
    return out.empty() ? fallback : out;
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Connects a non-blocking socket to one resolved address within `deadline`;
// -1 with errno set on failure.
int connect_one(const addrinfo* ai, raw_transport::clock::time_point deadline) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return -1;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, ms_until(deadline));
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
        return fd;
    }
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
}

// Reads: a socket BIO with read-ahead into a large record buffer (one
// `recv` for every record that has arrived). Writes: records gather in a
// buffer BIO and reach the socket a buffer at a time, not one `send` per
// 16 KiB record; write_all flushes it.
bool attach_bios(SSL* ssl, int fd) {
    constexpr int k_buffer_bytes = 256 * 1024;
    BIO* in = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO* out_socket = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO* out = BIO_new(BIO_f_buffer());
    if (!in || !out_socket || !out || BIO_set_write_buffer_size(out, k_buffer_bytes) != 1) {
        BIO_free(in);
        BIO_free(out_socket);
        BIO_free(out);
        return false;
    }
    SSL_set_bio(ssl, in, BIO_push(out, out_socket));
    SSL_set_read_ahead(ssl, 1);
    SSL_set_default_read_buffer_len(ssl, k_buffer_bytes);
    return true;
}

}  // namespace

result<std::unique_ptr<raw_transport>> raw_transport::connect(const host_port& hp,
                                                              const client_config& config,
                                                              clock::time_point deadline) {
    const std::string address = address_text(hp);
    auto unreachable = [&](const std::string& why) {
        return make_error(errc::io_error, "cannot reach the broker at " + address + " (" + why +
                                              "); is a broker listening at the bootstrap "
                                              "address?");
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(hp.port);
    if (int rc = ::getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &res); rc != 0)
        return unreachable(::gai_strerror(rc));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(res, ::freeaddrinfo);
    std::string last = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        int fd = connect_one(ai, deadline);
        if (fd < 0) {
            last = std::strerror(errno);
            continue;
        }
        std::unique_ptr<raw_transport> t(new raw_transport(fd, address));
        if (uses_tls(config.security_protocol)) SPATE_TRY(t->start_tls(hp.host, config, deadline));
        return t;
    }
    return unreachable(last);
}

raw_transport::~raw_transport() {
    if (_ssl) {
        // A close_notify when the socket takes it at once; never waits.
        (void)SSL_shutdown(_ssl.get());
        _ssl.reset();
    }
    if (_fd >= 0) ::close(_fd);
}

error raw_transport::failed(const std::string& what, const std::string& why) const {
    return make_error(errc::io_error, what + " with " + _address + ": " + why);
}

status raw_transport::start_tls(const std::string& host, const client_config& config,
                                clock::time_point deadline) {
    ERR_clear_error();
    _ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (!_ctx) return failed("TLS", openssl_errors("cannot create a TLS context"));
    SSL_CTX* ctx = _ctx.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const std::string& ca = config.ssl_ca_location;
    std::error_code ec;
    int loaded = ca.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                 : std::filesystem::is_directory(ca, ec)
                     ? SSL_CTX_load_verify_locations(ctx, nullptr, ca.c_str())
                     : SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
    if (loaded != 1)
        return failed("TLS", "ssl.ca.location '" + ca + "': " + openssl_errors("not loaded"));
    if (!config.ssl_certificate_location.empty()) {
        const std::string& cert = config.ssl_certificate_location;
        const std::string& key = config.ssl_key_location;
        if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
            return failed(
                "TLS", "ssl.certificate.location '" + cert + "': " + openssl_errors("not loaded"));
        // OpenSSL's default passphrase callback reads the user data.
        std::string pass = config.ssl_key_password;
        SSL_CTX_set_default_passwd_cb_userdata(ctx, pass.empty() ? nullptr : pass.data());
        int ok = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
        SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
        if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1)
            return failed("TLS", "ssl.key.location '" + key + "': " + openssl_errors("not loaded"));
    }
    _ssl.reset(SSL_new(ctx));
    if (!_ssl || !attach_bios(_ssl.get(), _fd))
        return failed("TLS", openssl_errors("cannot create a TLS session"));
    SSL* ssl = _ssl.get();
    const bool ip = is_ip_literal(host);
    if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (config.ssl_verify_hostname) {
        int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())
                     : SSL_set1_host(ssl, host.c_str());
        if (set != 1) return failed("TLS", "cannot verify the name '" + host + "'");
    }
    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(ssl);
        if (rc == 1) return {};
        int e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            SPATE_TRY(wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "TLS handshake"));
            continue;
        }
        long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK)
            return failed("TLS handshake",
                          std::string("the broker's certificate does not verify (") +
                              X509_verify_cert_error_string(verify) + ")");
        std::string why = openssl_errors(e == SSL_ERROR_SYSCALL && errno != 0
                                             ? std::strerror(errno)
                                             : "the broker closed the connection");
        return failed("TLS handshake", why + " (is it a TLS listener?)");
    }
}

status raw_transport::wait(short events, clock::time_point deadline, const std::string& what) {
    pollfd p{_fd, events, 0};
    int rc = ::poll(&p, 1, ms_until(deadline));
    if (rc > 0) return {};
    if (rc == 0) return make_error(errc::timed_out, "no answer to " + what + " from " + _address);
    if (errno == EINTR) return make_error(errc::io_error, "interrupted");
    return failed(what, std::strerror(errno));
}

result<size_t> raw_transport::attempt(bool writing, std::byte* buf, size_t len, short& events,
                                      const std::string& what) {
    events = 0;
    if (!_ssl) {
        ssize_t n = writing ? ::send(_fd, buf, len, MSG_NOSIGNAL) : ::recv(_fd, buf, len, 0);
        if (n > 0) return static_cast<size_t>(n);
        if (n == 0)
            return make_error(errc::io_error, "the broker at " + _address +
                                                  " closed the connection (" + what +
                                                  " not understood?)");
        if (errno == EAGAIN || errno == EWOULDBLOCK) events = writing ? POLLOUT : POLLIN;
        if (events || errno == EINTR) return size_t{0};
        return failed(what, std::strerror(errno));
    }
    ERR_clear_error();
    const int want = static_cast<int>(std::min<size_t>(len, 1 << 30));
    int n = writing ? SSL_write(_ssl.get(), buf, want) : SSL_read(_ssl.get(), buf, want);
    if (n > 0) return static_cast<size_t>(n);
    int e = SSL_get_error(_ssl.get(), n);
    if (e == SSL_ERROR_WANT_READ) events = POLLIN;
    if (e == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events) return size_t{0};
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
        return make_error(errc::io_error, "the broker at " + _address + " closed the connection (" +
                                              what + " not understood?)");
    return failed(what, openssl_errors("TLS error"));
}

status raw_transport::write_all(const std::byte* data, size_t len, clock::time_point deadline,
                                const std::string& what) {
    size_t off = 0;
    while (off < len) {
        short events = 0;
        auto n = attempt(true, const_cast<std::byte*>(data + off), len - off, events, what);
        SPATE_TRY(n);
        off += *n;
        if (events) SPATE_TRY(wait(events, deadline, what));
    }
    if (!_ssl) return {};
    BIO* out = SSL_get_wbio(_ssl.get());
    while (BIO_flush(out) != 1) {
        if (!BIO_should_retry(out)) return failed(what, std::strerror(errno));
        SPATE_TRY(wait(POLLOUT, deadline, what));
    }
    return {};
}

status raw_transport::read_exact(std::byte* dst, size_t len, clock::time_point deadline,
                                 const std::string& what) {
    size_t off = 0;
    while (off < len) {
        short events = 0;
        auto n = attempt(false, dst + off, len - off, events, what);
        SPATE_TRY(n);
        off += *n;
        if (events) SPATE_TRY(wait(events, deadline, what));
    }
    return {};
}

}  // namespace spate::kafka::client::detail
