#include "sql/format/avro_model.h"

#include <map>

#include <nlohmann/json.hpp>

namespace spate::sql::format_detail {

namespace {

using json = nlohmann::json;

sql_error schema_error(const std::string& what) {
    return make_error(sql_errc::invalid_parameter_value, "invalid Avro schema: " + what);
}

bool primitive(std::string_view name, avro_kind& k) {
    static const std::pair<std::string_view, avro_kind> k_primitives[] = {
        {"null", avro_kind::null},     {"boolean", avro_kind::boolean},
        {"int", avro_kind::int32},     {"long", avro_kind::int64},
        {"float", avro_kind::float32}, {"double", avro_kind::float64},
        {"bytes", avro_kind::bytes},   {"string", avro_kind::string},
    };
    for (const auto& [n, kind] : k_primitives) {
        if (n == name) {
            k = kind;
            return true;
        }
    }
    return false;
}

// Logical types per the Avro specification; one on the wrong base type (or
// a decimal without a valid precision) is ignored, as the specification says.
void apply_logical(const json& j, avro_node& n) {
    auto lt = j.find("logicalType");
    if (lt == j.end() || !lt->is_string()) return;
    const std::string& l = lt->get_ref<const std::string&>();
    bool is_int = n.kind == avro_kind::int32, is_long = n.kind == avro_kind::int64;
    if (l == "date" && is_int) n.logical = avro_logical::date;
    if (l == "time-millis" && is_int) n.logical = avro_logical::time_millis;
    if (l == "time-micros" && is_long) n.logical = avro_logical::time_micros;
    if (l == "timestamp-millis" && is_long) n.logical = avro_logical::timestamp_millis;
    if (l == "timestamp-micros" && is_long) n.logical = avro_logical::timestamp_micros;
    if (l == "local-timestamp-millis" && is_long) n.logical = avro_logical::local_timestamp_millis;
    if (l == "local-timestamp-micros" && is_long) n.logical = avro_logical::local_timestamp_micros;
    if (l == "decimal" && (n.kind == avro_kind::bytes || n.kind == avro_kind::fixed)) {
        int p = j.value("precision", 0), s = j.value("scale", 0);
        if (p > 0 && s >= 0 && s <= p) {
            n.logical = avro_logical::decimal;
            n.precision = p;
            n.scale = s;
        }
    }
}

}  // namespace

class avro_model_parser {
  public:
    explicit avro_model_parser(avro_model& m) : _m(m) {}

    sql_result<const avro_node*> parse(const json& j, const std::string& ns) {
        if (j.is_string()) return named(j.get<std::string>(), ns);
        if (j.is_array()) return union_of(j, ns);
        if (!j.is_object()) return schema_error("a type must be a name, an object or an array");
        auto t = j.find("type");
        if (t == j.end()) return schema_error("a type object without \"type\"");
        if (!t->is_string()) return parse(*t, ns);  // {"type": {...}} or {"type": [...]}
        const std::string& type = t->get_ref<const std::string&>();
        avro_node& n = _m._nodes.emplace_back();
        if (primitive(type, n.kind)) {
            apply_logical(j, n);
            return &n;
        }
        if (type == "array" || type == "map") {
            n.kind = type == "array" ? avro_kind::array : avro_kind::map;
            auto inner = j.find(type == "array" ? "items" : "values");
            if (inner == j.end()) return schema_error(type + " without its item type");
            auto c = parse(*inner, ns);
            if (!c.ok()) return c;
            n.items = c.value();
            return &n;
        }
        if (type == "record" || type == "error") return record(j, n, ns);
        if (type == "enum" || type == "fixed") {
            n.kind = type == "enum" ? avro_kind::enumeration : avro_kind::fixed;
            if (auto st = define(j, n, ns); !st.ok()) return st.error();
            if (n.kind == avro_kind::fixed) {
                auto size = j.find("size");
                if (size == j.end() || !size->is_number_unsigned())
                    return schema_error("fixed " + n.name + " without a size");
                n.size = size->get<size_t>();
            }
            if (n.kind == avro_kind::enumeration) {
                for (const auto& s : j.value("symbols", json::array()))
                    if (s.is_string()) n.symbols.push_back(s.get<std::string>());
            }
            apply_logical(j, n);
            return &n;
        }
        return named(type, ns);
    }

  private:
    sql_result<const avro_node*> named(const std::string& name, const std::string& ns) {
        avro_kind k;
        if (primitive(name, k)) {
            avro_node& n = _m._nodes.emplace_back();
            n.kind = k;
            return &n;
        }
        if (name.find('.') == std::string::npos && !ns.empty()) {
            auto it = _names.find(ns + "." + name);
            if (it != _names.end()) return it->second;
        }
        auto it = _names.find(name);
        if (it != _names.end()) return it->second;
        return schema_error("unknown type \"" + name + "\"");
    }

