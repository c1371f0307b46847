// libFuzzer target: the server side of a TLS handshake with the context the
// Kafka, pgwire and HTTP listeners use (net::make_server_tls_context), the
// input being the client's records. An SSL object reads them from a memory
// BIO and writes its answers to another (drained and dropped), as far as the
// handshake gets; if it completes, application data is read too.
//
// Input: one byte choosing the context (client auth none, requested or
// required, with a truststore for the latter two), then the client's bytes.
// OpenSSL is Debian's, not instrumented: libFuzzer sees no coverage inside
// it. The target therefore reports what the handshake reached as extra
// counters (libFuzzer keeps an input that reaches a new one): each state
// the server passes through, each alert it sends, each OpenSSL error reason.
//
// The certificate and key are made at start-up (EC P-256, self-signed) and
// written to a temporary PEM file the context loads, as a keystore would be.

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/log.h"
#include "net/tls.h"

namespace {

namespace ssl = boost::asio::ssl;
using spate::net::client_auth;

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "tls_handshake_fuzz: %s\n", what);
    std::abort();
}

// A self-signed certificate and its key, in one PEM file at `path`.
void write_keystore(const std::string& path) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) die("EC key generation failed");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("spate-fuzz"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, key, EVP_sha256()) == 0) die("certificate signing failed");
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) die("cannot write the keystore");
    PEM_write_X509(f, cert);
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
}

std::array<std::shared_ptr<ssl::context>, 3>& contexts() {
    static std::array<std::shared_ptr<ssl::context>, 3> all;
    return all;
}

void make_contexts() {
    char path[] = "/tmp/spate-fuzz-keystore-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) die("mkstemp failed");
    ::close(fd);
    write_keystore(path);
    const client_auth modes[] = {client_auth::none, client_auth::requested, client_auth::required};
    for (size_t i = 0; i < 3; ++i) {
        spate::net::tls_server_files files;
        files.keystore_pem = path;
        // The certificate is its own CA: the truststore of the mTLS modes.
        if (modes[i] != client_auth::none) files.truststore_pem = path;
        files.auth = modes[i];
        auto ctx = spate::net::make_server_tls_context(files);
        if (!ctx.ok()) die(ctx.err().message.c_str());
        contexts()[i] = *ctx;
    }
    ::unlink(path);
}

// libFuzzer's extra counters: one per feature hash.
__attribute__((section("__libfuzzer_extra_counters"))) uint8_t g_features[8192];

void feature(uint32_t kind, uint32_t value) {
    const uint32_t h = (kind * 0x9e3779b1u) ^ (value * 0x85ebca6bu);
    uint8_t& c = g_features[h % sizeof g_features];
    if (c < 255) ++c;
}

// SSL_set_info_callback: states (SSL_CB_LOOP) and alerts (SSL_CB_ALERT).
void on_info(const SSL* s, int where, int ret) {
    if (where & SSL_CB_LOOP) feature(1, static_cast<uint32_t>(SSL_get_state(s)));
    if (where & SSL_CB_ALERT) feature(2, static_cast<uint32_t>(ret));
}

void errors_as_features() {
    while (unsigned long e = ERR_get_error())
        feature(3, static_cast<uint32_t>((ERR_GET_LIB(e) << 16) ^ ERR_GET_REASON(e)));
}

void drain(BIO* out) {
    char buf[4096];
    while (BIO_read(out, buf, sizeof buf) > 0) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)spate::logging::configure("off", spate::logging::format::text);
    make_contexts();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    SSL* s = SSL_new(contexts()[data[0] % 3]->native_handle());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);  // no more bytes: "want read", as a socket
    SSL_set_bio(s, in, out);         // s owns both
    SSL_set_accept_state(s);
    SSL_set_info_callback(s, on_info);
    if (size > 1) BIO_write(in, data + 1, static_cast<int>(size - 1));
    // Each round consumes records until OpenSSL wants more than the input holds.
    for (int round = 0; round < 64; ++round) {
        const int r = SSL_do_handshake(s);
        drain(out);
        if (r == 1) {
            feature(5, static_cast<uint32_t>(SSL_version(s)));
            char buf[4096];
            while (SSL_read(s, buf, sizeof buf) > 0) {
            }
            drain(out);
            break;
        }
        const int e = SSL_get_error(s, r);
        feature(4, static_cast<uint32_t>(e));
        errors_as_features();
        if (e != SSL_ERROR_WANT_READ) break;
        if (BIO_pending(in) == 0) break;
    }
    SSL_free(s);
    ERR_clear_error();
    return 0;
}
