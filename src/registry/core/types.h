#pragma once

// Vocabulary of the schema registry: schema types, references, compatibility
// levels, modes, ids and versions, and the registry's own error values.
// Pure values; no I/O. The HTTP edge maps `registry_errc` to Confluent's
// numeric error codes (40401, 42201, ...); nothing below it knows them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/assert.h"
#include "base/strong_type.h"

namespace spate::registry {

struct schema_id_tag {};
struct schema_version_tag {};
// A schema's global id (unique within its context) and a subject's version
// number (1, 2, ...). Ids and versions are never reused within a context
// and subject, even after a permanent delete.
using schema_id = strong_type<int32_t, schema_id_tag>;
using schema_version = strong_type<int32_t, schema_version_tag>;

enum class schema_type { avro, json, protobuf };
// "AVRO", "JSON", "PROTOBUF".
std::string_view schema_type_name(schema_type t);
// Case-sensitive, as Confluent: "AVRO" | "JSON" | "PROTOBUF".
std::optional<schema_type> parse_schema_type(std::string_view s);

// A named dependency of a schema on a version of another subject. `name` is
// what the schema uses to refer to it: an Avro full type name, a Protobuf
// import path, a JSON Schema `$ref` URL.
struct schema_reference {
    std::string name;
    std::string subject;
    schema_version version{0};
    bool operator==(const schema_reference&) const = default;
};

enum class compat_level {
    none,
    backward,
    backward_transitive,
    forward,
    forward_transitive,
    full,
    full_transitive,
};
// "NONE", "BACKWARD", ... as Confluent spells them.
std::string_view compat_level_name(compat_level c);
std::optional<compat_level> parse_compat_level(std::string_view s);

enum class registry_mode { readwrite, readonly, readonly_override, import };
// "READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT".
std::string_view mode_name(registry_mode m);
std::optional<registry_mode> parse_mode(std::string_view s);

// What can go wrong, one value per Confluent error the REST API answers.
enum class registry_errc {
    subject_not_found,              // 40401
    version_not_found,              // 40402
    schema_not_found,               // 40403
    subject_soft_deleted,           // 40404
    subject_not_soft_deleted,       // 40405
    version_soft_deleted,           // 40406
    version_not_soft_deleted,       // 40407
    subject_compat_not_configured,  // 40408
    subject_mode_not_configured,    // 40409
    incompatible_schema,            // 409
    invalid_schema,                 // 42201
    invalid_version,                // 42202
    invalid_compat_level,           // 42203
    invalid_mode,                   // 42204
    operation_not_permitted,        // 42205
    reference_exists,               // 42206
    id_conflict,                    // 42207 (IMPORT: id taken by another schema)
    store_error,                    // 50001
    timeout,                        // 50002
};

struct registry_error {
    registry_errc code;
    std::string message;
};

// Either a T or a registry_error. Reading the wrong alternative crashes.
template <typename T>
class [[nodiscard]] outcome {
  public:
    outcome(T value) : _v(std::in_place_index<0>, std::move(value)) {}
    outcome(registry_error e) : _v(std::in_place_index<1>, std::move(e)) {}

    bool ok() const { return _v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & {
        SPATE_ASSERT(ok());
        return std::get<0>(_v);
    }
    const T& value() const& {
        SPATE_ASSERT(ok());
        return std::get<0>(_v);
    }
    T&& value() && {
        SPATE_ASSERT(ok());
        return std::get<0>(std::move(_v));
    }
    const T* operator->() const { return &value(); }
    const T& operator*() const& { return value(); }
    const registry_error& err() const {
        SPATE_ASSERT(!ok());
        return std::get<1>(_v);
    }

  private:
    std::variant<T, registry_error> _v;
};

inline registry_error make_registry_error(registry_errc code, std::string message) {
    return registry_error{code, std::move(message)};
}

// Subjects may carry a context: ":.ctx:name" is subject "name" in context
// ".ctx"; a plain "name" is in the default context ".". Ids are allocated
// per context.
struct qualified_subject {
    std::string context;  // "." for the default context
    std::string name;
};
qualified_subject split_context(std::string_view subject);

}  // namespace spate::registry
