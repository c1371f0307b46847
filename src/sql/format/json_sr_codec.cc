#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "sql/format/format_detail.h"
#include "sql/format/registry_codecs.h"

namespace spate::sql::format_detail {

namespace {

using ordered_json = nlohmann::ordered_json;

// Strips the Confluent header (the id must name a JSON schema) and decodes
// the rest with the json decoder, one call per batch.
class json_sr_decoder final : public record_decoder {
  public:
    json_sr_decoder(std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas)
        : _inner(make_json_decoder(declared)), _schemas(std::move(schemas)) {}

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        _views.clear();
        _index.clear();
        size_t first = failures.size();
        for (size_t i = 0; i < records.size(); ++i) {
            auto f = parse_framing(records[i].value);
            if (!f.ok()) {
                failures.push_back({i, f.error().message});
                continue;
            }
            if (auto st = check_id(f.value().schema_id); !st.ok()) {
                failures.push_back({i, st.error().message});
                continue;
            }
            record_view v = records[i];
            v.value = f.value().payload;
            _views.push_back(v);
            _index.push_back(i);
        }
        _failures.clear();
        _inner->decode(_views, out, _failures);
        for (auto& f : _failures)
            failures.push_back({_index[f.index], std::move(f.reason)});
        std::stable_sort(
            failures.begin() + static_cast<std::ptrdiff_t>(first), failures.end(),
            [](const decode_failure& a, const decode_failure& b) { return a.index < b.index; });
    }

  private:
    sql_status check_id(int32_t id) {
        if (_known.count(id)) return {};
        auto s = writer_schema(*_schemas, id, registry::schema_type::json);
        if (!s.ok()) return s.error();
        _known.insert(id);
        return {};
    }

    std::unique_ptr<record_decoder> _inner;
    std::shared_ptr<schema_lookup> _schemas;
    std::set<int32_t> _known;
    std::vector<record_view> _views;
    std::vector<size_t> _index;  // _views[i] is records[_index[i]]
    std::vector<decode_failure> _failures;
};

class json_sr_encoder final : public row_encoder {
  public:
    json_sr_encoder(std::span<const column_def> columns, int32_t id)
        : _inner(make_json_encoder(columns)), _id(id) {}

    void encode(const chunk& input, size_t row, std::string& out) override {
        _inner->encode(input, row, _json);
        out.clear();
        append_framing(_id, out);
        out += _json;
    }

