#include "kafka/client/client_properties.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace spate::kafka::client {
namespace client_properties_test {
namespace {

// The last value of `key` in a property list.
std::string prop(const property_list& p, const std::string& key) {
    std::string v = "<unset>";
    for (const auto& [k, val] : p)
        if (k == key) v = val;
    return v;
}

result<client_config> from_text(const std::string& text) {
    auto lines = parse_properties_text(text);
    SPATE_TRY(lines);
    client_config c;
    SPATE_TRY(apply_client_properties(c, *lines, "client.properties"));
    return c;
}

// A temporary directory holding files the tests name.
class temp_dir {
  public:
    temp_dir() {
        char tmpl[] = "/tmp/spate_client_props_XXXXXX";
        _path = ::mkdtemp(tmpl);
    }
    ~temp_dir() { std::filesystem::remove_all(_path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::string p = _path + "/" + name;
        std::ofstream(p) << text;
        return p;
    }

  private:
    std::string _path;
};

TEST(parse_properties_text, separators_comments_blanks_and_escapes) {
    auto r = parse_properties_text(
        "# comment\n"
        "! also a comment\n"
        "\n"
        "  a=1\n"
        "b : two words  \n"
        "c\tspaced\r\n"
        "d=x\\\n"
        "    y\n"
        "e=tab\\there\\u00e9\\=\\\\\n"
        "f\n"
        "g=keep\\ \n"
        "h=last");
    ASSERT_TRUE(r.ok()) << r.err().message;
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& p : *r)
        got.emplace_back(p.key, p.value);
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"a", "1"},
                                                                     {"b", "two words"},
                                                                     {"c", "spaced"},
                                                                     {"d", "xy"},
                                                                     {"e", "tab\there\xc3\xa9=\\"},
                                                                     {"f", ""},
                                                                     {"g", "keep "},
                                                                     {"h", "last"}}));
    EXPECT_EQ((*r)[0].line, 4);
    EXPECT_EQ((*r)[3].line, 7);  // a continued entry reports its first line
    EXPECT_EQ((*r)[4].line, 9);
}

TEST(parse_properties_text, bad_unicode_escape_is_refused_with_its_line) {
    for (const char* bad : {"a=1\nb=\\u12", "a=1\nb=\\uzzzz", "a=1\nb=\\ud800"}) {
        auto r = parse_properties_text(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.err().message.find("line 2"), std::string::npos) << r.err().message;
    }
}

TEST(apply_client_properties, sasl_ssl_scram_maps_every_key) {
    temp_dir d;
    std::string ca = d.write("ca.pem", "x");
    auto c = from_text(
        "security.protocol=sasl_ssl\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        "sasl.username=admin\n"
        "sasl.password=s3cret=!\n"
        "ssl.ca.location=" +
        ca + "\nssl.endpoint.identification.algorithm=\n");
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->security_protocol, security_protocol::sasl_ssl);
    EXPECT_EQ(c->sasl_mechanism, sasl_mechanism::scram_sha_512);
    EXPECT_EQ(c->sasl_username, "admin");
    EXPECT_EQ(c->sasl_password, "s3cret=!");
    EXPECT_EQ(c->ssl_ca_location, ca);
    EXPECT_FALSE(c->ssl_verify_hostname);
}

TEST(apply_client_properties, unknown_key_names_the_key_file_and_line) {
    auto c = from_text("security.protocol=SSL\nssl.truststore.location=/x\n");
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.err().code, errc::invalid_argument);
    EXPECT_NE(c.err().message.find("client.properties:2"), std::string::npos) << c.err().message;
    EXPECT_NE(c.err().message.find("unknown key 'ssl.truststore.location'"), std::string::npos)
        << c.err().message;
    auto jaas = from_text("sasl.jaas.config=x required;\n");
    ASSERT_FALSE(jaas.ok());
    EXPECT_NE(jaas.err().message.find("sasl.username"), std::string::npos) << jaas.err().message;
}

TEST(apply_client_properties, bad_values_are_refused_naming_the_key) {
    for (const char* text : {"security.protocol=TLS\n", "sasl.mechanism=GSSAPI\n",
                             "ssl.endpoint.identification.algorithm=yes\n"}) {
        auto c = from_text(text);
        ASSERT_FALSE(c.ok()) << text;
        std::string key(text, std::string(text).find('='));
        EXPECT_NE(c.err().message.find(key + ": invalid value"), std::string::npos)
            << c.err().message;
    }
}

