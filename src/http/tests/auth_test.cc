#include "http/auth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/registry_access.h"
#include "http/registry_api.h"
#include "http/server.h"
#include "http/tests/fake_registry.h"
#include "http/uri.h"
#include "security/authorizer.h"
#include "security/scram.h"

namespace spate::http {
namespace auth_test {
namespace {

using security::acl_operation;
using security::resource_type;

std::string basic(std::string_view user_colon_password) {
    return "Basic " + security::base64_encode(user_colon_password);
}

TEST(basic_authorization, parses_user_and_password_with_colons_and_any_scheme_case) {
    auto c = parse_basic_authorization(basic("alice:pa:ss word"));
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->user, "alice");
    EXPECT_EQ(c->password, "pa:ss word");
    auto lower = parse_basic_authorization("basic   " + security::base64_encode("bob:") + "  ");
    ASSERT_TRUE(lower.ok()) << lower.err().message;
    EXPECT_EQ(lower->user, "bob");
    EXPECT_EQ(lower->password, "");
}

TEST(basic_authorization, malformed_headers_are_refused) {
    for (const std::string& bad :
         {std::string(), std::string("Basic"), std::string("Basic "), std::string("Bearer abc"),
          std::string("Basicx ") + security::base64_encode("a:b"), std::string("Basic not*base64"),
          std::string("Basic YWJj"),     // "abc": no ':'
          std::string("Basic YWJjZA="),  // bad padding
          basic(":password"),            // empty user
          basic(std::string("al\0ice:pw", 9)), basic("alice:pw\r\nX: y"),
          std::string("Basic ") + security::base64_encode("a:b") + " extra"}) {
        EXPECT_FALSE(parse_basic_authorization(bad).ok()) << bad;
    }
}

// An identity model over an in-memory authorizer, with users "alice"
// (password "right") and the audit lines it was given.
class fake_identity final : public identity_model {
  public:
    bool check_password(const std::string& user, std::string_view password) override {
        ++checks;
        return user == "alice" && password == "right";
    }
    void audit_authentication(const net::connection_info&, std::string_view principal,
                              std::string_view mechanism, bool success, std::string_view) override {
        audits.push_back(std::string(success ? "ok " : "failed ") + std::string(mechanism) + " " +
                         std::string(principal));
    }
    bool authorize(const net::connection_info& who, acl_operation op, resource_type type,
                   std::string_view name, std::string_view) override {
        bool ok = allowed(who, op, type, name);
        if (!ok) denied.push_back(std::string(name));
        return ok;
    }
    bool allowed(const net::connection_info& who, acl_operation op, resource_type type,
                 std::string_view name) override {
        return acls.authorize({who.user.to_string(), who.peer_address}, op, type, name);
    }

    security::authorizer acls{{{"User:admin"}, false}};
    int checks = 0;
    std::vector<std::string> audits;
    std::vector<std::string> denied;
};

net::connection_info peer() {
    net::connection_info c;
    c.listener = "http";
    c.peer_address = "127.0.0.1";
    return c;
}

TEST(request_authenticator, basic_accepts_the_right_password_once_per_connection) {
    fake_identity id;
    auth_settings s{.method = authentication_method::basic};
    request_authenticator a(s, &id);
    auto h = basic("alice:right");
    for (int i = 0; i < 3; ++i) {
        auto who = a.authenticate(h, peer(), false);
        ASSERT_TRUE(who.ok());
        EXPECT_EQ(who->to_string(), "User:alice");
    }
    EXPECT_EQ(id.checks, 1);
    EXPECT_EQ(id.audits, std::vector<std::string>{"ok BASIC User:alice"});
}

TEST(request_authenticator, basic_refuses_wrong_unknown_missing_and_malformed_alike) {
    fake_identity id;
    auth_settings s{.method = authentication_method::basic};
    request_authenticator a(s, &id);
    EXPECT_FALSE(a.authenticate(basic("alice:wrong"), peer(), false).ok());
    EXPECT_FALSE(a.authenticate(basic("mallory:right"), peer(), false).ok());
    EXPECT_FALSE(a.authenticate("", peer(), false).ok());
    EXPECT_FALSE(a.authenticate("Basic %%%", peer(), false).ok());
    EXPECT_EQ(id.audits,
              (std::vector<std::string>{"failed BASIC User:alice", "failed BASIC User:mallory",
                                        "failed BASIC ", "failed BASIC "}));
    // A success after failures, then a wrong password on the same
    // connection is checked again (not the remembered header).
    EXPECT_TRUE(a.authenticate(basic("alice:right"), peer(), false).ok());
    EXPECT_FALSE(a.authenticate(basic("alice:nope"), peer(), false).ok());
    auto r = unauthorized_response(s);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(nlohmann::json::parse(r.body)["error_code"], 40101);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(r.headers[0].second, "Basic realm=\"spate\"");
}

TEST(request_authenticator, a_certificate_principal_needs_no_header_and_none_lets_anyone_in) {
    fake_identity id;
    auth_settings s{.method = authentication_method::basic};
    request_authenticator a(s, &id);
    auto conn = peer();
    conn.user = {"User", "svc"};
    auto who = a.authenticate("", conn, true);
    ASSERT_TRUE(who.ok());
    EXPECT_EQ(who->to_string(), "User:svc");

    auth_settings none;
    request_authenticator open(none, &id);
    auto anon = open.authenticate(basic("alice:wrong"), peer(), false);
    ASSERT_TRUE(anon.ok());
    EXPECT_EQ(anon->to_string(), "User:ANONYMOUS");
    EXPECT_EQ(id.checks, 0);
}

class registry_acl_test : public ::testing::Test {
  protected:
    registry_acl_test() {
        add_registry_routes(
            _routes, [this]() -> std::shared_ptr<registry::service> { return _svc; }, _id);
        allow("User:alice", acl_operation::write, "orders-", security::pattern_type::prefixed);
        allow("User:alice", acl_operation::read, "orders-value");
        allow("User:bob", acl_operation::read, "payments");
    }
    void allow(const std::string& who, acl_operation op, const std::string& subject,
               security::pattern_type p = security::pattern_type::literal) {
        for (const auto& s : _id->acls.create({{{resource_type::subject, subject, p},
                                                {who, "*", op, security::permission_type::allow}}}))
            ASSERT_TRUE(s.ok());
    }
    response call(const std::string& user, verb method, std::string_view target,
                  std::string body = {}) {
        request req;
        req.method = method;
        req.target = std::string(target);
        auto parts = parse_target(target);
        req.query = parts->query;
        req.body = std::move(body);
        if (!req.body.empty()) req.content_type = k_registry_content_type;
        req.peer = peer();
        req.peer.user = {"User", user};
        return _routes.dispatch(req, parts->segments);
    }
    int code(const response& r) {
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        return j.is_object() ? j.value("error_code", 0) : 0;
    }

