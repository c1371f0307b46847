#include "security/scram.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <vector>

namespace spate::security {
namespace scram_test {
namespace {

struct users {
    std::map<std::pair<std::string, scram_mechanism>, scram_credential> by_name;

    void add(const std::string& user, const std::string& password, scram_mechanism m,
             std::string salt = {}) {
        auto c = make_scram_credential(m, password, salt, 4096);
        ASSERT_TRUE(c.ok());
        by_name[{user, m}] = c.value();
    }
    credential_lookup lookup() const {
        return [this](const std::string& u, scram_mechanism m) -> std::optional<scram_credential> {
            auto it = by_name.find({u, m});
            if (it == by_name.end()) return std::nullopt;
            return it->second;
        };
    }
};

std::string hmac256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return {reinterpret_cast<char*>(out), len};
}

// librdkafka 2.0.0-2.0.2 send "r=" + client nonce + combined nonce in
// client-final, with the proof computed over that message: accepted.
TEST(scram, librdkafka_2_0_repeated_client_nonce_is_accepted) {
    users u;
    u.add("user", "pencil", scram_mechanism::sha256, "0123456789abcdef");
    scram_server server(scram_mechanism::sha256, u.lookup(), [] { return std::string("SRV"); });
    const std::string bare = "n=user,r=CLI";
    auto first = server.step("n,," + bare);
    ASSERT_TRUE(first.ok());
    const std::string without_proof = "c=biws,r=CLICLISRV";
    std::string salted =
        salted_password_of(scram_mechanism::sha256, "pencil", "0123456789abcdef", 4096);
    std::string client_key = hmac256(salted, "Client Key");
    unsigned char stored[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(client_key.data(), client_key.size(), stored, &n, EVP_sha256(), nullptr);
    std::string sig = hmac256(std::string(reinterpret_cast<char*>(stored), n),
                              bare + "," + first.value() + "," + without_proof);
    std::string proof(client_key.size(), '\0');
    for (size_t i = 0; i < proof.size(); ++i)
        proof[i] = char(client_key[i] ^ sig[i]);
    auto final = server.step(without_proof + ",p=" + base64_encode(proof));
    ASSERT_TRUE(final.ok()) << final.err().message;
    EXPECT_TRUE(server.complete());

    // Any other nonce is still refused.
    scram_server other(scram_mechanism::sha256, u.lookup(), [] { return std::string("SRV"); });
    ASSERT_TRUE(other.step("n,," + bare).ok());
    EXPECT_FALSE(other.step("c=biws,r=CLIXCLISRV,p=" + base64_encode(proof)).ok());
}

// RFC 7677's SCRAM-SHA-256 example exchange (user "user", password "pencil").
TEST(scram, the_server_reproduces_the_rfc_7677_example) {
    users u;
    auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    ASSERT_TRUE(salt.ok());
    u.add("user", "pencil", scram_mechanism::sha256, salt.value());
    scram_server server(scram_mechanism::sha256, u.lookup(),
                        [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); });
    auto first = server.step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    ASSERT_TRUE(first.ok()) << first.err().message;
    EXPECT_EQ(first.value(),
              "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
              "i=4096");
    auto final = server.step(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    ASSERT_TRUE(final.ok()) << final.err().message;
    EXPECT_EQ(final.value(), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    EXPECT_TRUE(server.complete());
    EXPECT_EQ(server.user(), "user");

    // The client side computes the same messages.
    scram_client client(scram_mechanism::sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    EXPECT_EQ(client.first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    auto proof = client.final(first.value());
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(proof.value(),
              "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
              "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    EXPECT_TRUE(client.verify(final.value()).ok());
}

TEST(scram, sha512_client_and_server_agree_and_names_with_commas_are_escaped) {
    users u;
    u.add("a,b=c", "secret", scram_mechanism::sha512);
    scram_server server(scram_mechanism::sha512, u.lookup());
    scram_client client(scram_mechanism::sha512, "a,b=c", "secret");
    std::string first = client.first();
    EXPECT_NE(first.find("n=a=2Cb=3Dc,"), std::string::npos);
    auto s1 = server.step(first);
    ASSERT_TRUE(s1.ok()) << s1.err().message;
    auto c2 = client.final(s1.value());
    ASSERT_TRUE(c2.ok());
    auto s2 = server.step(c2.value());
    ASSERT_TRUE(s2.ok()) << s2.err().message;
    EXPECT_TRUE(client.verify(s2.value()).ok());
    EXPECT_EQ(server.user(), "a,b=c");
}

TEST(scram, with_a_fixed_user_the_client_first_name_is_ignored_as_postgresql_does) {
    users u;
    u.add("alice", "secret", scram_mechanism::sha256);
    scram_server server(scram_mechanism::sha256, u.lookup());
    server.set_user("alice");
    scram_client client(scram_mechanism::sha256, "", "secret");  // libpq sends "n="
    auto s1 = server.step(client.first());
    ASSERT_TRUE(s1.ok()) << s1.err().message;
    auto c2 = client.final(s1.value());
    ASSERT_TRUE(c2.ok());
    auto s2 = server.step(c2.value());
    ASSERT_TRUE(s2.ok()) << s2.err().message;
    EXPECT_TRUE(client.verify(s2.value()).ok());
    EXPECT_EQ(server.user(), "alice");

    scram_server with_authzid(scram_mechanism::sha256, u.lookup());
    with_authzid.set_user("alice");
    EXPECT_FALSE(with_authzid.step("n,a=alice,n=,r=abcdef").ok());
    scram_server wrong(scram_mechanism::sha256, u.lookup());
    wrong.set_user("alice");
    scram_client other(scram_mechanism::sha256, "alice", "not-secret");
    auto w1 = wrong.step(other.first());
    ASSERT_TRUE(w1.ok());
    auto w2 = other.final(w1.value());
    ASSERT_TRUE(w2.ok());
    EXPECT_FALSE(wrong.step(w2.value()).ok());
}

TEST(scram, a_wrong_password_and_an_unknown_user_fail_alike_at_the_proof) {
    users u;
    u.add("alice", "right", scram_mechanism::sha256);
    for (const char* who : {"alice", "nobody"}) {
        scram_server server(scram_mechanism::sha256, u.lookup());
        scram_client client(scram_mechanism::sha256, who, "wrong");
        auto s1 = server.step(client.first());
        ASSERT_TRUE(s1.ok()) << who;  // an unknown user is not revealed here
        auto c2 = client.final(s1.value());
        ASSERT_TRUE(c2.ok());
        auto s2 = server.step(c2.value());
        ASSERT_FALSE(s2.ok()) << who;
        EXPECT_EQ(s2.err().message, "SCRAM: authentication failed") << who;
        EXPECT_FALSE(server.complete());
    }
    // An unknown user's salt stays the same across attempts.
    auto salt_of = [&] {
        scram_server server(scram_mechanism::sha256, u.lookup());
        auto s1 = server.step("n,,n=nobody,r=abc");
        EXPECT_TRUE(s1.ok());
        return s1.ok() ? s1.value().substr(s1.value().find(",s=")) : std::string();
    };
    EXPECT_EQ(salt_of(), salt_of());
}

TEST(scram, malformed_or_unsupported_client_messages_end_the_exchange) {
    users u;
    u.add("alice", "pw", scram_mechanism::sha256);
    for (const char* bad :
         {"", "p=tls-unique,,n=alice,r=x", "n,,r=x,n=alice", "n,,n=alice", "n,,n=al=ice,r=x",
          "n,a=bob,n=alice,r=x", "n,,n=alice,r=a b", "n,,n=alice,r=x,m=ext",
          "n,,n=alice,r=x,tokenauth=true", "x,,n=alice,r=x"}) {
        scram_server server(scram_mechanism::sha256, u.lookup());
        EXPECT_FALSE(server.step(bad).ok()) << bad;
        // After a failure nothing more is accepted.
        EXPECT_FALSE(server.step("n,,n=alice,r=x").ok()) << bad;
    }
    scram_server server(scram_mechanism::sha256, u.lookup(), [] { return std::string("S"); });
    ASSERT_TRUE(server.step("n,a=alice,n=alice,r=C").ok());
    EXPECT_FALSE(server.step("c=biws,r=CS,p=AAAA").ok());  // binding must be "n,a=alice,"
    scram_server other(scram_mechanism::sha256, u.lookup(), [] { return std::string("S"); });
    ASSERT_TRUE(other.step("n,,n=alice,r=C").ok());
    EXPECT_FALSE(other.step("c=biws,r=CX,p=AAAA").ok());  // nonce mismatch
}

TEST(scram, credentials_verify_passwords_and_refuse_iterations_out_of_bounds) {
    auto c = make_scram_credential(scram_mechanism::sha256, "pw", "", 4096);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->salt.size(), 32u);
    EXPECT_EQ(c->stored_key.size(), 32u);
    EXPECT_TRUE(verify_password(c.value(), "pw"));
    EXPECT_FALSE(verify_password(c.value(), "pW"));
    EXPECT_FALSE(make_scram_credential(scram_mechanism::sha256, "pw", "", 4095).ok());
    EXPECT_FALSE(make_scram_credential(scram_mechanism::sha512, "pw", "", 16385).ok());
    EXPECT_EQ(parse_scram_mechanism("SCRAM-SHA-512"), scram_mechanism::sha512);
    EXPECT_FALSE(parse_scram_mechanism("SCRAM-SHA-1").has_value());
}

TEST(scram, base64_round_trips_and_refuses_malformed_text) {
    for (const std::string& raw :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        auto back = base64_decode(base64_encode(raw));
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(back.value(), raw);
    }
    EXPECT_FALSE(base64_decode("abc").ok());
    EXPECT_FALSE(base64_decode("ab!=").ok());
}

}  // namespace
}  // namespace scram_test
}  // namespace spate::security
