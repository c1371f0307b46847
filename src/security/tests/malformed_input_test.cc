// Every parser of client- or file-supplied bytes in this module, fed
// mutations of valid inputs and random bytes: each answers a value or an
// error and never crashes (these run under ASan/UBSan in `make test`).

#include <gtest/gtest.h>

#include <random>

#include "security/acl_codec.h"
#include "security/credential_store.h"
#include "security/principal_mapping.h"
#include "security/sasl_session.h"

namespace spate::security {
namespace malformed_input_test {
namespace {

using namespace std::string_literals;

// Valid inputs with one to three random byte edits (replace, insert, erase).
class mutator {
  public:
    explicit mutator(uint32_t seed) : _rng(seed) {}
    std::string operator()(std::string s) {
        int edits = 1 + int(_rng() % 3);
        for (int i = 0; i < edits; ++i) {
            size_t at = s.empty() ? 0 : _rng() % s.size();
            char c = char(_rng() % 256);
            switch (_rng() % 3) {
                case 0:
                    if (!s.empty()) s[at] = c;
                    break;
                case 1:
                    s.insert(s.begin() + long(at), c);
                    break;
                default:
                    if (!s.empty()) s.erase(at, 1 + _rng() % 4);
            }
        }
        return s;
    }
    std::string random(size_t max_len) {
        std::string s(_rng() % max_len, '\0');
        for (auto& c : s)
            c = char(_rng() % 256);
        return s;
    }

  private:
    std::mt19937 _rng;
};

TEST(malformed_input, sasl_exchanges_survive_mutated_and_random_tokens) {
    credential_store users;
    users.upsert("alice", make_scram_credential(scram_mechanism::sha256, "pw", "", 4096).value());
    mutator mutate(1);
    scram_client good(scram_mechanism::sha256, "alice", "pw", "clientnonce");
    std::string first = good.first();
    int completed = 0;
    for (int i = 0; i < 3000; ++i) {
        sasl_session s(users, {"PLAIN", "SCRAM-SHA-256"});
        bool plain = i % 3 == 0;
        ASSERT_TRUE(s.select(plain ? "PLAIN" : "SCRAM-SHA-256").ok());
        std::string token = plain ? mutate("\0alice\0pw"s) : mutate(first);
        if (i % 10 == 0) token = mutate.random(200);
        auto r = s.step(token);
        if (!plain && r.ok()) {
            // A mutated first message may still be valid: mutate the final.
            std::string final = "c=biws,r=" + r.value().substr(2, r.value().find(',') - 2) +
                                ",p=" + base64_encode(std::string(32, 'x'));
            r = s.step(mutate(final));
        }
        // A mutation may give the valid token back (a byte replaced by itself).
        if (s.complete()) completed += token != "\0alice\0pw"s;
    }
    EXPECT_EQ(completed, 0);  // no other token logs in
}

TEST(malformed_input, record_decoders_and_mapping_rules_survive_mutations) {
    mutator mutate(2);
    user_credentials creds{
        {scram_mechanism::sha512,
         make_scram_credential(scram_mechanism::sha512, "pw", "", 4096).value()}};
    std::string cred_value = encode_user_credentials(creds);
    resource_pattern p{resource_type::topic, "t", pattern_type::literal};
    std::string acl_key = encode_acl_key(p);
    std::string acl_value =
        encode_acl_entries({{"User:a", "*", acl_operation::read, permission_type::allow}});
    credential_store store;
    for (int i = 0; i < 3000; ++i) {
        (void)store.apply("u", mutate(cred_value));
        (void)decode_acl_key(mutate(acl_key));
        (void)decode_acl_entries(p, mutate(acl_value));
        auto rules = principal_mapper::parse(mutate("RULE:^CN=(.*?),O=.*$/$1/L,DEFAULT"));
        if (rules.ok()) (void)rules->map(mutate("CN=a,O=b"));
        (void)base64_decode(mutate("QUJDRA=="));
    }
    SUCCEED();
}

}  // namespace
}  // namespace malformed_input_test
}  // namespace spate::security
