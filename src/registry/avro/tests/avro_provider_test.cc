#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "registry/core/provider.h"

namespace spate::registry {
namespace avro_provider_test {
namespace {

const schema_provider& avro() {
    return provider_for(schema_type::avro);
}

parsed_schema_ptr parsed(const std::string& text,
                         const std::vector<resolved_reference>& refs = {}) {
    auto p = avro().parse(text, refs);
    EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.err().message);
    return p.ok() ? p.value() : nullptr;
}

std::string canonical(const std::string& text) {
    auto p = parsed(text);
    return p ? p->canonical() : "";
}

std::string normalized(const std::string& text) {
    auto p = parsed(text);
    return p ? p->normalized() : "";
}

struct bad_case {
    const char* text;
    const char* message;
};

const bad_case k_bad_cases[] = {
    {R"({"type":)", "Invalid schema: not JSON: "},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"double","default":1e400}]})",
     "Invalid schema: not JSON: number overflow"},
    {R"("strin")", "Invalid schema: unknown type 'strin'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"strin"}]})",
     "Invalid schema: unknown type 'strin' in field 'f'"},
    {R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"B",
            "fields":[{"name":"b","type":{"type":"array","items":"Nope"}}]}}]})",
     "unknown type 'Nope' in field 'a.b'"},
    {R"({"type":"record","name":"R"})", "record 'R' has no \"fields\" array"},
    {R"({"type":"record","fields":[]})", "a record has no \"name\""},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"int"},{"name":"f","type":"long"}]})",
     "duplicate field 'f' in record 'R'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f"}]})", "field 'f' has no \"type\""},
    {R"({"type":"record","name":"R","fields":[{"name":"9f","type":"int"}]})",
     "invalid field name '9f'"},
    {R"({"type":"record","name":"1R","fields":[]})", "invalid record name '1R'"},
    {R"({"type":"record","name":"R","namespace":"a..b","fields":[]})", "invalid namespace 'a..b'"},
    {R"({"type":"record","name":"int","fields":[]})", "'int' is a primitive type"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"x"}]})",
     "invalid default for field 'f': \"x\" is not a valid int"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","default":3000000000}]})",
     "invalid default for field 'f'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","default":1.5}]})",
     "invalid default for field 'f'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":["null","string"],"default":"x"}]})",
     "is not a valid null (a union's default matches its first type)"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":{"type":"enum","name":"E",
            "symbols":["A"]},"default":"B"}]})",
     "is not a symbol of enum 'E'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":{"type":"array","items":"int"},
            "default":[1,"2"]}]})",
     "invalid default for field 'f'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":{"type":"record","name":"S",
            "fields":[{"name":"x","type":"int"}]},"default":{}}]})",
     "is not a valid record 'S'"},
    {R"({"type":"enum","name":"E","symbols":["A","B"],"default":"C"})",
     "the default 'C' of enum 'E' is not a symbol"},
    {R"({"type":"enum","name":"E","symbols":["A","A"]})", "duplicate symbol \"A\""},
    {R"({"type":"enum","name":"E","symbols":["A","2B"]})", "invalid symbol \"2B\""},
    {R"({"type":"enum","name":"E","symbols":[]})", "enum 'E' has no \"symbols\""},
    {R"({"type":"fixed","name":"F"})", "fixed 'F' needs a \"size\""},
    {R"({"type":"fixed","name":"F","size":-1})", "fixed 'F' needs a \"size\""},
    {R"(["int","long","int"])", "a union contains INT twice"},
    {R"(["null",["int"]])", "may not directly contain another union"},
    {R"([])", "a union needs at least one type"},
    {R"({"type":"array"})", "an array has no \"items\""},
    {R"({"type":"map","items":"int"})", "a map has no \"values\""},
    {R"({"type":{"type":"string"}})", "\"type\" must be a string"},
    {R"({"items":"int"})", "a schema object needs a \"type\""},
    {R"(42)", "a type must be a name, an object or an array, not 42"},
    {R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F",
            "size":4}},{"name":"b","type":{"type":"fixed","name":"F","size":8}}]})",
     "type 'F' is defined twice in field 'b'"},
    {R"({"type":"record","name":"R","fields":[{"name":"a","type":"Later"},
            {"name":"b","type":{"type":"enum","name":"Later","symbols":["X"]}}]})",
     "unknown type 'Later' in field 'a'"},
    {R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"sideways"}]})",
     "\"order\" of field 'f' must be ascending, descending or ignore"},
    {R"({"type":"record","name":"R","doc":7,"fields":[]})",
     "\"doc\" of record 'R' must be a string"},
    {R"({"type":"record","name":"R","aliases":["ok","no way"],"fields":[]})",
     "invalid alias 'no way' of record 'R'"},
};

