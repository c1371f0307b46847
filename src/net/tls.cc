#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace spate::net {

namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_reason() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

error tls_error(const std::string& file, const std::string& what) {
    return make_error(errc::invalid_argument, file + ": " + what + " (" + openssl_reason() + ")");
}

}  // namespace

result<std::shared_ptr<ssl::context>> make_server_tls_context(const tls_server_files& files) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* raw = ctx->native_handle();
    SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    const std::string& ks = files.keystore_pem;
    if (SSL_CTX_use_certificate_chain_file(raw, ks.c_str()) != 1)
        return tls_error(ks, "no certificate chain could be read");
    if (SSL_CTX_use_PrivateKey_file(raw, ks.c_str(), SSL_FILETYPE_PEM) != 1)
        return tls_error(ks, "no private key could be read");
    if (SSL_CTX_check_private_key(raw) != 1)
        return tls_error(ks, "the private key does not match the certificate");
    if (!files.truststore_pem.empty() &&
        SSL_CTX_load_verify_locations(raw, files.truststore_pem.c_str(), nullptr) != 1)
        return tls_error(files.truststore_pem, "no CA certificates could be read");
    int mode = SSL_VERIFY_NONE;
    if (files.auth == client_auth::requested) mode = SSL_VERIFY_PEER;
    if (files.auth == client_auth::required)
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(raw, mode, nullptr);
    return ctx;
}

}  // namespace spate::net
