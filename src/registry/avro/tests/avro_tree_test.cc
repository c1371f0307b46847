// The part's internal views of a parsed tree.

#include <gtest/gtest.h>

#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {
namespace avro_tree_test {
namespace {

resolved_reference ref(const std::string& name, const std::string& text) {
    return resolved_reference{schema_reference{name, name, schema_version(1)}, text};
}

TEST(avro_tree, resolved_view_inlines_references_once_under_a_common_namespace) {
    const std::vector<resolved_reference> refs{
        ref("Id", R"({"type":"fixed","name":"Id","size":16,"doc":"dropped"})"),
        ref("x.Pair", R"({"type":"record","name":"Pair","namespace":"x",
            "fields":[{"name":"a","type":"Id"},{"name":"b","type":"Id"}]})")};
    auto t = parse_tree(R"({"type":"error","name":"E","namespace":"x","fields":[
        {"name":"p","type":"x.Pair","default":{"a":"0123456789abcdef","b":"0123456789abcdef"}},
        {"name":"q","type":["null","Pair"],"default":null},
        {"name":"when","type":{"type":"long","logicalType":"timestamp-millis"}}]})",
                        refs);
    ASSERT_TRUE(t.ok()) << t.err().message;
    // Structure only: no docs, defaults or logical types; "error" read as a
    // record; names in the null namespace still reachable from "x".
    EXPECT_EQ(
        write_resolved(t.value()->root),
        R"({"type":"record","name":"E","namespace":"spate.x","fields":[)"
        R"({"name":"p","type":{"type":"record","name":"Pair","namespace":"spate.x","fields":[)"
        R"({"name":"a","type":{"type":"fixed","name":"Id","namespace":"spate","size":16}},)"
        R"({"name":"b","type":"spate.Id"}]}},)"
        R"({"name":"q","type":["null","spate.x.Pair"]},)"
        R"({"name":"when","type":"long"}]})");
}

TEST(avro_tree, refs_point_at_their_definition) {
    auto t = parse_tree(R"({"type":"record","name":"Node","fields":[
        {"name":"next","type":["null","Node"]}]})",
                        {});
    ASSERT_TRUE(t.ok()) << t.err().message;
    const node* root = t.value()->root;
    const node* next = root->fields[0].type->branches[1];
    EXPECT_EQ(next->k, kind::ref);
    EXPECT_EQ(resolve(next), root);
    EXPECT_EQ(type_label(next), "RECORD");
}

}  // namespace
}  // namespace avro_tree_test
}  // namespace spate::registry::avro