  private:
    std::unique_ptr<row_encoder> _inner;
    int32_t _id;
    std::string _json;
};

// The schema `ref` points at within `root` ("#/definitions/x",
// "#/$defs/x", any local JSON pointer); null when it is not local.
const ordered_json* resolve_ref(const ordered_json& root, const std::string& ref) {
    if (ref.empty() || ref[0] != '#') return nullptr;
    try {
        const ordered_json& target =
            root.at(ordered_json::json_pointer(ref.size() == 1 ? "" : ref.substr(1)));
        return &target;
    } catch (const ordered_json::exception&) {
        return nullptr;
    }
}

data_type type_named(const std::string& type, const ordered_json& node) {
    std::string connect = node.value("connect.type", "");
    if (type == "boolean") return data_type::of(type_id::boolean);
    if (type == "integer") {
        if (connect == "int8" || connect == "int16") return data_type::of(type_id::int16);
        if (connect == "int32") return data_type::of(type_id::int32);
        return data_type::of(type_id::int64);
    }
    if (type == "number") {
        if (connect == "float32") return data_type::of(type_id::float32);
        return data_type::of(type_id::float64);
    }
    if (type == "string") {
        std::string format = node.value("format", "");
        if (format == "date") return data_type::of(type_id::date);
        if (format == "date-time") return data_type::of(type_id::timestamptz);
        if (format == "time") return data_type::of(type_id::time);
        return data_type::of(type_id::text);
    }
    return data_type::of(type_id::jsonb);
}

data_type json_sql_type(const ordered_json& root, const ordered_json& node, int depth) {
    if (!node.is_object() || depth > 32) return data_type::of(type_id::jsonb);
    if (auto r = node.find("$ref"); r != node.end() && r->is_string()) {
        const ordered_json* target = resolve_ref(root, r->get<std::string>());
        return target ? json_sql_type(root, *target, depth + 1) : data_type::of(type_id::jsonb);
    }
    for (const char* k : {"oneOf", "anyOf"}) {
        auto alts = node.find(k);
        if (alts == node.end() || !alts->is_array()) continue;
        const ordered_json* only = nullptr;
        int count = 0;
        for (const auto& a : *alts) {
            if (a.is_object() && a.value("type", ordered_json()) == "null") continue;
            only = &a;
            ++count;
        }
        if (count == 1) return json_sql_type(root, *only, depth + 1);
        return data_type::of(type_id::jsonb);
    }
    auto t = node.find("type");
    if (t == node.end()) return data_type::of(type_id::jsonb);
    if (t->is_string()) return type_named(t->get<std::string>(), node);
    if (!t->is_array()) return data_type::of(type_id::jsonb);
    std::vector<std::string> types;
    for (const auto& x : *t)
        if (x.is_string() && x != "null") types.push_back(x.get<std::string>());
    if (types.size() == 1) return type_named(types[0], node);
    return data_type::of(type_id::jsonb);
}

ordered_json nullable(const char* type) {
    return ordered_json{{"type", ordered_json::array({type, "null"})}};
}

ordered_json json_property(const data_type& t) {
    switch (t.id) {
        case type_id::boolean:
            return nullable("boolean");
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
            return nullable("integer");
        case type_id::float32:
        case type_id::float64:
        case type_id::numeric:
            return nullable("number");
        case type_id::date: {
            ordered_json p = nullable("string");
            p["format"] = "date";
            return p;
        }
        case type_id::jsonb:
            return ordered_json::object();  // any JSON value
        default:                            // text, bytea, times, timestamps, intervals: their text
            return nullable("string");
    }
}

}  // namespace

sql_result<std::unique_ptr<record_decoder>> make_json_sr_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas) {
    return std::unique_ptr<record_decoder>(
        std::make_unique<json_sr_decoder>(declared, std::move(schemas)));
}

sql_result<std::unique_ptr<row_encoder>> make_json_sr_encoder(std::span<const column_def> columns,
                                                              registered_schema_ptr writer) {
    if (writer->type != registry::schema_type::json)
        return make_error(sql_errc::datatype_mismatch,
                          "schema id " + std::to_string(writer->id) + " is not a JSON schema");
    return std::unique_ptr<row_encoder>(std::make_unique<json_sr_encoder>(columns, writer->id));
}

sql_result<std::vector<column_def>> json_schema_columns(const registered_schema& s) {
    ordered_json root = ordered_json::parse(s.text, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(sql_errc::invalid_parameter_value,
                          "JSON schema " + std::to_string(s.id) + " is not a JSON object");
    const ordered_json* object = &root;
    for (int depth = 0; depth < 32 && object->contains("$ref"); ++depth) {
        const auto& ref = (*object)["$ref"];
        object = ref.is_string() ? resolve_ref(root, ref.get<std::string>()) : nullptr;
        if (!object) break;
    }
    if (!object || !object->contains("properties") || !(*object)["properties"].is_object())
        return make_error(sql_errc::feature_not_supported,
                          "JSON schema " + std::to_string(s.id) +
                              " does not describe an object with properties; declare the "
                              "source's columns");
    std::vector<column_def> cols;
    for (const auto& [name, prop] : (*object)["properties"].items())
        cols.push_back({name, json_sql_type(root, prop, 0)});
    return cols;
}

sql_result<std::string> json_sink_schema(std::string_view name,
                                         std::span<const column_def> columns) {
    ordered_json properties = ordered_json::object();
    for (const column_def& c : columns) {
        if (properties.contains(c.name))
            return make_error(sql_errc::duplicate_object,
                              "column \"" + c.name + "\" appears twice in the sink's output");
        properties[c.name] = json_property(c.type);
    }
    ordered_json schema{{"$schema", "http://json-schema.org/draft-07/schema#"},
                        {"title", std::string(name)},
                        {"type", "object"},
                        {"properties", std::move(properties)}};
    return schema.dump();
}

}  // namespace spate::sql::format_detail
