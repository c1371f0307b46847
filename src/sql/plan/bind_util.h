#pragma once

// Helpers shared by the binder's files (not part of the module's surface).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sql/plan/binder.h"

namespace spate::sql {

// version(): what PostgreSQL clients parse (they read "PostgreSQL 15.x").
inline constexpr const char* k_version_string =
    "PostgreSQL 15.0 (Spate streaming SQL) on x86_64-pc-linux-gnu, 64-bit";

// The "location" of a node's body, or -1.
int location_of(const nlohmann::json& n);
// The literal at tree location `location` of the bound text.
std::string_view literal_at(const bind_context& ctx, int location);
// An integer (int32 when it fits, else int64) or NUMERIC constant from its text.
sql_result<expr_ptr> number_constant(std::string_view text, int position);
bool is_aggregate_name(std::string_view name);
bool is_plain_number(std::string_view text);
// The unit word of an INTERVAL qualifier (`INTERVAL '4' SECOND` -> "second"), or "".
std::string interval_unit(const nlohmann::json& type_name);
// A relation's name in a RangeVar (lower-cased by the parser unless quoted).
std::string range_var_name(const nlohmann::json& range_var);

}  // namespace spate::sql