    router _routes;
    std::shared_ptr<testing::fake_registry> _svc = std::make_shared<testing::fake_registry>();
    std::shared_ptr<fake_identity> _id = std::make_shared<fake_identity>();
};

TEST_F(registry_acl_test, write_on_a_prefixed_subject_registers_others_get_403) {
    const std::string schema = R"({"schema": "\"string\""})";
    EXPECT_EQ(call("alice", verb::post, "/subjects/orders-value/versions", schema).status, 200u);
    auto r = call("bob", verb::post, "/subjects/orders-value/versions", schema);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(code(r), 40301);
    EXPECT_NE(r.body.find("Write"), std::string::npos) << r.body;
    EXPECT_EQ(call("alice", verb::post, "/subjects/payments/versions", schema).status, 403u);
    EXPECT_EQ(_id->denied, (std::vector<std::string>{"orders-value", "payments"}));
    EXPECT_EQ(call("admin", verb::post, "/subjects/payments/versions", schema).status, 200u);
}

TEST_F(registry_acl_test, reads_deletes_and_configs_need_their_operations) {
    const std::string schema = R"({"schema": "\"string\""})";
    ASSERT_EQ(call("admin", verb::post, "/subjects/orders-value/versions", schema).status, 200u);
    EXPECT_EQ(call("alice", verb::get, "/subjects/orders-value/versions/1").status, 200u);
    EXPECT_EQ(call("bob", verb::get, "/subjects/orders-value/versions/1").status, 403u);
    EXPECT_EQ(call("alice", verb::delete_, "/subjects/orders-value").status, 403u);
    EXPECT_EQ(
        call("alice", verb::put, "/config/orders-value", R"({"compatibility":"NONE"})").status,
        403u);
    EXPECT_EQ(call("alice", verb::get, "/config").status, 403u);
    allow("User:alice", acl_operation::alter_configs, "orders-value");
    EXPECT_EQ(
        call("alice", verb::put, "/config/orders-value", R"({"compatibility":"NONE"})").status,
        200u);
    // ALTER_CONFIGS implies DESCRIBE_CONFIGS.
    EXPECT_NE(call("alice", verb::get, "/config/orders-value").status, 403u);
    // The schema by id: READ on a subject holding it.
    EXPECT_EQ(call("alice", verb::get, "/schemas/ids/1").status, 200u);
    EXPECT_EQ(call("bob", verb::get, "/schemas/ids/1").status, 403u);
    // Open endpoints.
    EXPECT_EQ(call("bob", verb::get, "/schemas/types").status, 200u);
}

TEST_F(registry_acl_test, listings_keep_only_describable_subjects) {
    const std::string schema = R"({"schema": "\"string\""})";
    for (const char* s : {"orders-value", "orders-key", "payments", "secret"})
        ASSERT_EQ(
            call("admin", verb::post, std::string("/subjects/") + s + "/versions", schema).status,
            200u);
    auto alice = nlohmann::json::parse(call("alice", verb::get, "/subjects").body);
    EXPECT_EQ(alice, nlohmann::json::array({"orders-key", "orders-value"}));
    auto bob = nlohmann::json::parse(call("bob", verb::get, "/subjects").body);
    EXPECT_EQ(bob, nlohmann::json::array({"payments"}));
    auto bob_schemas = nlohmann::json::parse(call("bob", verb::get, "/schemas").body);
    ASSERT_EQ(bob_schemas.size(), 1u);
    EXPECT_EQ(bob_schemas[0]["subject"], "payments");
    // Filters audit nothing.
    EXPECT_TRUE(_id->denied.empty());
}

TEST(registry_access, forbidden_names_operation_and_resource_as_confluent) {
    auto r = registry_access::forbidden(acl_operation::alter_configs, resource_type::cluster,
                                        "kafka-cluster");
    EXPECT_EQ(r.status, 403u);
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error_code"], 40301);
    EXPECT_EQ(j["message"], "User is denied operation AlterConfigs on Cluster: kafka-cluster");
}

}  // namespace
}  // namespace auth_test
}  // namespace spate::http
