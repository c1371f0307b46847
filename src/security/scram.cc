#include "security/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

#include "base/assert.h"

namespace spate::security {

namespace {

const EVP_MD* digest(scram_mechanism m) {
    return m == scram_mechanism::sha256 ? EVP_sha256() : EVP_sha512();
}

std::string hmac(scram_mechanism m, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    SPATE_ASSERT(HMAC(digest(m), key.data(), int(key.size()),
                      reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                      &len) != nullptr);
    return {reinterpret_cast<char*>(out), len};
}

std::string hash(scram_mechanism m, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    SPATE_ASSERT(EVP_Digest(data.data(), data.size(), out, &len, digest(m), nullptr) == 1);
    return {reinterpret_cast<char*>(out), len};
}

std::string salted_password(scram_mechanism m, std::string_view password, std::string_view salt,
                            int32_t iterations) {
    std::string out(size_t(EVP_MD_get_size(digest(m))), '\0');
    SPATE_ASSERT(PKCS5_PBKDF2_HMAC(password.data(), int(password.size()),
                                   reinterpret_cast<const unsigned char*>(salt.data()),
                                   int(salt.size()), iterations, digest(m), int(out.size()),
                                   reinterpret_cast<unsigned char*>(out.data())) == 1);
    return out;
}

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    SPATE_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(n)) == 1);
    return out;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
    SPATE_ASSERT(a.size() == b.size());
    std::string out(a.size(), '\0');
    for (size_t i = 0; i < a.size(); ++i)
        out[i] = char(a[i] ^ b[i]);
    return out;
}

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

error failed(const std::string& why) {
    return make_error(errc::invalid_argument, "SCRAM: " + why);
}

// "k=v,k=v" -> attributes in order; every part must be "<letter>=...".
result<std::vector<std::pair<char, std::string_view>>> attributes(std::string_view msg) {
    std::vector<std::pair<char, std::string_view>> out;
    size_t pos = 0;
    while (pos <= msg.size()) {
        size_t end = msg.find(',', pos);
        if (end == std::string_view::npos) end = msg.size();
        std::string_view part = msg.substr(pos, end - pos);
        if (part.size() < 2 || part[1] != '=') return failed("malformed attribute");
        out.emplace_back(part[0], part.substr(2));
        pos = end + 1;
    }
    return out;
}

// RFC 5802 saslname: "=2C" is ',', "=3D" is '='; any other '=' is invalid.
result<std::string> decode_saslname(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '=') {
            out += s[i];
            continue;
        }
        std::string_view esc = s.substr(i + 1, 2);
        if (esc == "2C")
            out += ',';
        else if (esc == "3D")
            out += '=';
        else
            return failed("invalid escape in user name");
        i += 2;
    }
    if (out.empty()) return failed("empty user name");
    return out;
}

std::string encode_saslname(std::string_view s) {
    std::string out;
    for (char c : s)
        out += c == ',' ? "=2C" : c == '=' ? "=3D" : std::string(1, c);
    return out;
}

bool valid_nonce(std::string_view n) {
    if (n.empty()) return false;
    for (char c : n)
        if (c < 0x21 || c > 0x7e || c == ',') return false;
    return true;
}

std::string default_nonce() {
    return base64_encode(random_bytes(24));
}

// An unknown user's salt: stable per name within this process, so probing
// twice does not tell it from a real user by a changing salt.
std::string decoy_salt(std::string_view user) {
    static const std::string secret = random_bytes(32);
    return hmac(scram_mechanism::sha256, secret, user);
}

}  // namespace

const char* scram_mechanism_name(scram_mechanism m) {
    return m == scram_mechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

std::optional<scram_mechanism> parse_scram_mechanism(std::string_view name) {
    if (name == "SCRAM-SHA-256") return scram_mechanism::sha256;
    if (name == "SCRAM-SHA-512") return scram_mechanism::sha512;
    return std::nullopt;
}

std::string base64_encode(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(raw.data()), int(raw.size()));
    out.resize(size_t(n));
    return out;
}

result<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return failed("malformed base64");
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
    if (n < 0) return failed("malformed base64");
    size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
    out.resize(size_t(n) - pad);
    return out;
}

