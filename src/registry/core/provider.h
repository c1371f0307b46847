#pragma once

// One schema type's rules: parsing and validating schema text, the
// canonical text that gives a schema its identity, and compatibility between
// two schemas. One provider per type (avro/, json_schema/, protobuf/); the
// store composes providers' reader/writer checks into compatibility levels.
//
// Threading: providers are stateless and parsed schemas immutable; both may
// be used from any thread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/core/types.h"

namespace spate::registry {

// A parsed, validated schema.
class parsed_schema {
  public:
    virtual ~parsed_schema() = default;
    virtual schema_type type() const = 0;
    // The text stored and served for this schema: the same schema written
    // twice with different whitespace (and, where the type gives it no
    // meaning, different member order) yields the same string. Confluent's
    // clients look schemas up by it, so it must also be stable across
    // versions of Spate.
    virtual std::string canonical() const = 0;
    // The canonical text under `normalize=true`: additionally rewritten to a
    // normal form (Confluent's normalization: e.g. Avro without doc/aliases
    // differences that do not matter, Protobuf options and ordering, JSON
    // Schema keyword order) so semantically equal schemas compare equal.
    virtual std::string normalized() const = 0;
    // The fully qualified record name, for RecordNameStrategy subjects: the
    // Avro named type's full name, the first Protobuf message's full name,
    // a JSON Schema's "title". Empty when the schema has none.
    virtual std::string record_name() const = 0;
};

using parsed_schema_ptr = std::shared_ptr<const parsed_schema>;

// A reference resolved to its schema text; `ref.name` is how the
// referring schema names it.
struct resolved_reference {
    schema_reference ref;
    std::string schema;
};

class schema_provider {
  public:
    virtual ~schema_provider() = default;
    virtual schema_type type() const = 0;
    // Parses and validates `text`. `refs` holds every schema it depends on,
    // transitively, dependencies before their dependents. Errors:
    // errc::invalid_argument with a message saying what is wrong and where.
    virtual result<parsed_schema_ptr> parse(std::string_view text,
                                            const std::vector<resolved_reference>& refs) const = 0;
    // What breaks when data written with `writer` is read with `reader`:
    // empty when compatible, else one message per problem (naming the
    // field/path and the rule, as Confluent's verbose messages do). Both
    // schemas are of this provider's type.
    virtual std::vector<std::string> incompatibilities(const parsed_schema& reader,
                                                       const parsed_schema& writer) const = 0;
};

// The built-in providers (defined by each type's part).
std::unique_ptr<schema_provider> make_avro_provider();
std::unique_ptr<schema_provider> make_json_schema_provider();
std::unique_ptr<schema_provider> make_protobuf_provider();

// The provider of a type (process-wide instances).
const schema_provider& provider_for(schema_type t);

// Composes a provider's reader/writer check into a level: BACKWARD checks
// (reader = candidate, writer = each existing), FORWARD the reverse, FULL
// both; non-transitive levels check against `existing.back()` only (the
// latest), transitive ones against all. `existing` is oldest first.
std::vector<std::string> check_compatibility(compat_level level, const parsed_schema& candidate,
                                             const std::vector<parsed_schema_ptr>& existing);
// The same with `p` checking each pair instead of provider_for(type) (tests
// substitute their own provider).
std::vector<std::string> check_compatibility(const schema_provider& p, compat_level level,
                                             const parsed_schema& candidate,
                                             const std::vector<parsed_schema_ptr>& existing);

}  // namespace spate::registry
