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

}  // namespace spate::sql