TEST(avro_parse, invalid_schemas_fail_with_a_message_saying_what_and_where) {
    for (const auto& c : k_bad_cases) {
        auto p = avro().parse(c.text, {});
        ASSERT_FALSE(p.ok()) << c.text;
        EXPECT_EQ(p.err().code, errc::invalid_argument) << c.text;
        EXPECT_NE(p.err().message.find(c.message), std::string::npos)
            << c.text << "\n  got: " << p.err().message << "\n  want: " << c.message;
        EXPECT_EQ(p.err().message.rfind("Invalid schema: ", 0), 0u) << p.err().message;
    }
}

TEST(avro_parse, deeply_nested_input_is_refused_not_recursed_into) {
    std::string text;
    for (int i = 0; i < 5000; ++i)
        text += R"({"type":"array","items":)";
    text += R"("int")";
    for (int i = 0; i < 5000; ++i)
        text += "}";
    auto p = avro().parse(text, {});
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.err().message.find("nested more than"), std::string::npos) << p.err().message;
}

const char* const k_valid_schemas[] = {
    R"("null")",
    R"("boolean")",
    R"("int")",
    R"("long")",
    R"("float")",
    R"("double")",
    R"("bytes")",
    R"("string")",
    R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})",
    R"({"type":"fixed","name":"Money","size":8,"logicalType":"decimal","precision":18})",
    R"({"type":"string","logicalType":"uuid"})",
    R"({"type":"int","logicalType":"date"})",
    R"({"type":"int","logicalType":"time-millis"})",
    R"({"type":"long","logicalType":"time-micros"})",
    R"({"type":"long","logicalType":"timestamp-millis"})",
    R"({"type":"long","logicalType":"timestamp-micros"})",
    R"({"type":"long","logicalType":"local-timestamp-millis"})",
    R"({"type":"long","logicalType":"local-timestamp-micros"})",
    R"({"type":"fixed","name":"D","size":12,"logicalType":"duration"})",
    R"({"type":"error","name":"Oops","fields":[{"name":"why","type":"string"}]})",
    R"({"type":"record","name":"R","fields":[
            {"name":"n","type":"null","default":null},
            {"name":"b","type":"boolean","default":true},
            {"name":"i","type":"int","default":-2147483648},
            {"name":"l","type":"long","default":9223372036854775807},
            {"name":"f","type":"float","default":1.5},
            {"name":"d","type":"double","default":"NaN"},
            {"name":"s","type":"string","default":"x"},
            {"name":"y","type":"bytes","default":"\u00ff"},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"},"default":"B"},
            {"name":"x","type":{"type":"fixed","name":"F","size":2},"default":"ab"},
            {"name":"a","type":{"type":"array","items":"int"},"default":[1,2]},
            {"name":"m","type":{"type":"map","values":"E"},"default":{"k":"A"}},
            {"name":"u","type":["string","null"],"default":"first"},
            {"name":"r","type":{"type":"record","name":"S","fields":[
                {"name":"p","type":"int"},{"name":"q","type":"int","default":0}]},"default":{"p":1}},
            {"name":"again","type":"S"},
            {"name":"again_object","type":{"type":"S"}}]})",
    // A name used inside a namespace falls back to the null namespace.
    R"({"type":"record","name":"R","namespace":"ns","fields":[
            {"name":"a","type":{"type":"enum","name":"E","namespace":"","symbols":["X"]}},
            {"name":"b","type":"E"}]})",
    // Recursion through the record's own name, short and full.
    R"({"type":"record","name":"Node","namespace":"list","fields":[
            {"name":"next","type":["null","Node"]},{"name":"prev","type":["null","list.Node"]}]})",
};

TEST(avro_parse, accepts_every_type_logical_types_and_valid_defaults) {
    for (const char* text : k_valid_schemas)
        EXPECT_TRUE(parsed(text)) << text;
}

