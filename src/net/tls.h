#pragma once

// Server TLS contexts from PEM files, as Kafka's ssl.keystore.* /
// ssl.truststore.* / ssl.client.auth configure them: TLS 1.2 and 1.3 only;
// the keystore holds the certificate chain and the private key in one PEM
// file; with a truststore, client certificates are verified against it
// (`requested`: asked for, `required`: a handshake without one fails).

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "base/result.h"

namespace spate::net {

enum class client_auth { none, requested, required };

struct tls_server_files {
    std::string keystore_pem;    // certificate chain + private key
    std::string truststore_pem;  // CA certificates; empty: none
    client_auth auth = client_auth::none;
};

// Errors name the file and what OpenSSL refused (unreadable file, no
// certificate, no key, key not matching the certificate).
result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const tls_server_files& files);

// A server context that follows its PEM files: current() (called at each
// accept) compares the files' modification times with those it was built
// from and rebuilds the context when they changed, so replaced certificates
// serve new connections without a restart. A rebuild that fails (a file
// half-written, a key not matching) is logged and the previous context kept.
// Thread-safe.
class tls_context_source {
  public:
    static result<std::shared_ptr<tls_context_source>> open(tls_server_files files);
    std::shared_ptr<boost::asio::ssl::context> current();

  private:
    tls_context_source(tls_server_files files, std::shared_ptr<boost::asio::ssl::context> ctx);
    std::string stamp() const;

    const tls_server_files _files;
    std::mutex _mu;  // guards the two below
    std::shared_ptr<boost::asio::ssl::context> _ctx;
    std::string _stamp;  // the files' mtimes and sizes when _ctx was built
};

}  // namespace spate::net
