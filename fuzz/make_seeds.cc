// Writes the seed corpora of the fuzz targets from valid messages:
//
//   make_seeds <dir>   (fuzz/corpus; files are overwritten)
//
// kafka_request/: every served API's request at every version of its codec
// (default field values), and a few with content (Produce with a record
// batch, Metadata with topics, JoinGroup with a consumer subscription).
// sasl/: SCRAM and PLAIN exchanges in sasl_fuzz's step format (handshake
// v0 and v1, re-authentication, wrong passwords, a plaintext listener).
// tls_handshake/: what OpenSSL clients send (TLS 1.2 and 1.3, SNI, ALPN),
// captured from in-memory handshakes.

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/consumer_protocol_subscription.h"
#include "kafka/protocol/message.h"
#include "model/legacy_message_set.h"
#include "model/record_batch_builder.h"
#include "served_apis.h"

namespace {

namespace proto = spate::kafka::protocol;
namespace fs = std::filesystem;

void write_file(const fs::path& p, const void* data, size_t n) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    if (!out) {
        std::fprintf(stderr, "make_seeds: cannot write %s\n", p.c_str());
        std::exit(1);
    }
}

// A request frame body (no size prefix), as the fuzz targets take it.
template <typename Request>
std::vector<std::byte> frame_body(const Request& m, int16_t version) {
    std::vector<std::byte> out;
    proto::append_request_frame(out, 7, std::string("seed"), version, m);
    out.erase(out.begin(), out.begin() + proto::k_frame_size_prefix);
    return out;
}

template <typename Request>
void every_version(const fs::path& dir, const char* name, const Request& m,
                   const char* suffix = "") {
    for (int16_t v = Request::k_min_version; v <= Request::k_max_version; ++v) {
        auto b = frame_body(m, v);
        write_file(dir / (std::string(name) + suffix + "_v" + std::to_string(v)), b.data(),
                   b.size());
    }
}

void kafka_seeds(const fs::path& dir) {
#define SPATE_FUZZ_SERVED_API(name) every_version(dir, #name, proto::name##_request{});
    SPATE_FUZZ_SERVED_APIS
#undef SPATE_FUZZ_SERVED_API

    // Produce with real records: v2 batches (v3+) in every codec, legacy
    // message sets (v0-v2) plain and in wrappers.
    const std::string key = "order-17", value = "{\"amount\": 42, \"currency\": \"EUR\"}";
    const auto as_bytes = [](const std::string& t) {
        return std::span<const std::byte>(reinterpret_cast<const std::byte*>(t.data()), t.size());
    };
    const spate::model::record_header header{"trace", as_bytes(key)};
    std::vector<std::vector<std::byte>> batches;
    for (auto codec : {spate::model::compression::none, spate::model::compression::gzip,
                       spate::model::compression::snappy, spate::model::compression::lz4,
                       spate::model::compression::zstd}) {
        spate::model::record_batch_options o;
        o.compression_type = codec;
        spate::model::record_batch_builder b(o);
        b.add(1700000000000, as_bytes(key), as_bytes(value), std::span(&header, 1));
        b.add(1700000000001, std::nullopt, as_bytes(value));
        batches.push_back(b.finish());
    }
    for (auto codec : {spate::model::compression::none, spate::model::compression::gzip,
                       spate::model::compression::snappy, spate::model::compression::lz4}) {
        std::vector<std::byte> inner, set;
        spate::model::append_legacy_message(inner, 1, 0, 0, 1700000000000, as_bytes(key),
                                            as_bytes(value));
        spate::model::append_legacy_message(inner, 1, 1, 0, 1700000000001, std::nullopt,
                                            as_bytes(value));
        if (codec == spate::model::compression::none)
            set = inner;
        else if (!spate::model::append_legacy_wrapper(set, 1, 1, codec, 1700000000001, inner).ok())
            std::exit(1);
        batches.push_back(std::move(set));
    }
    for (size_t i = 0; i < batches.size(); ++i) {
        const bool legacy = i >= 5;
        proto::produce_request produce;
        produce.acks = -1;
        produce.timeout_ms = 30000;
        produce.topic_data.emplace_back().name = "orders";
        auto& p = produce.topic_data[0].partition_data.emplace_back();
        p.records = std::span<const std::byte>(batches[i]);
        for (int16_t v : legacy ? std::vector<int16_t>{0, 2} : std::vector<int16_t>{3, 9}) {
            auto b = frame_body(produce, v);
            write_file(dir / ("produce_records_" + std::to_string(i) + "_v" + std::to_string(v)),
                       b.data(), b.size());
        }
    }

    proto::metadata_request metadata;
    metadata.topics->emplace_back().name = "orders";
    metadata.topics->emplace_back().name = "payments";
    every_version(dir, "metadata", metadata, "_topics");

    proto::consumer_protocol_subscription sub;
    sub.topics = {"orders", "payments"};
    proto::join_group_request join;
    join.group_id = "group";
    join.session_timeout_ms = 10000;
    join.protocol_type = "consumer";
    auto& jp = join.protocols.emplace_back();
    jp.name = "range";
    {
        proto::writer w(jp.metadata);
        w.write_int16(3);
        sub.encode(w, 3);
    }
    every_version(dir, "join_group", join, "_subscription");
}

// sasl_fuzz's steps (see there).
enum step_op : uint8_t { frame = 0, token = 1, first = 2, final = 3, plain = 4, wait = 5 };