TEST(avro_canonical, whitespace_and_attribute_order_do_not_change_the_text) {
    const std::string a = R"({"type":"record","name":"User","namespace":"com.acme","doc":"a user",
        "fields":[{"name":"id","type":"long","doc":"key"},
                  {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
                  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],"default":"A"}}]})";
    const std::string b = R"(  {
        "fields" : [ { "doc" : "key", "type" : "long", "name" : "id" },
                     { "default" : [ ], "name" : "tags", "type" : { "items" : "string", "type" : "array" } },
                     { "type" : { "default" : "A", "symbols" : [ "A", "B" ], "name" : "Kind", "type" : "enum" }, "name" : "kind" } ],
        "doc" : "a user", "namespace" : "com.acme", "name" : "User", "type" : "record" }  )";
    EXPECT_EQ(canonical(a), canonical(b));
    EXPECT_EQ(
        canonical(a),
        R"({"type":"record","name":"User","namespace":"com.acme","doc":"a user","fields":[)"
        R"({"name":"id","type":"long","doc":"key"},)"
        R"({"name":"tags","type":{"type":"array","items":"string"},"default":[]},)"
        R"({"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],"default":"A"}}]})");
}

TEST(avro_canonical, primitives_written_as_objects_become_names) {
    EXPECT_EQ(canonical(R"({"type":"string"})"), R"("string")");
    EXPECT_EQ(canonical(R"( "string" )"), R"("string")");
    EXPECT_EQ(canonical(R"({"type":"map","values":{"type":"long"}})"),
              R"({"type":"map","values":"long"})");
    EXPECT_EQ(canonical(R"(["null",{"type":"int"}])"), R"(["null","int"])");
}

TEST(avro_canonical, keeps_logical_types_custom_properties_aliases_and_order) {
    EXPECT_EQ(canonical(R"({"scale":2,"precision":10,"logicalType":"decimal","type":"bytes"})"),
              R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})");
    EXPECT_EQ(
        canonical(R"({"type":"record","name":"R","x-z":1,"aliases":["Old"],"x-a":{"b":1,"a":2},
        "fields":[{"name":"f","type":"int","order":"descending","aliases":["g"],"x-f":true}]})"),
        R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"descending",)"
        R"("aliases":["g"],"x-f":true}],"aliases":["Old"],"x-a":{"a":2,"b":1},"x-z":1})");
    // Names stay as written: a use of a defined type is its name.
    EXPECT_EQ(canonical(R"({"type":"record","name":"a.R","fields":[{"name":"f","type":"R"},
        {"name":"g","type":{"type":"a.R"}}]})"),
              R"({"type":"record","name":"a.R","fields":[{"name":"f","type":"R"},)"
              R"({"name":"g","type":"a.R"}]})");
}

TEST(avro_normalized, qualifies_names_and_drops_what_does_not_change_meaning) {
    const std::string a =
        R"({"type":"record","name":"User","namespace":"com.acme","aliases":["Z","org.B"],
        "fields":[{"name":"f","type":{"type":"enum","name":"Kind","symbols":["A"]},"order":"ascending",
                   "aliases":["y","x"]},
                  {"name":"g","type":"Kind"},
                  {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":0}}]})";
    const std::string b =
        R"({"type":"record","name":"com.acme.User","aliases":["org.B","com.acme.Z"],
        "fields":[{"name":"f","type":{"type":"enum","name":"com.acme.Kind","symbols":["A"]},"aliases":["x","y"]},
                  {"name":"g","type":"com.acme.Kind"},
                  {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4}}]})";
    EXPECT_NE(canonical(a), canonical(b));
    EXPECT_EQ(normalized(a), normalized(b));
    EXPECT_EQ(
        normalized(a),
        R"({"type":"record","name":"com.acme.User","fields":[)"
        R"({"name":"f","type":{"type":"enum","name":"com.acme.Kind","symbols":["A"]},"aliases":["x","y"]},)"
        R"({"name":"g","type":"com.acme.Kind"},)"
        R"({"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4}}],)"
        R"("aliases":["com.acme.Z","org.B"]})");
}

TEST(avro_record_name, is_the_full_name_of_a_top_level_named_type) {
    EXPECT_EQ(parsed(R"({"type":"record","name":"User","namespace":"com.acme","fields":[]})")
                  ->record_name(),
              "com.acme.User");
    EXPECT_EQ(parsed(R"({"type":"record","name":"a.b.User","namespace":"ignored","fields":[]})")
                  ->record_name(),
              "a.b.User");
    EXPECT_EQ(
        parsed(R"({"type":"enum","name":"E","namespace":"n","symbols":["A"]})")->record_name(),
        "n.E");
    EXPECT_EQ(parsed(R"({"type":"fixed","name":"F","size":3})")->record_name(), "F");
    EXPECT_EQ(parsed(R"("string")")->record_name(), "");
    EXPECT_EQ(parsed(R"(["null",{"type":"record","name":"R","fields":[]}])")->record_name(), "");
}

