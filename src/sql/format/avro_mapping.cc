#include <set>

#include <nlohmann/json.hpp>

#include "sql/format/avro_model.h"
#include "sql/format/registry_codecs.h"

namespace spate::sql::format_detail {

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json logical(const char* base, const char* name) {
    return ordered_json{{"type", base}, {"logicalType", name}};
}

ordered_json avro_type_of(const data_type& t) {
    switch (t.id) {
        case type_id::boolean:
            return "boolean";
        case type_id::int16:
        case type_id::int32:
            return "int";
        case type_id::int64:
            return "long";
        case type_id::float32:
            return "float";
        case type_id::float64:
            return "double";
        case type_id::numeric:
            if (t.precision <= 0) return "string";  // unconstrained: its exact text
            return ordered_json{{"type", "bytes"},
                                {"logicalType", "decimal"},
                                {"precision", t.precision},
                                {"scale", t.scale < 0 ? 0 : t.scale}};
        case type_id::bytea:
            return "bytes";
        case type_id::date:
            return logical("int", "date");
        case type_id::time:
            return logical("long", "time-micros");
        case type_id::timestamp:
            return logical("long", "local-timestamp-micros");
        case type_id::timestamptz:
            return logical("long", "timestamp-micros");
        default:  // text, interval, jsonb: their text
            return "string";
    }
}

std::string avro_record_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out.push_back(ok ? c : '_');
    }
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
    return out;
}

}  // namespace

sql_result<std::vector<column_def>> avro_columns(const registered_schema& s) {
    auto m = avro_model::parse(s.text);
    if (!m.ok()) return m.error();
    const avro_node& root = m.value().root();
    std::vector<column_def> cols;
    if (root.kind != avro_kind::record) {
        cols.push_back({"value", sql_type_of(root)});
        return cols;
    }
    for (size_t f = 0; f < root.field_names.size(); ++f)
        cols.push_back({root.field_names[f], sql_type_of(*root.children[f])});
    return cols;
}

sql_result<std::string> avro_sink_schema(std::string_view name,
                                         std::span<const column_def> columns) {
    ordered_json fields = ordered_json::array();
    std::set<std::string> seen;
    for (const column_def& c : columns) {
        if (!valid_avro_name(c.name))
            return make_error(
                sql_errc::invalid_parameter_value,
                "column \"" + c.name + "\" is not a valid Avro field name; name it with AS");
        if (!seen.insert(c.name).second)
            return make_error(sql_errc::duplicate_object,
                              "column \"" + c.name + "\" appears twice in the sink's output");
        fields.push_back(ordered_json{{"name", c.name},
                                      {"type", ordered_json::array({"null", avro_type_of(c.type)})},
                                      {"default", nullptr}});
    }
    ordered_json schema{
        {"type", "record"}, {"name", avro_record_name(name)}, {"fields", std::move(fields)}};
    return schema.dump();
}

}  // namespace spate::sql::format_detail
