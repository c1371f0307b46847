#include "sql/catalog/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace spate::sql {

// The catalog stores type ids as integers (docs/formats/catalog.md).
static_assert(static_cast<int>(type_id::unknown) == 0);
static_assert(static_cast<int>(type_id::int64) == 4);
static_assert(static_cast<int>(type_id::numeric) == 7);
static_assert(static_cast<int>(type_id::timestamp) == 12);
static_assert(static_cast<int>(type_id::jsonb) == 15);
static_assert(static_cast<int>(catalog_kind::sink) == 2);

namespace {

using json = nlohmann::json;

json type_to_json(const data_type& t) {
    return json{{"id", static_cast<int>(t.id)},
                {"precision", t.precision},
                {"scale", t.scale},
                {"varchar", t.varchar}};
}

data_type type_from_json(const json& j) {
    data_type t;
    t.id = static_cast<type_id>(j.at("id").get<int>());
    t.precision = j.at("precision").get<int16_t>();
    t.scale = j.at("scale").get<int16_t>();
    t.varchar = j.at("varchar").get<bool>();
    return t;
}

json columns_to_json(const std::vector<column_def>& cols) {
    json out = json::array();
    for (const auto& c : cols)
        out.push_back({{"name", c.name}, {"type", type_to_json(c.type)}});
    return out;
}

std::vector<column_def> columns_from_json(const json& j) {
    std::vector<column_def> out;
    for (const auto& c : j)
        out.push_back({c.at("name").get<std::string>(), type_from_json(c.at("type"))});
    return out;
}

}  // namespace

std::string_view catalog_kind_name(catalog_kind k) {
    switch (k) {
        case catalog_kind::source:
            return "source";
        case catalog_kind::view:
            return "materialized view";
        case catalog_kind::sink:
            return "sink";
    }
    return "object";
}

std::string catalog_key(const catalog_object& o) {
    switch (o.kind) {
        case catalog_kind::source:
            return "source/" + o.name;
        case catalog_kind::view:
            return "view/" + o.name;
        case catalog_kind::sink:
            return "sink/" + o.name;
    }
    return o.name;
}

std::string to_json(const catalog_object& o) {
    const relation_def& r = o.relation;
    json j{{"version", 1},
           {"kind", static_cast<int>(o.kind)},
           {"name", o.name},
           {"create_sql", o.create_sql},
           {"id", o.id},
           {"relation",
            {{"kind", static_cast<int>(r.kind)},
             {"topic", r.topic},
             {"format", std::string(format_name(r.format))},
             {"columns", columns_to_json(r.columns)},
             {"upsert_key", r.upsert_key},
             {"start_earliest", r.start_earliest},
             {"csv_delimiter", std::string(1, r.decoding.csv_delimiter)},
             {"csv_header", r.decoding.csv_header},
             {"dead_letter_topic", r.dead_letter_topic},
             {"watermark_column", r.watermark_column},
             {"watermark_sql", r.watermark_sql},
             {"idle_timeout_ms", r.idle_timeout_ms}}},
           {"query_sql", o.query_sql},
           {"from", o.from},
           {"depends_on", o.depends_on},
           {"output_topic", o.output_topic},
           {"output_format", std::string(format_name(o.output_format))},
           {"output_schema_id", o.output_schema_id},
           {"exactly_once", o.exactly_once},
           {"commit_interval_ms", o.commit_interval_ms},
           {"emit_on_window_close", o.emit_on_window_close},
           {"options", o.options}};
    return j.dump();
}