resolved_reference ref(const std::string& name, const std::string& subject,
                       const std::string& text) {
    return resolved_reference{schema_reference{name, subject, schema_version(1)}, text};
}

const std::string k_address = R"({"type":"record","name":"Address","namespace":"com.acme",
    "fields":[{"name":"street","type":"string"},{"name":"country","type":"com.acme.Country"}]})";
const std::string k_country = R"({"type":"enum","name":"Country","namespace":"com.acme",
    "symbols":["FR","DE"]})";

TEST(avro_references, named_types_of_references_are_known_to_the_schema) {
    const std::vector<resolved_reference> refs{ref("com.acme.Country", "country", k_country),
                                               ref("com.acme.Address", "address", k_address)};
    const std::string text = R"({"type":"record","name":"User","namespace":"com.acme",
        "fields":[{"name":"home","type":"com.acme.Address"},{"name":"work","type":["null","Address"],
        "default":null},{"name":"born","type":"Country","default":"FR"}]})";
    auto p = parsed(text, refs);
    ASSERT_TRUE(p);
    // The stored text names referenced types; it does not inline them.
    EXPECT_EQ(p->canonical(), R"({"type":"record","name":"User","namespace":"com.acme","fields":[)"
                              R"({"name":"home","type":"com.acme.Address"},)"
                              R"({"name":"work","type":["null","Address"],"default":null},)"
                              R"({"name":"born","type":"Country","default":"FR"}]})");
    EXPECT_EQ(p->record_name(), "com.acme.User");
    // Without the references the names are unknown.
    auto alone = avro().parse(text, {});
    ASSERT_FALSE(alone.ok());
    EXPECT_NE(alone.err().message.find("unknown type 'com.acme.Address' in field 'home'"),
              std::string::npos)
        << alone.err().message;
    // A schema that is only a referenced name.
    auto bare = parsed(R"("com.acme.Address")", refs);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->record_name(), "com.acme.Address");
}

TEST(avro_references, compatibility_looks_into_referenced_types) {
    const std::string user = R"({"type":"record","name":"User","namespace":"com.acme",
        "fields":[{"name":"home","type":"com.acme.Address"}]})";
    auto v1 = parsed(user, {ref("com.acme.Country", "country", k_country),
                            ref("com.acme.Address", "address", k_address)});
    const std::string country_v2 = R"({"type":"enum","name":"Country","namespace":"com.acme",
        "symbols":["FR"]})";
    auto v2 = parsed(user, {ref("com.acme.Country", "country", country_v2),
                            ref("com.acme.Address", "address", k_address)});
    ASSERT_TRUE(v1 && v2);
    const auto back = avro().incompatibilities(*v2, *v1);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_NE(back[0].find("missing enum symbols '[DE]' at path "
                           "'/fields/0/type/fields/1/type/symbols'"),
              std::string::npos)
        << back[0];
    EXPECT_TRUE(avro().incompatibilities(*v1, *v2).empty());
}

TEST(avro_references, an_invalid_or_conflicting_reference_is_reported) {
    auto bad = avro().parse(R"("com.acme.Address")", {ref("com.acme.Address", "address", "{")});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.err().message.find("Invalid schema: reference 'com.acme.Address' (subject "
                                     "'address', version 1): not JSON"),
              std::string::npos)
        << bad.err().message;
    // Redefining a referenced name in the schema itself.
    auto twice = avro().parse(k_country, {ref("com.acme.Country", "country", k_country)});
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.err().message.find("type 'com.acme.Country' is defined twice"),
              std::string::npos)
        << twice.err().message;
    // The same dependency reached twice is parsed once.
    EXPECT_TRUE(parsed(R"("com.acme.Country")", {ref("com.acme.Country", "c", k_country),
                                                 ref("com.acme.Country", "c", k_country)}));
}

TEST(avro_parse, concurrent_parses_give_each_caller_its_own_answer) {
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &wrong] {
            for (int i = 0; i < 200; ++i) {
                const bool good = (i + t) % 2 == 0;
                auto p = avro().parse(good ? R"({"type":"array","items":"int"})" : R"("nope")", {});
                if (p.ok() != good) ++wrong[t];
                if (!good && !p.ok() && p.err().message.find("'nope'") == std::string::npos) {
                    ++wrong[t];
                }
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace avro_provider_test
}  // namespace spate::registry
