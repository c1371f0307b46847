#pragma once

// Server TLS contexts from PEM files, as Kafka's ssl.keystore.* /
// ssl.truststore.* / ssl.client.auth / ssl.key.password /
// ssl.enabled.protocols / ssl.cipher.suites configure them: TLS 1.2 and 1.3
// only; the keystore holds the certificate chain and the private key
// (encrypted with key_password, or not) in one PEM file; with a truststore,
// client certificates are verified against it (`requested`: asked for,
// `required`: a handshake without one fails).

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "base/result.h"

namespace spate::net {

enum class client_auth { none, requested, required };

struct tls_server_files {
    std::string keystore_pem;    // certificate chain + private key
    std::string truststore_pem;  // CA certificates; empty: none
    client_auth auth = client_auth::none;
    std::string key_password;         // of an encrypted private key; empty: not encrypted
    bool tls12 = true, tls13 = true;  // at least one
    // Cipher suites by IANA name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, as
    // Kafka's ssl.cipher.suites lists them) or OpenSSL name
    // (ECDHE-RSA-AES128-GCM-SHA256); TLS 1.3 suites have one name
    // (TLS_AES_128_GCM_SHA256). Empty: OpenSSL's defaults. A protocol none
    // of the listed suites belongs to is switched off.
    std::vector<std::string> cipher_suites;
};

// Errors name the file and what OpenSSL refused (unreadable file, no
// certificate, no key or a wrong key password, key not matching the
// certificate), or the cipher suites OpenSSL does not know, or a suite list
// that leaves no enabled protocol usable.
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
