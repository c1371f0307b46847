#include "pgwire/sqlstate.h"

namespace spate::pgwire {

namespace {

struct sqlstate_entry {
    sql::sql_errc code;
    std::string_view sqlstate;
};

// Every sql_errc (a missing one maps to XX000: a test checks none is missing).
constexpr sqlstate_entry k_sqlstates[] = {
    {sql::sql_errc::syntax_error, "42601"},
    {sql::sql_errc::undefined_table, "42P01"},
    {sql::sql_errc::undefined_source_topic, "42P01"},
    {sql::sql_errc::undefined_column, "42703"},
    {sql::sql_errc::undefined_function, "42883"},
    {sql::sql_errc::undefined_object, "42704"},
    {sql::sql_errc::undefined_parameter, "42P02"},
    {sql::sql_errc::ambiguous_column, "42702"},
    {sql::sql_errc::duplicate_object, "42710"},
    {sql::sql_errc::duplicate_table, "42P07"},
    {sql::sql_errc::datatype_mismatch, "42804"},
    {sql::sql_errc::cannot_coerce, "42846"},
    {sql::sql_errc::grouping_error, "42803"},
    {sql::sql_errc::invalid_parameter_value, "22023"},
    {sql::sql_errc::invalid_text_representation, "22P02"},
    {sql::sql_errc::invalid_json_text, "22P02"},
    {sql::sql_errc::invalid_datetime_format, "22007"},
    {sql::sql_errc::datetime_field_overflow, "22008"},
    {sql::sql_errc::numeric_value_out_of_range, "22003"},
    {sql::sql_errc::division_by_zero, "22012"},
    {sql::sql_errc::invalid_regular_expression, "2201B"},
    {sql::sql_errc::string_data_right_truncation, "22001"},
    {sql::sql_errc::feature_not_supported, "0A000"},
    {sql::sql_errc::dependent_objects_still_exist, "2BP01"},
    {sql::sql_errc::object_in_use, "55006"},
    {sql::sql_errc::invalid_catalog_name, "3D000"},
    {sql::sql_errc::query_canceled, "57014"},
    {sql::sql_errc::protocol_violation, "08P01"},
    {sql::sql_errc::invalid_cursor_name, "34000"},
    {sql::sql_errc::duplicate_cursor, "42P03"},
    {sql::sql_errc::io_error, "58030"},
    {sql::sql_errc::insufficient_privilege, "42501"},
    {sql::sql_errc::internal_error, "XX000"},
};

}  // namespace

std::string_view sqlstate_of(sql::sql_errc code) {
    for (const auto& e : k_sqlstates)
        if (e.code == code) return e.sqlstate;
    return "XX000";
}

pg_error to_pg_error(const sql::sql_error& e) {
    pg_error p;
    p.sqlstate = std::string(sqlstate_of(e.code));
    p.message = e.message;
    p.position = e.position;
    p.detail = e.detail;
    p.hint = e.hint;
    return p;
}

pg_error make_pg_error(std::string_view sqlstate, std::string message) {
    pg_error p;
    p.sqlstate = std::string(sqlstate);
    p.message = std::move(message);
    return p;
}

}  // namespace spate::pgwire
