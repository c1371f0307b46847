#pragma once

// The Avro part's own model of a schema: an immutable tree built from the
// schema's JSON, owning every node (the referenced schemas' named types too)
// in one arena. Named types are defined once; every later use of a name is a
// `ref` node pointing at the definition, so recursive schemas are finite
// trees with back edges through `ref`. Internal to src/registry/avro/.
//
// Threading: a `tree` is immutable once `parse_tree` returns it.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/core/provider.h"

namespace spate::registry::avro {

using json = nlohmann::ordered_json;

enum class kind : uint8_t {
    null_type,
    boolean_type,
    int_type,
    long_type,
    float_type,
    double_type,
    bytes_type,
    string_type,
    record,
    enumeration,
    array,
    map,
    union_type,
    fixed,
    ref,  // a use of a named type defined elsewhere
};

struct node;

struct field {
    std::string name;
    const node* type = nullptr;
    std::optional<json> default_value;
    std::optional<std::string> doc;
    std::optional<std::vector<std::string>> aliases;
    std::optional<std::string> order;  // as written: ascending | descending | ignore
    json props = json::object();       // every other attribute, as written
};

struct node {
    kind k = kind::null_type;
    // Named types (record, enumeration, fixed) and refs: "name" as written.
    std::string written_name;
    std::optional<std::string> written_namespace;  // "namespace" as written
    std::string name;                              // the short name
    std::string space;                             // the namespace; "" is the null namespace
    std::string full_name;
    bool is_error = false;  // a record written as "error"
    std::optional<std::string> doc;
    std::optional<std::vector<std::string>> aliases;  // as written
    std::vector<std::string> full_aliases;            // qualified by `space`
    std::vector<field> fields;
    std::vector<std::string> symbols;
    std::optional<std::string> enum_default;
    int64_t size = 0;
    const node* items = nullptr;  // array items, map values
    std::vector<const node*> branches;
    const node* target = nullptr;  // ref: the definition
    // Every other attribute, as written: logicalType, precision, scale and
    // custom properties (also "default" on anything but an enum).
    json props = json::object();
};

// Follows a ref to its definition; other nodes are returned as they are.
inline const node* resolve(const node* n) {
    return n->k == kind::ref ? n->target : n;
}

// Avro Java's name of a node's type, as SchemaCompatibility prints it: "INT",
// "RECORD", ... (refs are named by their definition's type).
std::string_view type_label(const node* n);

struct tree {
    const node* root = nullptr;
    std::vector<std::unique_ptr<node>> arena;
};

// Parses `text` after the named types of `refs` (dependencies first).
// Errors: errc::invalid_argument, "Invalid schema: ..." saying what and where.
result<std::shared_ptr<const tree>> parse_tree(std::string_view text,
                                               const std::vector<resolved_reference>& refs);

// The stored text: compact JSON, attributes in a fixed order, names as
// written, docs, defaults and custom properties kept.
std::string write_canonical(const node* root);
// Canonical plus normalization: full names without "namespace", sorted
// qualified aliases, no default "order", decimal "scale" 0 dropped.
std::string write_normalized(const node* root);
// The structure alone, self-contained (referenced types inlined at first use,
// every name fully qualified) for avro-c's cross-check.
std::string write_resolved(const node* root);

// What breaks when data written with `writer` is read with `reader`, as
// Confluent's verbose messages ("new" is the reader, "old" the writer).
std::vector<std::string> reader_writer_incompatibilities(const node* reader, const node* writer);

}  // namespace spate::registry::avro