    sql_result<const avro_node*> union_of(const json& j, const std::string& ns) {
        avro_node& n = _m._nodes.emplace_back();
        n.kind = avro_kind::union_of;
        for (const auto& b : j) {
            auto c = parse(b, ns);
            if (!c.ok()) return c;
            n.children.push_back(c.value());
        }
        if (n.children.empty()) return schema_error("an empty union");
        return &n;
    }

    // Registers a named type; returns its namespace for its members.
    sql_result<std::string> define(const json& j, avro_node& n, const std::string& ns) {
        auto name = j.find("name");
        if (name == j.end() || !name->is_string()) return schema_error("a named type without name");
        std::string full = name->get<std::string>();
        std::string space = ns;
        if (full.find('.') != std::string::npos) {
            space = full.substr(0, full.rfind('.'));
        } else {
            if (auto s = j.find("namespace"); s != j.end() && s->is_string()) space = *s;
            if (!space.empty()) full = space + "." + full;
        }
        n.name = full;
        if (!_names.emplace(full, &n).second) return schema_error("\"" + full + "\" defined twice");
        return space;
    }

    sql_result<const avro_node*> record(const json& j, avro_node& n, const std::string& ns) {
        n.kind = avro_kind::record;
        auto space = define(j, n, ns);
        if (!space.ok()) return space.error();
        auto fields = j.find("fields");
        if (fields == j.end() || !fields->is_array())
            return schema_error("record " + n.name + " without fields");
        for (const auto& f : *fields) {
            if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
                !f.contains("type"))
                return schema_error("a field of record " + n.name + " without name or type");
            auto c = parse(f["type"], space.value());
            if (!c.ok()) return c;
            n.field_names.push_back(f["name"].get<std::string>());
            n.children.push_back(c.value());
        }
        return &n;
    }

    avro_model& _m;
    std::map<std::string, const avro_node*> _names;
};

sql_result<avro_model> avro_model::parse(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return schema_error("not JSON");
    avro_model m;
    avro_model_parser p(m);
    auto root = p.parse(j, "");
    if (!root.ok()) return root.error();
    m._root = root.value();
    return m;
}

const avro_node* nullable_branch(const avro_node& n) {
    if (n.kind != avro_kind::union_of || n.children.size() != 2) return nullptr;
    const avro_node* a = n.children[0];
    const avro_node* b = n.children[1];
    if (a->kind == avro_kind::null && b->kind != avro_kind::null) return b;
    if (b->kind == avro_kind::null && a->kind != avro_kind::null) return a;
    return nullptr;
}

data_type sql_type_of(const avro_node& n) {
    switch (n.kind) {
        case avro_kind::boolean:
            return data_type::of(type_id::boolean);
        case avro_kind::int32:
            if (n.logical == avro_logical::date) return data_type::of(type_id::date);
            if (n.logical == avro_logical::time_millis) return data_type::of(type_id::time);
            return data_type::of(type_id::int32);
        case avro_kind::int64:
            switch (n.logical) {
                case avro_logical::time_micros:
                    return data_type::of(type_id::time);
                case avro_logical::timestamp_millis:
                case avro_logical::timestamp_micros:
                    return data_type::of(type_id::timestamptz);
                case avro_logical::local_timestamp_millis:
                case avro_logical::local_timestamp_micros:
                    return data_type::of(type_id::timestamp);
                default:
                    return data_type::of(type_id::int64);
            }
        case avro_kind::float32:
            return data_type::of(type_id::float32);
        case avro_kind::float64:
            return data_type::of(type_id::float64);
        case avro_kind::bytes:
        case avro_kind::fixed:
            if (n.logical == avro_logical::decimal) {
                if (n.precision > k_max_numeric_digits) return data_type::of(type_id::numeric);
                return data_type::numeric(static_cast<int16_t>(n.precision),
                                          static_cast<int16_t>(n.scale));
            }
            return data_type::of(type_id::bytea);
        case avro_kind::string:
        case avro_kind::enumeration:
            return data_type::of(type_id::text);
        case avro_kind::union_of:
            if (const avro_node* b = nullable_branch(n)) return sql_type_of(*b);
            return data_type::of(type_id::jsonb);
        case avro_kind::null:
        case avro_kind::record:
        case avro_kind::array:
        case avro_kind::map:
            return data_type::of(type_id::jsonb);
    }
    return data_type::of(type_id::jsonb);
}

bool valid_avro_name(std::string_view name) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0)) return false;
    }
    return true;
}

}  // namespace spate::sql::format_detail
