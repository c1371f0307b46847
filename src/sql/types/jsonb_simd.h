#pragma once

// JSONB normalisation of simdjson on-demand values, shared by text I/O and
// the JSON record decoder. Internal to spate_sql (simdjson is a private
// dependency): include only from .cc files.

#include <simdjson.h>

#include <string>

#include "sql/types/error.h"

namespace spate::sql::text_detail {

// Appends `v` normalised as PostgreSQL prints jsonb: object keys sorted by
// (length, bytes), last duplicate wins, ", " and ": " separators, numbers in
// their numeric form. Errors: invalid_text_representation.
sql_status normalise_jsonb_value(simdjson::ondemand::value v, std::string& out);

// Appends the normalised text of a JSON number token ("1.50", "1e3" -> "1000").
void append_json_number(std::string_view token, std::string& out);

}  // namespace spate::sql::text_detail
