#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "base/log.h"

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

// Every suite this OpenSSL offers, by IANA and by OpenSSL name: its OpenSSL
// name and whether it is a TLS 1.3 suite. Built once per context.
std::map<std::string, std::pair<std::string, bool>, std::less<>> known_suites() {
    std::map<std::string, std::pair<std::string, bool>, std::less<>> out;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
    if (!ctx || SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL") != 1) return out;
    STACK_OF(SSL_CIPHER)* all = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(all); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
        std::pair<std::string, bool> suite{
            SSL_CIPHER_get_name(c), std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3"};
        out.emplace(suite.first, suite);
        if (const char* standard = SSL_CIPHER_standard_name(c)) out.emplace(standard, suite);
    }
    return out;
}

// Restricts `raw` to files.cipher_suites and the enabled protocols.
status set_protocols_and_suites(SSL_CTX* raw, const tls_server_files& files) {
    bool tls12 = files.tls12, tls13 = files.tls13;
    if (!files.cipher_suites.empty()) {
        const auto known = known_suites();
        std::string list12, list13, unknown;
        for (const auto& name : files.cipher_suites) {
            auto s = known.find(name);
            if (s == known.end()) {
                unknown += (unknown.empty() ? "" : ", ") + name;
                continue;
            }
            std::string& list = s->second.second ? list13 : list12;
            list += (list.empty() ? "" : ":") + s->second.first;
        }
        if (!unknown.empty())
            return make_error(errc::invalid_argument,
                              "ssl.cipher.suites: unknown cipher suite(s) " + unknown);
        if (list12.empty()) tls12 = false;
        if (list13.empty()) tls13 = false;
        if ((!list12.empty() && SSL_CTX_set_cipher_list(raw, list12.c_str()) != 1) ||
            (!list13.empty() && SSL_CTX_set_ciphersuites(raw, list13.c_str()) != 1))
            return make_error(errc::invalid_argument,
                              "ssl.cipher.suites: refused (" + openssl_reason() + ")");
    }
    if (!tls12 && !tls13)
        return make_error(errc::invalid_argument,
                          "ssl.enabled.protocols and ssl.cipher.suites leave no usable protocol");
    SSL_CTX_set_min_proto_version(raw, tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(raw, tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    return {};
}

}  // namespace

result<std::shared_ptr<ssl::context>> make_server_tls_context(const tls_server_files& files) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* raw = ctx->native_handle();
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SPATE_TRY(set_protocols_and_suites(raw, files));
    // An encrypted key is read with the password; an unencrypted one ignores it.
    ctx->set_password_callback(
        [pw = files.key_password](size_t, ssl::context::password_purpose) { return pw; });
    const std::string& ks = files.keystore_pem;
    if (SSL_CTX_use_certificate_chain_file(raw, ks.c_str()) != 1)
        return tls_error(ks, "no certificate chain could be read");
    if (SSL_CTX_use_PrivateKey_file(raw, ks.c_str(), SSL_FILETYPE_PEM) != 1)
        return tls_error(ks, files.key_password.empty()
                                 ? "no private key could be read (encrypted: set ssl.key.password)"
                                 : "no private key could be read with ssl.key.password");
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

tls_context_source::tls_context_source(tls_server_files files, std::shared_ptr<ssl::context> ctx)
    : _files(std::move(files)), _ctx(std::move(ctx)), _stamp(stamp()) {}

result<std::shared_ptr<tls_context_source>> tls_context_source::open(tls_server_files files) {
    auto ctx = make_server_tls_context(files);
    if (!ctx.ok()) return ctx.err();
    return std::shared_ptr<tls_context_source>(
        new tls_context_source(std::move(files), std::move(*ctx)));
}

std::string tls_context_source::stamp() const {
    std::string out;
    for (const auto* f : {&_files.keystore_pem, &_files.truststore_pem}) {
        struct stat st {};
        if (f->empty() || ::stat(f->c_str(), &st) != 0) {
            out += "-;";
            continue;
        }
        out += std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
               std::to_string(st.st_size) + ";";
    }
    return out;
}

std::shared_ptr<ssl::context> tls_context_source::current() {
    std::string now = stamp();
    std::lock_guard lk(_mu);
    if (now == _stamp) return _ctx;
    _stamp = now;  // a failed rebuild is retried only after the next change
    auto ctx = make_server_tls_context(_files);
    if (!ctx.ok()) {
        logging::get("net").warn("TLS files changed but cannot be used, keeping the old ones: {}",
                                 ctx.err().message);
        return _ctx;
    }
    logging::get("net").info("TLS certificate reloaded from {}", _files.keystore_pem);
    _ctx = std::move(*ctx);
    return _ctx;
}

}  // namespace spate::net