struct sasl_seed {
    std::string bytes;
    explicit sasl_seed(uint8_t config) : bytes(1, char(config)) {}
    sasl_seed& step(step_op o, const std::string& payload = {}) {
        bytes += char(o);
        bytes += char(payload.size() >> 8);
        bytes += char(payload.size() & 0xff);
        bytes += payload;
        return *this;
    }
    template <typename Request>
    sasl_seed& request(const Request& m, int16_t v) {
        auto b = frame_body(m, v);
        return step(frame, std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    }
    sasl_seed& handshake(const std::string& mechanism, int16_t v) {
        proto::sasl_handshake_request h;
        h.mechanism = mechanism;
        return request(h, v);
    }
    sasl_seed& authenticate(const std::string& token, int16_t v) {
        proto::sasl_authenticate_request a;
        const auto* b = reinterpret_cast<const std::byte*>(token.data());
        a.auth_bytes.assign(b, b + token.size());
        return request(a, v);
    }
};

// The `first`/`plain` payload byte: user (0 alice, 1 bob, 2 mallory), 4: wrong
// password, 8: SHA-512.
std::string who(int user, bool wrong = false, bool sha512 = false) {
    return std::string(1, char(user | (wrong ? 4 : 0) | (sha512 ? 8 : 0)));
}

void sasl_seeds(const fs::path& dir) {
    const uint8_t all = 1 | 2 | 4 | 8 | 16;  // SASL, every mechanism, re-authentication
    std::vector<std::pair<std::string, sasl_seed>> seeds;
    seeds.emplace_back(
        "scram256", sasl_seed(all).handshake("SCRAM-SHA-256", 1).step(first, who(0)).step(final));
    seeds.emplace_back(
        "scram512_bob",
        sasl_seed(all).handshake("SCRAM-SHA-512", 1).step(first, who(1, false, true)).step(final));
    seeds.emplace_back(
        "scram_wrong",
        sasl_seed(all).handshake("SCRAM-SHA-256", 1).step(first, who(0, true)).step(final));
    seeds.emplace_back("plain", sasl_seed(all).handshake("PLAIN", 1).step(plain, who(0)));
    seeds.emplace_back("plain_wrong",
                       sasl_seed(all).handshake("PLAIN", 1).step(plain, who(0, true)));
    seeds.emplace_back(
        "plain_v0_raw",
        sasl_seed(all).handshake("PLAIN", 0).step(frame, std::string("\0alice\0alice-pw", 15)));
    seeds.emplace_back("scram_v0_raw", sasl_seed(all)
                                           .handshake("SCRAM-SHA-256", 0)
                                           .step(frame, "n,,n=alice,r=fuzznonce")
                                           .step(frame, "c=biws,r=fuzznonce,p=AAAA"));
    for (int16_t v = 0; v <= 2; ++v)
        seeds.emplace_back("authenticate_v" + std::to_string(v),
                           sasl_seed(all)
                               .handshake("SCRAM-SHA-512", 1)
                               .authenticate("n,a=alice,n=alice,r=fuzznonce,tokenauth=true", v)
                               .authenticate("c=biws,r=fuzznonce,p=AAAA", v));
    seeds.emplace_back("reauth", sasl_seed(all)
                                     .handshake("SCRAM-SHA-256", 1)
                                     .step(first, who(0))
                                     .step(final)
                                     .step(wait, std::string("\x07\xd0", 2))
                                     .request(proto::metadata_request{}, 12)
                                     .handshake("PLAIN", 1)
                                     .step(plain, who(1)));
    seeds.emplace_back("before_auth", sasl_seed(all)
                                          .request(proto::api_versions_request{}, 3)
                                          .request(proto::metadata_request{}, 12));
    seeds.emplace_back("plaintext_listener", sasl_seed(0)
                                                 .request(proto::metadata_request{}, 1)
                                                 .handshake("PLAIN", 1)
                                                 .authenticate("x", 1));
    for (auto& [name, s] : seeds)
        write_file(dir / name, s.bytes.data(), s.bytes.size());
}

// What an OpenSSL client sends first with `setup` applied; `mode` is the
// context byte of tls_handshake_fuzz.
void client_hello(const fs::path& dir, const char* name, uint8_t mode,
                  void (*setup)(SSL_CTX*, SSL*)) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* s = SSL_new(ctx);
    setup(ctx, s);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(s, in, out);
    SSL_set_connect_state(s);
    (void)SSL_do_handshake(s);
    std::string bytes(1, char(mode));
    char buf[4096];
    int n;
    while ((n = BIO_read(out, buf, sizeof buf)) > 0)
        bytes.append(buf, size_t(n));
    write_file(dir / name, bytes.data(), bytes.size());
    SSL_free(s);
    SSL_CTX_free(ctx);
}

void tls_seeds(const fs::path& dir) {
    client_hello(dir, "tls13", 0, [](SSL_CTX*, SSL*) {});
    client_hello(dir, "tls13_sni_alpn", 0, [](SSL_CTX*, SSL* s) {
        SSL_set_tlsext_host_name(s, "broker.example");
        static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        SSL_set_alpn_protos(s, alpn, sizeof alpn);
    });
    client_hello(dir, "tls12", 1,
                 [](SSL_CTX* c, SSL*) { SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION); });
    client_hello(dir, "tls12_rsa_only", 2, [](SSL_CTX* c, SSL*) {
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA");
    });
    client_hello(dir, "tls11", 0, [](SSL_CTX* c, SSL*) {
        SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION);
        SSL_CTX_set_security_level(c, 0);
    });
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds <corpus dir>\n");
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* d : {"kafka_request", "sasl", "tls_handshake"})
        fs::create_directories(root / d);
    kafka_seeds(root / "kafka_request");
    sasl_seeds(root / "sasl");
    tls_seeds(root / "tls_handshake");
    return 0;
}
