#pragma once

// Output of `spate schema ...` from the registry's JSON answers (pure,
// tested). Each takes the answer's body text; a body that is not the
// expected JSON is errc::corrupt naming what was expected.

#include <string>

#include "base/result.h"

namespace spate::cli {

// The message to print for an error answer: "MESSAGE (error CODE)" from a
// Confluent error body, else "HTTP STATUS: BODY" (truncated).
std::string registry_error_text(unsigned status, const std::string& body);

// A JSON array of strings or numbers, one element per line.
result<std::string> format_lines(const std::string& body);

// A subject version (GET /subjects/S/versions/V): aligned "subject",
// "version", "id", "type", one "reference" line each, a blank line, then
// the schema text and a newline.
result<std::string> format_subject_version(const std::string& body);
// A schema by id (GET /schemas/ids/N): "id", "type", references, a blank
// line, the schema text.
result<std::string> format_schema_by_id(int32_t id, const std::string& body);
// The "schema" field alone (and a newline).
result<std::string> schema_text_of(const std::string& body);

// A compatibility answer: "compatible", or "incompatible" then one message
// per line. `compatible` tells which.
result<std::string> format_compatibility(const std::string& body, bool& compatible);

// The level of {"compatibilityLevel": L} or {"compatibility": L}, and a newline.
result<std::string> format_level(const std::string& body);

}  // namespace spate::cli
