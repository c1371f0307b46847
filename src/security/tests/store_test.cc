// The records of the credential and ACL internal topics, and the stores
// replayed from them.

#include <gtest/gtest.h>

#include "security/acl_codec.h"
#include "security/authorizer.h"
#include "security/credential_store.h"

namespace spate::security {
namespace store_test {
namespace {

scram_credential credential(scram_mechanism m, const std::string& password) {
    auto c = make_scram_credential(m, password, "", 4096);
    EXPECT_TRUE(c.ok());
    return c.value();
}

TEST(credential_store, upserts_and_removals_round_trip_through_their_records) {
    credential_store store;
    store.upsert("alice", credential(scram_mechanism::sha256, "a256"));
    auto after = store.upsert("alice", credential(scram_mechanism::sha512, "a512"));
    ASSERT_EQ(after.size(), 2u);

    credential_store replica;
    ASSERT_TRUE(replica.apply("alice", encode_user_credentials(after)).ok());
    auto c = replica.find("alice", scram_mechanism::sha512);
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(verify_password(*c, "a512"));
    EXPECT_EQ(replica.describe("alice").size(), 2u);

    auto left = store.remove("alice", scram_mechanism::sha256);
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(left->size(), 1u);
    EXPECT_EQ(store.remove("alice", scram_mechanism::sha256).err().code, errc::not_found);
    ASSERT_TRUE(store.remove("alice", scram_mechanism::sha512).ok());
    EXPECT_TRUE(store.users().empty());
    ASSERT_TRUE(replica.apply("alice", std::nullopt).ok());
    EXPECT_FALSE(replica.find("alice", scram_mechanism::sha512).has_value());
}

TEST(credential_store, a_scram_exchange_authenticates_against_the_store) {
    credential_store store;
    store.upsert("bob", credential(scram_mechanism::sha256, "pw"));
    scram_server server(scram_mechanism::sha256, store.lookup());
    scram_client client(scram_mechanism::sha256, "bob", "pw");
    auto s1 = server.step(client.first());
    ASSERT_TRUE(s1.ok());
    auto s2 = server.step(client.final(s1.value()).value());
    ASSERT_TRUE(s2.ok());
    EXPECT_TRUE(client.verify(s2.value()).ok());
}

TEST(credential_store, malformed_records_are_refused_and_change_nothing) {
    credential_store store;
    user_credentials good{{scram_mechanism::sha256, credential(scram_mechanism::sha256, "x")}};
    std::string value = encode_user_credentials(good);
    std::string short_key = value;
    short_key.replace(short_key.find("\"stored_key\":\"") + 14, 4, "");
    for (const std::string& bad :
         {std::string("{"), std::string("[]"), std::string("{\"version\":2,\"credentials\":[]}"),
          std::string("{\"version\":1,\"credentials\":[]}"),
          std::string("{\"version\":1,\"credentials\":[{\"mechanism\":\"SCRAM-SHA-1\"}]}"),
          short_key}) {
        auto s = store.apply("u", bad);
        EXPECT_FALSE(s.ok()) << bad;
        if (!s.ok()) {
            EXPECT_EQ(s.err().code, errc::corrupt);
        }
    }
    EXPECT_TRUE(store.users().empty());
}

TEST(acl_codec, a_patterns_entries_round_trip_into_an_authorizer) {
    resource_pattern p{resource_type::topic, "team-", pattern_type::prefixed};
    std::vector<access_entry> entries{
        {"User:alice", "*", acl_operation::read, permission_type::allow},
        {"User:*", "10.1.1.1", acl_operation::all, permission_type::deny}};
    auto key = decode_acl_key(encode_acl_key(p));
    ASSERT_TRUE(key.ok()) << key.err().message;
    EXPECT_EQ(key.value(), p);
    auto back = decode_acl_entries(p, encode_acl_entries(entries));
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(back.value(), entries);

    authorizer a({{}, false});
    a.set(key.value(), back.value());
    EXPECT_TRUE(
        a.authorize({"User:alice", "h"}, acl_operation::read, resource_type::topic, "team-x"));
    EXPECT_FALSE(a.authorize({"User:alice", "10.1.1.1"}, acl_operation::read, resource_type::topic,
                             "team-x"));
}

TEST(acl_codec, malformed_keys_and_values_are_refused) {
    for (const char* bad : {"x", "{}", R"({"type":"TOPIC","pattern":"MATCH","name":"t"})",
                            R"({"type":"NOPE","pattern":"LITERAL","name":"t"})",
                            R"({"type":"CLUSTER","pattern":"LITERAL","name":"c"})"})
        EXPECT_FALSE(decode_acl_key(bad).ok()) << bad;
    resource_pattern p{resource_type::topic, "t", pattern_type::literal};
    for (
        const char* bad :
        {"[]", R"({"version":1,"entries":[]})",
         R"({"version":1,"entries":[{"principal":"alice","host":"*","operation":"READ","permission":"ALLOW"}]})",
         R"({"version":1,"entries":[{"principal":"User:a","host":"*","operation":"ANY","permission":"ALLOW"}]})"})
        EXPECT_FALSE(decode_acl_entries(p, bad).ok()) << bad;
}

TEST(acl_codec, subject_patterns_round_trip_and_decide_like_kafka_resources) {
    resource_pattern p{resource_type::subject, "orders-", pattern_type::prefixed};
    std::vector<access_entry> entries{
        {"User:alice", "*", acl_operation::write, permission_type::allow}};
    auto key = decode_acl_key(encode_acl_key(p));
    ASSERT_TRUE(key.ok()) << key.err().message;
    EXPECT_EQ(key.value(), p);
    EXPECT_NE(encode_acl_key(p).find("\"SUBJECT\""), std::string::npos);
    auto back = decode_acl_entries(p, encode_acl_entries(entries));
    ASSERT_TRUE(back.ok()) << back.err().message;

    authorizer a({{}, false});
    a.set(key.value(), back.value());
    const identity alice{"User:alice", "h"};
    EXPECT_TRUE(a.authorize(alice, acl_operation::write, resource_type::subject, "orders-value"));
    // WRITE implies DESCRIBE (listings), not READ; other subjects and the
    // same name as a topic are untouched.
    EXPECT_TRUE(
        a.authorize(alice, acl_operation::describe, resource_type::subject, "orders-value"));
    EXPECT_FALSE(a.authorize(alice, acl_operation::read, resource_type::subject, "orders-value"));
    EXPECT_FALSE(a.authorize(alice, acl_operation::write, resource_type::subject, "payments"));
    EXPECT_FALSE(a.authorize(alice, acl_operation::write, resource_type::topic, "orders-value"));
    EXPECT_FALSE(a.authorize({"User:bob", "h"}, acl_operation::write, resource_type::subject,
                             "orders-value"));
    // The authorized-operations set of a subject holds the subject operations.
    EXPECT_EQ(a.authorized_operations(alice, resource_type::subject, "orders-value"),
              (1 << int(acl_operation::write)) | (1 << int(acl_operation::describe)));
}

TEST(credential_store, check_password_accepts_any_mechanisms_password_and_refuses_the_rest) {
    credential_store store;
    store.upsert("alice",
                 make_scram_credential(scram_mechanism::sha512, "s3cret", "", 4096).value());
    EXPECT_TRUE(store.check_password("alice", "s3cret"));
    EXPECT_FALSE(store.check_password("alice", "wrong"));
    EXPECT_FALSE(store.check_password("alice", ""));
    EXPECT_FALSE(store.check_password("mallory", "s3cret"));
}

}  // namespace
}  // namespace store_test
}  // namespace spate::security