result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               std::string_view salt, int32_t iterations) {
    if (iterations < k_scram_min_iterations || iterations > k_scram_max_iterations)
        return make_error(errc::invalid_argument,
                          "iterations must be in [" + std::to_string(k_scram_min_iterations) +
                              ", " + std::to_string(k_scram_max_iterations) + "]");
    scram_credential c;
    c.mechanism = m;
    c.salt = salt.empty() ? random_bytes(32) : std::string(salt);
    c.iterations = iterations;
    std::string salted = salted_password(m, password, c.salt, iterations);
    c.stored_key = hash(m, hmac(m, salted, "Client Key"));
    c.server_key = hmac(m, salted, "Server Key");
    return c;
}

result<scram_credential> scram_credential_from_salted_password(scram_mechanism m,
                                                               std::string_view salt,
                                                               int32_t iterations,
                                                               std::string_view salted) {
    if (iterations < k_scram_min_iterations || iterations > k_scram_max_iterations)
        return make_error(errc::invalid_argument, "iterations out of bounds");
    if (salt.empty()) return make_error(errc::invalid_argument, "empty salt");
    if (salted.size() != size_t(EVP_MD_get_size(digest(m))))
        return make_error(errc::invalid_argument, "salted password of the wrong length");
    scram_credential c;
    c.mechanism = m;
    c.salt = std::string(salt);
    c.iterations = iterations;
    c.stored_key = hash(m, hmac(m, salted, "Client Key"));
    c.server_key = hmac(m, salted, "Server Key");
    return c;
}

std::string salted_password_of(scram_mechanism m, std::string_view password, std::string_view salt,
                               int32_t iterations) {
    return salted_password(m, password, salt, iterations);
}

bool verify_password(const scram_credential& c, std::string_view password) {
    std::string salted = salted_password(c.mechanism, password, c.salt, c.iterations);
    return same(hash(c.mechanism, hmac(c.mechanism, salted, "Client Key")), c.stored_key);
}

scram_server::scram_server(scram_mechanism m, credential_lookup lookup,
                           std::function<std::string()> nonce)
    : _mechanism(m), _lookup(std::move(lookup)), _nonce_source(std::move(nonce)) {
    if (!_nonce_source) _nonce_source = default_nonce;
}

result<std::string> scram_server::step(std::string_view client_message) {
    state at = _state;
    _state = state::failed;
    if (at == state::first) return client_first(client_message);
    if (at == state::final) return client_final(client_message);
    return failed("the exchange is over");
}

result<std::string> scram_server::client_first(std::string_view msg) {
    // gs2-header: cbind flag, authzid, then the bare message.
    if (msg.starts_with("p=")) return failed("channel binding is not supported");
    if (!msg.starts_with("n,") && !msg.starts_with("y,")) return failed("malformed gs2 header");
    size_t second = msg.find(',', 2);
    if (second == std::string_view::npos) return failed("malformed gs2 header");
    std::string_view authzid = msg.substr(2, second - 2);
    if (!authzid.empty() && !authzid.starts_with("a=")) return failed("malformed authzid");
    _gs2_header = std::string(msg.substr(0, second + 1));
    _client_first_bare = std::string(msg.substr(second + 1));
    auto attrs = attributes(_client_first_bare);
    if (!attrs.ok()) return attrs.err();
    const auto& a = attrs.value();
    if (a.size() < 2 || a[0].first != 'n' || a[1].first != 'r')
        return failed("client-first must be n=...,r=...");
    if (_fixed_user && !authzid.empty()) return failed("an authzid is not supported");
    auto user = _fixed_user ? result<std::string>(*_fixed_user) : decode_saslname(a[0].second);
    if (!user.ok()) return user.err();
    if (!authzid.empty()) {
        auto z = decode_saslname(authzid.substr(2));
        if (!z.ok() || z.value() != user.value()) return failed("authzid must equal the user name");
    }
    if (!valid_nonce(a[1].second)) return failed("malformed client nonce");
    for (size_t i = 2; i < a.size(); ++i)
        if (a[i].first == 'm') return failed("mandatory extensions are not supported");
    if (_client_first_bare.find(",tokenauth=true") != std::string::npos)
        return failed("delegation tokens are not supported");
    _user = std::move(user).value();
    _credential = _lookup(_user, _mechanism);
    std::string salt = _credential ? _credential->salt : decoy_salt(_user);
    int32_t iterations = _credential ? _credential->iterations : k_scram_min_iterations;
    std::string server_part = _nonce_source();
    if (!valid_nonce(server_part)) return failed("server nonce generator gave a bad nonce");
    _nonce = std::string(a[1].second) + server_part;
    _server_first =
        "r=" + _nonce + ",s=" + base64_encode(salt) + ",i=" + std::to_string(iterations);
    _state = state::final;
    return _server_first;
}

