#pragma once

// The JSON Schema provider's model: a schema document (and the documents it
// references) loaded into a graph of `node`s shaped like the schema model
// Confluent's compatibility rules are written against (everit's Schema
// classes): one node per kind of constraint, sibling kinds of one schema
// object combined into a synthetic allOf, `$ref`s as reference nodes that
// point at the node of their target. Internal to json_schema/.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "registry/core/provider.h"

namespace spate::registry::json_schema {

using json = nlohmann::json;

// The drafts a document may declare with "$schema"; default draft 7, as
// Confluent's.
enum class draft : uint8_t { d4, d6, d7, d2019_09, d2020_12 };
std::string_view draft_name(draft d);

enum class node_kind : uint8_t {
    empty,         // {}: accepts everything
    true_schema,   // true
    false_schema,  // false
    object,
    array,
    string,
    number,  // "number" or "integer" (requires_integer)
    boolean,
    null,
    enumeration,
    constant,
    combined,  // allOf / anyOf / oneOf, or a synthetic allOf of sibling kinds
    negation,  // not
    reference,
    conditional,  // if/then/else: carries no compared constraints
};

enum class criterion : uint8_t { all_of, any_of, one_of };
std::string_view criterion_name(criterion c);

struct node {
    node_kind kind = node_kind::empty;
    // The schema object or boolean this node was built from; nullptr for a
    // kind node that is one part of a synthetic allOf or a multi-type anyOf
    // (those are never equal to another subschema).
    const json* source = nullptr;

    // Annotations every kind carries.
    std::optional<std::string> id, title, description;
    const json* default_value = nullptr;

    // string
    std::optional<int64_t> max_length, min_length;
    std::optional<std::string> pattern;

    // number
    std::optional<double> maximum, minimum, exclusive_maximum, exclusive_minimum;
    const json* multiple_of = nullptr;
    bool requires_integer = false;

    // object
    std::map<std::string, node*> properties;
    std::set<std::string> required;
    bool permits_additional_properties = true;
    node* additional_properties = nullptr;  // a schema, when not boolean
    std::vector<std::pair<std::string, node*>> pattern_properties;
    std::map<std::string, std::set<std::string>> property_dependencies;
    std::map<std::string, node*> schema_dependencies;
    node* unevaluated_properties = nullptr;
    std::optional<int64_t> max_properties, min_properties;

    // array
    node* all_items = nullptr;        // "items" as one schema
    std::vector<node*> item_schemas;  // "items" as a tuple / "prefixItems"
    bool permits_additional_items = true;
    node* additional_items = nullptr;  // a schema, when not boolean
    node* unevaluated_items = nullptr;
    std::optional<int64_t> max_items, min_items, max_contains, min_contains;
    bool unique_items = false;

    // enumeration / constant
    std::vector<const json*> values;
    const json* const_value = nullptr;

    // combined
    criterion crit = criterion::all_of;
    bool synthetic = false;  // sibling keyword groups of one object, not a written allOf
    std::vector<node*> subschemas;

    // negation
    node* must_not = nullptr;

