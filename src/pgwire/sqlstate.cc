#include "pgwire/sqlstate.h"

namespace spate::pgwire {

std::string_view sqlstate_of(sql::sql_errc code) {
    using sql::sql_errc;
    switch (code) {
        case sql_errc::syntax_error:
            return "42601";
        case sql_errc::undefined_table:
        case sql_errc::undefined_source_topic:
            return "42P01";
        case sql_errc::undefined_column:
            return "42703";
        case sql_errc::undefined_function:
            return "42883";
        case sql_errc::undefined_object:
            return "42704";
        case sql_errc::undefined_parameter:
            return "42P02";
        case sql_errc::ambiguous_column:
            return "42702";
        case sql_errc::duplicate_object:
            return "42710";
        case sql_errc::duplicate_table:
            return "42P07";
        case sql_errc::datatype_mismatch:
            return "42804";
        case sql_errc::cannot_coerce:
            return "42846";
        case sql_errc::grouping_error:
            return "42803";
        case sql_errc::invalid_parameter_value:
            return "22023";
        case sql_errc::invalid_text_representation:
        case sql_errc::invalid_json_text:
            return "22P02";
        case sql_errc::invalid_datetime_format:
            return "22007";
        case sql_errc::datetime_field_overflow:
            return "22008";
        case sql_errc::numeric_value_out_of_range:
            return "22003";
        case sql_errc::division_by_zero:
            return "22012";
        case sql_errc::invalid_regular_expression:
            return "2201B";
        case sql_errc::string_data_right_truncation:
            return "22001";
        case sql_errc::feature_not_supported:
            return "0A000";
        case sql_errc::dependent_objects_still_exist:
            return "2BP01";
        case sql_errc::object_in_use:
            return "55006";
        case sql_errc::invalid_catalog_name:
            return "3D000";
        case sql_errc::query_canceled:
            return "57014";
        case sql_errc::protocol_violation:
            return "08P01";
        case sql_errc::io_error:
            return "58030";
        case sql_errc::internal_error:
            return "XX000";
    }
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