// librdkafka 2.0.0-2.0.2 (Debian 12's) put the client nonce twice in
// client-final ("r=" client nonce, then the whole combined nonce). The proof
// still covers the message as sent, and the server part is still checked, so
// that form is accepted too.
namespace {

bool repeats_client_nonce(std::string_view got, std::string_view client_first_bare,
                          std::string_view nonce) {
    auto attrs = attributes(client_first_bare);
    if (!attrs.ok() || attrs.value().size() < 2) return false;
    std::string_view client = attrs.value()[1].second;
    return got.size() == client.size() + nonce.size() && got.starts_with(client) &&
           got.substr(client.size()) == nonce;
}

}  // namespace

result<std::string> scram_server::client_final(std::string_view msg) {
    size_t proof_at = msg.rfind(",p=");
    if (proof_at == std::string_view::npos) return failed("client-final has no proof");
    std::string_view without_proof = msg.substr(0, proof_at);
    auto attrs = attributes(without_proof);
    if (!attrs.ok()) return attrs.err();
    const auto& a = attrs.value();
    if (a.size() < 2 || a[0].first != 'c' || a[1].first != 'r')
        return failed("client-final must be c=...,r=...,p=...");
    auto binding = base64_decode(a[0].second);
    if (!binding.ok() || binding.value() != _gs2_header) return failed("channel binding mismatch");
    if (a[1].second != _nonce && !repeats_client_nonce(a[1].second, _client_first_bare, _nonce))
        return failed("nonce mismatch");
    auto proof = base64_decode(msg.substr(proof_at + 3));
    if (!proof.ok()) return proof.err();
    if (!_credential) return failed("authentication failed");
    if (proof.value().size() != _credential->stored_key.size())
        return failed("authentication failed");
    std::string auth = _client_first_bare + "," + _server_first + "," + std::string(without_proof);
    std::string client_signature = hmac(_mechanism, _credential->stored_key, auth);
    std::string client_key = xor_bytes(proof.value(), client_signature);
    if (!same(hash(_mechanism, client_key), _credential->stored_key))
        return failed("authentication failed");
    _state = state::done;
    return "v=" + base64_encode(hmac(_mechanism, _credential->server_key, auth));
}

scram_client::scram_client(scram_mechanism m, std::string user, std::string password,
                           std::string client_nonce)
    : _mechanism(m)
    , _user(std::move(user))
    , _password(std::move(password))
    , _nonce(client_nonce.empty() ? default_nonce() : std::move(client_nonce)) {}

std::string scram_client::first() {
    _first_bare = "n=" + encode_saslname(_user) + ",r=" + _nonce;
    return "n,," + _first_bare;
}

result<std::string> scram_client::final(std::string_view server_first) {
    auto attrs = attributes(server_first);
    if (!attrs.ok()) return attrs.err();
    const auto& a = attrs.value();
    if (a.size() < 3 || a[0].first != 'r' || a[1].first != 's' || a[2].first != 'i')
        return failed("server-first must be r=...,s=...,i=...");
    if (!a[0].second.starts_with(_nonce) || a[0].second.size() == _nonce.size())
        return failed("server nonce does not extend the client's");
    auto salt = base64_decode(a[1].second);
    if (!salt.ok()) return salt.err();
    int32_t iterations = 0;
    auto [end, ec] =
        std::from_chars(a[2].second.data(), a[2].second.data() + a[2].second.size(), iterations);
    if (ec != std::errc() || end != a[2].second.data() + a[2].second.size() || iterations < 1)
        return failed("malformed iteration count");
    std::string salted = salted_password(_mechanism, _password, salt.value(), iterations);
    std::string client_key = hmac(_mechanism, salted, "Client Key");
    std::string without_proof = "c=biws,r=" + std::string(a[0].second);
    std::string auth = _first_bare + "," + std::string(server_first) + "," + without_proof;
    std::string signature = hmac(_mechanism, hash(_mechanism, client_key), auth);
    _server_signature = hmac(_mechanism, hmac(_mechanism, salted, "Server Key"), auth);
    return without_proof + ",p=" + base64_encode(xor_bytes(client_key, signature));
}

status scram_client::verify(std::string_view server_final) const {
    if (!server_final.starts_with("v=")) return failed("server-final has no signature");
    auto v = base64_decode(server_final.substr(2));
    if (!v.ok() || !same(v.value(), _server_signature)) return failed("server signature mismatch");
    return {};
}

}  // namespace spate::security
