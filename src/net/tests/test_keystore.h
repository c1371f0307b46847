#pragma once

// Test keystores: a fresh EC P-256 key and a self-signed certificate for
// `cn`, written to one PEM file (certificate, then the key; the key
// encrypted with AES-256-CBC when `password` is given). Written to a
// temporary name and renamed, so a reader never sees half a file.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

namespace spate::net::testing {

// A fresh EC P-256 key and a self-signed certificate for `cn`, valid for an
// hour; the caller frees both.
inline std::pair<EVP_PKEY*, X509*> self_signed(const char* cn) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    return {key, cert};
}

// Makes `ctx` present a fresh self-signed certificate for `cn`.
inline void use_self_signed(SSL_CTX* ctx, const char* cn) {
    auto [key, cert] = self_signed(cn);
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
}

inline void write_keystore(const std::string& path, const char* cn,
                           const char* password = nullptr) {
    auto [key, cert] = self_signed(cn);
    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    ASSERT_NE(f, nullptr);
    PEM_write_X509(f, cert);
    if (password) {
        PEM_write_PKCS8PrivateKey(f, key, EVP_aes_256_cbc(), password,
                                  static_cast<int>(std::strlen(password)), nullptr, nullptr);
    } else {
        PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    }
    std::fclose(f);
    std::filesystem::rename(tmp, path);
    X509_free(cert);
    EVP_PKEY_free(key);
}

}  // namespace spate::net::testing
