#pragma once

// Avro names (spec "Names"): identifiers, dotted full names, namespaces and
// the primitive type names no named type may take. Internal to avro/.

#include <optional>
#include <string>
#include <string_view>

#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {

// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(std::string_view s);
// One or more identifiers joined by '.'.
bool is_full_name(std::string_view s);
// A namespace: "" (the null namespace) or a full name.
bool is_namespace(std::string_view s);
// The kind of a primitive type name ("int", ...), nullopt for any other.
std::optional<kind> primitive_kind(std::string_view s);
// The primitive type name of a primitive kind.
std::string_view primitive_name(kind k);
// `name` qualified by `space` unless it is already dotted.
std::string qualify(std::string_view name, std::string_view space);

}  // namespace spate::registry::avro