sql_result<catalog_object> catalog_object_from_json(std::string_view text) {
    try {
        json j = json::parse(text);
        catalog_object o;
        o.kind = static_cast<catalog_kind>(j.at("kind").get<int>());
        o.name = j.at("name").get<std::string>();
        o.create_sql = j.at("create_sql").get<std::string>();
        o.id = j.value("id", "");
        const json& r = j.at("relation");
        o.relation.kind = static_cast<catalog_kind>(r.at("kind").get<int>());
        o.relation.name = o.name;
        o.relation.topic = r.at("topic").get<std::string>();
        auto f = parse_record_format(r.at("format").get<std::string>());
        if (!f.ok()) return f.error();
        o.relation.format = f.value();
        o.relation.columns = columns_from_json(r.at("columns"));
        o.relation.upsert_key = r.value("upsert_key", std::vector<int>{});
        o.relation.start_earliest = r.at("start_earliest").get<bool>();
        std::string delim = r.at("csv_delimiter").get<std::string>();
        o.relation.decoding.csv_delimiter = delim.empty() ? ',' : delim[0];
        o.relation.decoding.csv_header = r.at("csv_header").get<bool>();
        o.relation.dead_letter_topic = r.at("dead_letter_topic").get<std::string>();
        o.relation.watermark_column = r.at("watermark_column").get<std::string>();
        o.relation.watermark_sql = r.at("watermark_sql").get<std::string>();
        o.relation.idle_timeout_ms = r.value("idle_timeout_ms", int64_t{0});
        o.query_sql = j.at("query_sql").get<std::string>();
        o.from = j.at("from").get<std::string>();
        o.depends_on = j.at("depends_on").get<std::vector<std::string>>();
        o.output_topic = j.at("output_topic").get<std::string>();
        auto of = parse_record_format(j.at("output_format").get<std::string>());
        if (!of.ok()) return of.error();
        o.output_format = of.value();
        o.output_schema_id = j.value("output_schema_id", 0);
        o.exactly_once = j.at("exactly_once").get<bool>();
        o.commit_interval_ms = j.at("commit_interval_ms").get<int>();
        o.emit_on_window_close = j.value("emit_on_window_close", false);
        o.options = j.at("options").get<std::vector<std::pair<std::string, std::string>>>();
        return o;
    } catch (const json::exception& e) {
        return make_error(sql_errc::internal_error,
                          std::string("catalog record does not parse: ") + e.what());
    }
}

std::optional<catalog_object> catalog::find(const std::string& name) const {
    std::lock_guard lock(_mu);
    auto it = _objects.find(name);
    if (it == _objects.end()) return std::nullopt;
    return it->second;
}

std::optional<relation_def> catalog::find_relation(const std::string& name) const {
    std::lock_guard lock(_mu);
    auto it = _objects.find(name);
    if (it == _objects.end() || it->second.kind == catalog_kind::sink) return std::nullopt;
    return it->second.relation;
}

std::vector<std::string> catalog::dependents(const std::string& name) const {
    std::lock_guard lock(_mu);
    std::vector<std::string> out;
    for (const auto& n : _order) {
        const auto& deps = _objects.at(n).depends_on;
        if (std::find(deps.begin(), deps.end(), name) != deps.end()) out.push_back(n);
    }
    return out;
}

std::vector<catalog_object> catalog::list(catalog_kind k) const {
    std::lock_guard lock(_mu);
    std::vector<catalog_object> out;
    for (const auto& [name, o] : _objects)
        if (o.kind == k) out.push_back(o);
    return out;
}

std::vector<catalog_object> catalog::all() const {
    std::lock_guard lock(_mu);
    std::vector<catalog_object> out;
    for (const auto& n : _order)
        out.push_back(_objects.at(n));
    return out;
}

sql_status catalog::add(catalog_object o) {
    std::lock_guard lock(_mu);
    if (_objects.count(o.name))
        return make_error(sql_errc::duplicate_table, "relation \"" + o.name + "\" already exists");
    _order.push_back(o.name);
    std::string name = o.name;
    _objects.emplace(std::move(name), std::move(o));
    return {};
}

void catalog::remove(const std::string& name) {
    std::lock_guard lock(_mu);
    _objects.erase(name);
    _order.erase(std::remove(_order.begin(), _order.end(), name), _order.end());
}

}  // namespace spate::sql
