#pragma once

// Arrays in Spate are text values holding PostgreSQL array literals
// ({a,"b c",NULL}) until SQL arrays exist: what catalog columns such as
// reloptions hold and what ARRAY(subquery) yields. Implemented in
// functions_pg.cc.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spate::sql {

// The elements of a one-dimensional array literal; nullopt for an unquoted
// NULL. Text that is not an array literal has no elements.
std::vector<std::optional<std::string>> parse_array_literal(std::string_view array);

// Appends one element's text to an array literal being built, quoted and
// escaped as PostgreSQL's array output does (empty text, NULL in any case,
// whitespace or any of {}",\ : in double quotes, " and \ escaped). The
// caller writes the braces, commas and unquoted NULL elements.
void append_array_element(std::string_view text, std::string& out);

}  // namespace spate::sql