TEST(apply_client_properties, incomplete_settings_are_refused) {
    auto no_user = from_text("security.protocol=SASL_PLAINTEXT\nsasl.password=p\n");
    ASSERT_FALSE(no_user.ok());
    EXPECT_NE(no_user.err().message.find("sasl.username is required"), std::string::npos)
        << no_user.err().message;
    auto no_pass = from_text("security.protocol=SASL_PLAINTEXT\nsasl.username=u\n");
    ASSERT_FALSE(no_pass.ok());
    EXPECT_NE(no_pass.err().message.find("sasl.password is required"), std::string::npos);
    temp_dir d;
    std::string cert = d.write("c.pem", "x");
    auto half = from_text("security.protocol=SSL\nssl.certificate.location=" + cert + "\n");
    ASSERT_FALSE(half.ok());
    EXPECT_NE(half.err().message.find("go together"), std::string::npos) << half.err().message;
    auto missing = from_text("security.protocol=SSL\nssl.ca.location=/nonexistent/ca.pem\n");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.err().message.find("ssl.ca.location: cannot read"), std::string::npos)
        << missing.err().message;
    // Settings of the other protocol family are ignored, as Kafka's clients do.
    EXPECT_TRUE(from_text("security.protocol=PLAINTEXT\nssl.ca.location=/nonexistent\n").ok());
}

TEST(apply_client_properties, leaves_the_config_unchanged_on_error) {
    client_config c;
    c.sasl_username = "before";
    auto lines = parse_properties_text("sasl.username=after\nnope=1\n");
    ASSERT_TRUE(lines.ok());
    EXPECT_FALSE(apply_client_properties(c, *lines, "f").ok());
    EXPECT_EQ(c.sasl_username, "before");
}

TEST(load_client_properties, reads_a_file_and_refuses_unreadable_ones) {
    temp_dir d;
    std::string f = d.write("client.properties",
                            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                            "sasl.username=u\nsasl.password=p\n");
    client_config c;
    ASSERT_TRUE(load_client_properties(c, f).ok());
    EXPECT_EQ(c.security_protocol, security_protocol::sasl_plaintext);
    auto missing = load_client_properties(c, f + ".missing");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.err().code, errc::io_error);
    std::string bad = d.write("bad.properties", "x.y=1\n");
    auto refused = load_client_properties(c, bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.err().message.find(bad + ":1: unknown key 'x.y'"), std::string::npos)
        << refused.err().message;
}

TEST(base_properties, security_settings_map_to_librdkafka) {
    client_config c;
    EXPECT_EQ(prop(base_properties(c), "security.protocol"), "<unset>");
    c.security_protocol = security_protocol::sasl_ssl;
    c.sasl_mechanism = sasl_mechanism::scram_sha_256;
    c.sasl_username = "u";
    c.sasl_password = "p";
    c.ssl_ca_location = "/ca.pem";
    c.ssl_verify_hostname = false;
    auto p = base_properties(c);
    EXPECT_EQ(prop(p, "security.protocol"), "SASL_SSL");
    EXPECT_EQ(prop(p, "sasl.mechanisms"), "SCRAM-SHA-256");
    EXPECT_EQ(prop(p, "sasl.username"), "u");
    EXPECT_EQ(prop(p, "sasl.password"), "p");
    EXPECT_EQ(prop(p, "ssl.ca.location"), "/ca.pem");
    EXPECT_EQ(prop(p, "ssl.certificate.location"), "<unset>");
    EXPECT_EQ(prop(p, "ssl.endpoint.identification.algorithm"), "none");
    c.security_protocol = security_protocol::ssl;
    c.ssl_certificate_location = "/c.pem";
    c.ssl_key_location = "/c.key";
    p = base_properties(c);
    EXPECT_EQ(prop(p, "security.protocol"), "SSL");
    EXPECT_EQ(prop(p, "sasl.username"), "<unset>");
    EXPECT_EQ(prop(p, "ssl.certificate.location"), "/c.pem");
    EXPECT_EQ(prop(p, "ssl.key.location"), "/c.key");
}

TEST(security_names, parse_ignores_case_and_round_trips) {
    for (auto p : {security_protocol::plaintext, security_protocol::ssl,
                   security_protocol::sasl_plaintext, security_protocol::sasl_ssl})
        EXPECT_EQ(parse_security_protocol(security_protocol_name(p)), p);
    EXPECT_EQ(parse_security_protocol("sasl_ssl"), security_protocol::sasl_ssl);
    EXPECT_FALSE(parse_security_protocol("SASL_SSL "));
    EXPECT_EQ(parse_sasl_mechanism("scram-sha-512"), sasl_mechanism::scram_sha_512);
    EXPECT_FALSE(parse_sasl_mechanism("SCRAM-SHA-1"));
}

}  // namespace
}  // namespace client_properties_test
}  // namespace spate::kafka::client
