#include "http/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/uri.h"

namespace spate::http {
namespace router_test {
namespace {

// Dispatches METHOD TARGET through `r`.
response call(const router& r, verb method, std::string_view target) {
    request req;
    req.method = method;
    req.target = std::string(target);
    auto parts = parse_target(target);
    EXPECT_TRUE(parts.ok());
    req.query = parts->query;
    return r.dispatch(req, parts->segments);
}

// A handler answering "NAME param=value ...".
handler echo(std::string name) {
    return [name](const request& req) {
        std::string out = name;
        for (const auto& [k, v] : req.params)
            out += " " + k + "=" + v;
        return response{.body = out};
    };
}

nlohmann::json json_of(const response& r) {
    return nlohmann::json::parse(r.body);
}

TEST(router, matches_literals_and_decoded_parameters) {
    router r;
    r.add(verb::get, "/subjects/{subject}/versions/{version}", echo("version"));
    auto res = call(r, verb::get, "/subjects/a%2Fb/versions/latest");
    EXPECT_EQ(res.status, 200u);
    EXPECT_EQ(res.body, "version subject=a/b version=latest");
}

TEST(router, the_route_with_more_literal_segments_wins) {
    router r;
    r.add(verb::get, "/schemas/{any}", echo("param"));
    r.add(verb::get, "/schemas/types", echo("types"));
    EXPECT_EQ(call(r, verb::get, "/schemas/types").body, "types");
    EXPECT_EQ(call(r, verb::get, "/schemas/other").body, "param any=other");
}

TEST(router, root_route_matches_the_bare_slash) {
    router r;
    r.add(verb::get, "/", echo("root"));
    EXPECT_EQ(call(r, verb::get, "/").body, "root");
}

TEST(router, unknown_path_is_404_with_the_json_error) {
    router r;
    r.add(verb::get, "/subjects", echo("subjects"));
    auto res = call(r, verb::get, "/nothing/here");
    EXPECT_EQ(res.status, 404u);
    EXPECT_EQ(json_of(res)["error_code"], 404);
    EXPECT_TRUE(json_of(res)["message"].is_string());
}

TEST(router, a_parameter_does_not_match_an_empty_segment) {
    router r;
    r.add(verb::get, "/subjects/{subject}/versions", echo("versions"));
    EXPECT_EQ(call(r, verb::get, "/subjects//versions").status, 404u);
}

TEST(router, known_path_with_another_method_is_405_listing_the_allowed_ones) {
    router r;
    r.add(verb::get, "/config", echo("get"));
    r.add(verb::put, "/config", echo("put"));
    auto res = call(r, verb::post, "/config");
    EXPECT_EQ(res.status, 405u);
    EXPECT_EQ(json_of(res)["error_code"], 405);
    ASSERT_EQ(res.headers.size(), 1u);
    EXPECT_EQ(res.headers[0].first, "Allow");
    EXPECT_EQ(res.headers[0].second, "GET, PUT");
}

TEST(router, query_flags_are_case_insensitive_true_and_false_otherwise) {
    router r;
    r.add(verb::get, "/x", [](const request& req) {
        return response{.body = std::string(req.query_flag("a") ? "1" : "0") +
                                (req.query_flag("b") ? "1" : "0") +
                                (req.query_flag("c") ? "1" : "0") +
                                std::string(req.query_value("d").value_or("-"))};
    });
    EXPECT_EQ(call(r, verb::get, "/x?a=TRUE&b=yes&c").body, "100-");
    EXPECT_EQ(call(r, verb::get, "/x?a=True&d=v&d=w").body, "100v");
}

TEST(media_type, drops_parameters_and_case) {
    EXPECT_EQ(media_type("Application/JSON; charset=UTF-8"), "application/json");
    EXPECT_EQ(media_type("  application/vnd.schemaregistry.v1+json "),
              "application/vnd.schemaregistry.v1+json");
    EXPECT_EQ(media_type(""), "");
}

TEST(error_response, replaces_invalid_utf8_instead_of_failing) {
    auto res = error_response(404, 40401, std::string("Subject '\xff' not found"));
    EXPECT_EQ(res.status, 404u);
    auto j = json_of(res);
    EXPECT_EQ(j["error_code"], 40401);
    EXPECT_NE(j["message"].get<std::string>().find("not found"), std::string::npos);
}

}  // namespace
}  // namespace router_test
}  // namespace spate::http
