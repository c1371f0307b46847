#pragma once

// SQLSTATE codes: the mapping of the SQL layer's error conditions, and the
// error as the protocol sends it (ErrorResponse / NoticeResponse fields).

#include <string>
#include <string_view>

#include "sql/types/error.h"

namespace spate::pgwire {

// The five-character SQLSTATE of `code` (as listed in sql/types/error.h).
std::string_view sqlstate_of(sql::sql_errc code);

// Codes pgwire raises itself.
inline constexpr std::string_view k_protocol_violation = "08P01";
inline constexpr std::string_view k_feature_not_supported = "0A000";
inline constexpr std::string_view k_duplicate_prepared_statement = "42P05";
inline constexpr std::string_view k_invalid_sql_statement_name = "26000";
inline constexpr std::string_view k_invalid_cursor_name = "34000";
inline constexpr std::string_view k_invalid_binary_representation = "22P03";
inline constexpr std::string_view k_character_not_in_repertoire = "22021";

// One error or notice as sent: severity S/V, code C, message M, optional
// position P (1-based, 0: none), detail D, hint H.
struct pg_error {
    std::string severity = "ERROR";
    std::string sqlstate;
    std::string message;
    int position = 0;
    std::string detail;
    std::string hint;
};

pg_error to_pg_error(const sql::sql_error& e);
pg_error make_pg_error(std::string_view sqlstate, std::string message);

}  // namespace spate::pgwire
