#include "sql/engine/registry_ddl.h"

namespace spate::sql {

namespace {

sql_error at(sql_error e, int position) {
    e.position = position;
    return e;
}

}  // namespace

std::string value_subject(const std::vector<with_option>& opts, const std::string& topic) {
    for (const auto& o : opts)
        if (o.key == "schema.subject" && !o.value.empty()) return o.value;
    return topic + "-value";
}

sql_status check_registry(record_format f, const schema_registry_ref& reg, int position) {
    if (!is_registry_format(f) || (reg.service && reg.lookup)) return {};
    return make_error(sql_errc::feature_not_supported,
                      "format '" + std::string(format_name(f)) +
                          "' needs the schema registry, which this server does not run",
                      position);
}

sql_result<std::vector<column_def>> columns_from_subject(const schema_registry_ref& reg,
                                                         record_format f,
                                                         const std::string& subject,
                                                         std::string_view message, int position) {
    auto latest = reg.service->get_version(subject, registry::version_selector::latest(), false);
    if (!latest.ok()) {
        auto code = latest.err().code;
        if (code == registry::registry_errc::subject_not_found ||
            code == registry::registry_errc::version_not_found)
            return make_error(sql_errc::undefined_object,
                              "subject \"" + subject +
                                  "\" has no schema in the registry; register one or declare "
                                  "the source's columns",
                              position);
        return make_error(sql_errc::io_error,
                          "subject \"" + subject + "\": " + latest.err().message, position);
    }
    registry::schema_type want = registry_schema_type(f);
    if (latest.value().type != want)
        return make_error(sql_errc::datatype_mismatch,
                          "the latest schema of subject \"" + subject + "\" is " +
                              std::string(registry::schema_type_name(latest.value().type)) +
                              ", not " + std::string(registry::schema_type_name(want)) +
                              " as format '" + std::string(format_name(f)) + "' reads",
                          position);
    auto s = reg.lookup->by_id(latest.value().id.value());
    if (!s.ok()) return at(s.error(), position);
    auto cols = columns_from_schema(*s.value(), message);
    if (!cols.ok()) return at(cols.error(), position);
    if (cols.value().empty())
        return make_error(sql_errc::feature_not_supported,
                          "the latest schema of subject \"" + subject + "\" has no fields",
                          position);
    return cols;
}

sql_result<int32_t> register_sink_schema(const schema_registry_ref& reg, record_format f,
                                         const std::string& sink, const std::string& subject,
                                         std::span<const column_def> columns, int position) {
    auto in = sink_schema(f, sink, columns);
    if (!in.ok()) return at(in.error(), position);
    auto r = reg.service->register_schema(subject, in.value(), {});
    if (r.ok()) return r.value().id.value();
    const registry::registry_error& e = r.err();
    switch (e.code) {
        case registry::registry_errc::incompatible_schema:
            return make_error(sql_errc::datatype_mismatch,
                              "the output schema of sink " + sink +
                                  " is incompatible with subject \"" + subject + "\": " + e.message,
                              position);
        case registry::registry_errc::operation_not_permitted:
            return make_error(sql_errc::invalid_parameter_value,
                              "subject \"" + subject + "\" refuses new schemas: " + e.message,
                              position);
        case registry::registry_errc::invalid_schema:
            return make_error(
                sql_errc::internal_error,
                "the registry refused the output schema of sink " + sink + ": " + e.message,
                position);
        default:
            return make_error(sql_errc::io_error,
                              "registering the output schema of sink " + sink + " under \"" +
                                  subject + "\": " + e.message,
                              position);
    }
}

}  // namespace spate::sql
