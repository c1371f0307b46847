#pragma once

// Internal to the registry routes: Confluent's JSON shapes, request body
// and parameter parsing, and the registry_errc -> Confluent code mapping.
// A parse either yields its value or the error response to answer instead.

#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "http/message.h"
#include "registry/core/service.h"

namespace spate::http {

using ojson = nlohmann::ordered_json;

// A value, or the error response to answer in its place.
template <typename T>
using parsed = std::variant<T, response>;

// Confluent's (HTTP status, error_code) of a registry error.
std::pair<unsigned, int> confluent_code(registry::registry_errc e);
response registry_error_response(const registry::registry_error& e);
response json_response(const ojson& j);

ojson to_json(const std::vector<registry::schema_reference>& refs);
// {"subject", "version", "id", "schemaType" (not for AVRO), "references"
// (when any), "schema"}.
ojson to_json(const registry::subject_schema& s);
// {"schemaType" (not for AVRO), "references" (when any), "schema"}.
ojson to_json(const registry::id_schema& s);

// Either the outcome's value as JSON, or its error.
template <typename T, typename F>
response answer(const registry::outcome<T>& o, F&& to_json_of) {
    if (!o.ok()) return registry_error_response(o.err());
    return json_response(to_json_of(o.value()));
}

// The body of register, lookup and compatibility requests.
struct schema_body {
    registry::schema_input input;
    std::optional<int32_t> id;  // IMPORT mode
    std::optional<int32_t> version;
};

// The request's body as a JSON object: 415 for a Content-Type other than
// the registry's, application/json, application/octet-stream or none; 422
// for a body that is not a JSON object.
parsed<nlohmann::json> parse_json_object(const request& req);
// {schema, schemaType, references, id, version}: 422 for wrong field types,
// 42201 for a missing schema or an unknown schemaType.
parsed<schema_body> parse_schema_body(const request& req);
// A version path segment: a number in [1, 2^31-1], "latest" or -1 (42202).
parsed<registry::version_selector> parse_version(std::string_view text);
// A schema id path segment (40403 when not a number).
parsed<registry::schema_id> parse_schema_id(std::string_view text);

}  // namespace spate::http
