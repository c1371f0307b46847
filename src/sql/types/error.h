#pragma once

// Errors of the SQL layer. `sql_errc` names the condition; pgwire maps it to
// its SQLSTATE at the protocol edge. `position` is the 1-based character
// offset into the statement text of the offending token (0: none).

#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace spate::sql {

enum class sql_errc {
    syntax_error,                   // 42601
    undefined_table,                // 42P01
    undefined_column,               // 42703
    undefined_function,             // 42883
    undefined_object,               // 42704 (types, settings, ...)
    undefined_parameter,            // 42P02
    ambiguous_column,               // 42702
    duplicate_object,               // 42710 (also duplicate table: 42P07 via kind)
    duplicate_table,                // 42P07
    datatype_mismatch,              // 42804
    cannot_coerce,                  // 42846
    grouping_error,                 // 42803
    invalid_parameter_value,        // 22023
    invalid_text_representation,    // 22P02
    invalid_datetime_format,        // 22007
    datetime_field_overflow,        // 22008
    numeric_value_out_of_range,     // 22003
    division_by_zero,               // 22012
    invalid_regular_expression,     // 2201B
    string_data_right_truncation,   // 22001
    invalid_json_text,              // 22P02 as well in PostgreSQL
    feature_not_supported,          // 0A000
    dependent_objects_still_exist,  // 2BP01
    object_in_use,                  // 55006
    invalid_catalog_name,           // 3D000 (unknown database)
    query_canceled,                 // 57014
    protocol_violation,             // 08P01
    undefined_source_topic,         // 42P01 too: CREATE SOURCE on a missing topic
    invalid_cursor_name,            // 34000 (FETCH / CLOSE of no open cursor)
    duplicate_cursor,               // 42P03
    io_error,                       // 58030: the Kafka cluster failed us
    insufficient_privilege,         // 42501: the access policy refused (access_policy.h)
    internal_error,                 // XX000
};

struct sql_error {
    sql_errc code = sql_errc::internal_error;
    std::string message;
    int position = 0;  // 1-based character position in the statement, 0: none
    std::string detail;
    std::string hint;
};

// A T or a sql_error. Reading the wrong alternative crashes.
template <typename T>
class [[nodiscard]] sql_result {
  public:
    sql_result(T value) : _v(std::in_place_index<0>, std::move(value)) {}
    sql_result(sql_error e) : _v(std::in_place_index<1>, std::move(e)) {}

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
    const sql_error& error() const {
        SPATE_ASSERT(!ok());
        return std::get<1>(_v);
    }

  private:
    std::variant<T, sql_error> _v;
};

template <>
class [[nodiscard]] sql_result<void> {
  public:
    sql_result() = default;
    sql_result(sql_error e) : _error(std::move(e)), _failed(true) {}
    bool ok() const { return !_failed; }
    explicit operator bool() const { return ok(); }
    const sql_error& error() const {
        SPATE_ASSERT(_failed);
        return _error;
    }

  private:
    sql_error _error;
    bool _failed = false;
};

using sql_status = sql_result<void>;

inline sql_error make_error(sql_errc code, std::string message, int position = 0) {
    return sql_error{code, std::move(message), position, {}, {}};
}

}  // namespace spate::sql