    // reference
    std::string ref;
    node* target = nullptr;
};

// A loaded document set: the root schema plus every referenced document,
// and the nodes built from them. Immutable once loaded.
struct model {
    struct document {
        std::string name;  // "" for the root; the reference's name otherwise
        draft dialect = draft::d7;
        json value;
    };
    std::vector<std::unique_ptr<document>> documents;  // [0] is the root
    std::vector<std::unique_ptr<node>> nodes;
    node* root = nullptr;
};

// Parses `text` and `refs` (dependencies first), validates keyword shapes and
// resolves every `$ref` reachable from the root. Errors: invalid_argument
// naming the document and JSON pointer.
result<std::shared_ptr<const model>> load(std::string_view text,
                                          const std::vector<resolved_reference>& refs);

// The root document's canonical text (compact, keys sorted) and its
// normalized text (canonical, and at schema positions "required" and "type"
// arrays sorted and deduplicated, a one-element "type" array written as the
// type name).
std::string canonical_text(const json& root);
std::string normalized_text(const json& root, draft d, const std::string& canonical);

// Follows reference nodes to the node they name.
const node* deref(const node* n);

// Confluent's difference types (io.confluent...json.diff.Difference.Type,
// without the deprecated PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL), each with
// whether it is compatible under the default (STRICT) policy, plus
// COMPARISON_TOO_DEEP, Spate's guard against unbounded $ref chains.
#define SPATE_JSON_SCHEMA_DIFF_TYPES(X)                                    \
    X(ID_CHANGED, true)                                                    \
    X(DESCRIPTION_CHANGED, true)                                           \
    X(TITLE_CHANGED, true)                                                 \
    X(DEFAULT_CHANGED, true)                                               \
    X(SCHEMA_ADDED, false)                                                 \
    X(SCHEMA_REMOVED, true)                                                \
    X(TYPE_EXTENDED, true)                                                 \
    X(TYPE_NARROWED, false)                                                \
    X(TYPE_CHANGED, false)                                                 \
    X(MAX_LENGTH_ADDED, false)                                             \
    X(MAX_LENGTH_REMOVED, true)                                            \
    X(MAX_LENGTH_INCREASED, true)                                          \
    X(MAX_LENGTH_DECREASED, false)                                         \
    X(MIN_LENGTH_ADDED, false)                                             \
    X(MIN_LENGTH_REMOVED, true)                                            \
    X(MIN_LENGTH_INCREASED, false)                                         \
    X(MIN_LENGTH_DECREASED, true)                                          \
    X(PATTERN_ADDED, false)                                                \
    X(PATTERN_REMOVED, true)                                               \
    X(PATTERN_CHANGED, false)                                              \
    X(MAXIMUM_ADDED, false)                                                \
    X(MAXIMUM_REMOVED, true)                                               \
    X(MAXIMUM_INCREASED, true)                                             \
    X(MAXIMUM_DECREASED, false)                                            \
    X(MINIMUM_ADDED, false)                                                \
    X(MINIMUM_REMOVED, true)                                               \
    X(MINIMUM_INCREASED, false)                                            \
    X(MINIMUM_DECREASED, true)                                             \
    X(EXCLUSIVE_MAXIMUM_ADDED, false)                                      \
    X(EXCLUSIVE_MAXIMUM_REMOVED, true)                                     \
    X(EXCLUSIVE_MAXIMUM_INCREASED, true)                                   \
    X(EXCLUSIVE_MAXIMUM_DECREASED, false)                                  \
    X(EXCLUSIVE_MINIMUM_ADDED, false)                                      \
    X(EXCLUSIVE_MINIMUM_REMOVED, true)                                     \
    X(EXCLUSIVE_MINIMUM_INCREASED, false)                                  \
    X(EXCLUSIVE_MINIMUM_DECREASED, true)                                   \
    X(MULTIPLE_OF_ADDED, false)                                            \
    X(MULTIPLE_OF_REMOVED, true)                                           \
    X(MULTIPLE_OF_EXPANDED, false)                                         \
    X(MULTIPLE_OF_REDUCED, true)                                           \
    X(MULTIPLE_OF_CHANGED, false)                                          \
    X(REQUIRED_ATTRIBUTE_ADDED, false)                                     \
    X(REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, true)                         \
    X(REQUIRED_ATTRIBUTE_REMOVED, true)                                    \
    X(MAX_PROPERTIES_ADDED, false)                                         \
    X(MAX_PROPERTIES_REMOVED, true)                                        \
    X(MAX_PROPERTIES_INCREASED, true)                                      \
    X(MAX_PROPERTIES_DECREASED, false)                                     \
    X(MIN_PROPERTIES_ADDED, false)                                         \
    X(MIN_PROPERTIES_REMOVED, true)                                        \
    X(MIN_PROPERTIES_INCREASED, false)                                     \
    X(MIN_PROPERTIES_DECREASED, true)                                      \
    X(ADDITIONAL_PROPERTIES_ADDED, true)                                   \
    X(ADDITIONAL_PROPERTIES_REMOVED, false)                                \
    X(ADDITIONAL_PROPERTIES_EXTENDED, true)                                \
    X(ADDITIONAL_PROPERTIES_NARROWED, false)                               \
    X(DEPENDENCY_ARRAY_ADDED, false)                                       \
    X(DEPENDENCY_ARRAY_REMOVED, true)                                      \
    X(DEPENDENCY_ARRAY_EXTENDED, false)                                    \
    X(DEPENDENCY_ARRAY_NARROWED, true)                                     \
    X(DEPENDENCY_ARRAY_CHANGED, false)                                     \
    X(DEPENDENCY_SCHEMA_ADDED, false)                                      \
    X(DEPENDENCY_SCHEMA_REMOVED, true)                                     \
    X(REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, false)                \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL, false)   \
    X(OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, false)                \
    X(PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, true)        \
    X(REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, false)              \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, true)  \
    X(OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, true)               \
    X(PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, true)                      \
    X(PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, true)         \
    X(PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, false)                   \
    X(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true)   \
    X(PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false) \
    X(PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true)     \
    X(PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false)   \
    X(UNEVALUATED_PROPERTIES_ADDED, true)                                  \
    X(UNEVALUATED_PROPERTIES_REMOVED, false)                               \
    X(UNEVALUATED_PROPERTIES_EXTENDED, true)                               \
    X(UNEVALUATED_PROPERTIES_NARROWED, false)                              \
    X(MAX_ITEMS_ADDED, false)                                              \
    X(MAX_ITEMS_REMOVED, true)                                             \
    X(MAX_ITEMS_INCREASED, true)                                           \
    X(MAX_ITEMS_DECREASED, false)                                          \
    X(MIN_ITEMS_ADDED, false)                                              \
    X(MIN_ITEMS_REMOVED, true)                                             \
    X(MIN_ITEMS_INCREASED, false)                                          \
    X(MIN_ITEMS_DECREASED, true)                                           \
    X(MAX_CONTAINS_ADDED, false)                                           \
    X(MAX_CONTAINS_REMOVED, true)                                          \
    X(MAX_CONTAINS_INCREASED, true)                                        \
    X(MAX_CONTAINS_DECREASED, false)                                       \
    X(MIN_CONTAINS_ADDED, false)                                           \
    X(MIN_CONTAINS_REMOVED, true)                                          \
    X(MIN_CONTAINS_INCREASED, false)                                       \
    X(MIN_CONTAINS_DECREASED, true)                                        \
    X(UNIQUE_ITEMS_ADDED, false)                                           \
    X(UNIQUE_ITEMS_REMOVED, true)                                          \
    X(ADDITIONAL_ITEMS_ADDED, true)                                        \
    X(ADDITIONAL_ITEMS_REMOVED, false)                                     \
    X(ADDITIONAL_ITEMS_EXTENDED, true)                                     \
    X(ADDITIONAL_ITEMS_NARROWED, false)                                    \
    X(UNEVALUATED_ITEMS_ADDED, true)                                       \
    X(UNEVALUATED_ITEMS_REMOVED, false)                                    \
    X(UNEVALUATED_ITEMS_EXTENDED, true)                                    \
    X(UNEVALUATED_ITEMS_NARROWED, false)                                   \
    X(ITEM_ADDED_TO_OPEN_CONTENT_MODEL, false)                             \
    X(ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, true)            \
    X(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, true)                            \
    X(ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, true)                          \
    X(ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, true)             \
    X(ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, false)                       \
    X(ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true)       \
    X(ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false)     \
    X(ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true)         \
    X(ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false)       \
    X(ENUM_ARRAY_EXTENDED, true)                                           \
    X(ENUM_ARRAY_NARROWED, false)                                          \
    X(ENUM_ARRAY_CHANGED, false)                                           \
    X(COMBINED_TYPE_EXTENDED, true)                                        \
    X(COMBINED_TYPE_CHANGED, false)                                        \
    X(PRODUCT_TYPE_EXTENDED, false)                                        \
    X(PRODUCT_TYPE_NARROWED, true)                                         \
    X(SUM_TYPE_EXTENDED, true)                                             \
    X(SUM_TYPE_NARROWED, false)                                            \
    X(COMBINED_TYPE_SUBSCHEMAS_CHANGED, false)                             \
    X(NOT_TYPE_EXTENDED, false)                                            \
    X(NOT_TYPE_NARROWED, true)                                             \
    X(COMPARISON_TOO_DEEP, false)

enum class diff_type : uint16_t {
#define SPATE_X(name, compatible) name,
    SPATE_JSON_SCHEMA_DIFF_TYPES(SPATE_X)
#undef SPATE_X
};
struct difference {
    diff_type type;
    std::string path;  // "#/properties/a/maxLength"
};
std::string_view diff_type_name(diff_type t);
bool is_compatible_change(diff_type t);
// "{errorType:"...", description:"...", path:"..."}", naming reader/writer.
std::string format_difference(const difference& d);

// Every difference between `writer` (Confluent's "original": the schema the
// data was written with) and `reader` (the "update"), compatible or not.
std::vector<difference> compare(const node* writer, const node* reader);

}  // namespace spate::registry::json_schema
