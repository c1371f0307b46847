// Writes the tree back as compact JSON in three styles (see avro_schema.h).
// Attributes come in one fixed order whatever order they were written in;
// values of defaults and custom properties have their object keys sorted.

#include <algorithm>
#include <set>
#include <utility>

#include "registry/avro/avro_names.h"
#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {
namespace {

enum class style { canonical, normalized, resolved };

// avro-c's view puts every named type under this namespace so that names in
// the null namespace stay reachable from inside other namespaces.
constexpr std::string_view k_resolved_root = "spate";

using entries = std::vector<std::pair<std::string, json>>;

int schema_rank(std::string_view key) {
    static constexpr std::string_view order[] = {
        "type",   "name", "namespace", "doc",     "fields",      "symbols",   "items",
        "values", "size", "default",   "aliases", "logicalType", "precision", "scale"};
    for (size_t i = 0; i < std::size(order); ++i) {
        if (order[i] == key) return static_cast<int>(i);
    }
    return static_cast<int>(std::size(order));
}

int field_rank(std::string_view key) {
    static constexpr std::string_view order[] = {"name",    "type",  "doc",
                                                 "default", "order", "aliases"};
    for (size_t i = 0; i < std::size(order); ++i) {
        if (order[i] == key) return static_cast<int>(i);
    }
    return static_cast<int>(std::size(order));
}

json in_order(entries e, int (*rank)(std::string_view)) {
    std::stable_sort(e.begin(), e.end(), [rank](const auto& a, const auto& b) {
        const int ra = rank(a.first), rb = rank(b.first);
        return ra != rb ? ra < rb : a.first < b.first;
    });
    json out = json::object();
    for (auto& [k, v] : e)
        out[k] = std::move(v);
    return out;
}

// `v` with every object's keys sorted, recursively.
json sorted_value(const json& v) {
    if (v.is_array()) {
        json out = json::array();
        for (const auto& e : v)
            out.push_back(sorted_value(e));
        return out;
    }
    if (!v.is_object()) return v;
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it)
        keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    json out = json::object();
    for (const auto& k : keys)
        out[k] = sorted_value(v.at(k));
    return out;
}

json sorted_unique(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return json(names);
}

bool is_ascending(const std::string& order) {
    std::string o = order;
    for (char& c : o)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o == "ascending";
}

class writer {
  public:
    explicit writer(style s) : _s(s) {}
    json type(const node* n);

  private:
    json use(const node* n) const;
    json primitive(const node* n);
    json record(const node* n);
    json field_of(const field& f);
    json enumeration(const node* n);
    json fixed(const node* n);
    json container(const node* n);
    entries named(const node* n, std::string_view type);
    void add_props(const json& props, entries& e) const;

    style _s;
    std::set<const node*> _inlined;
};

json writer::type(const node* n) {
    switch (n->k) {
        case kind::ref:
            if (_s == style::resolved && !_inlined.count(n->target)) return type(n->target);
            return use(n);
        case kind::record:
            return record(n);
        case kind::enumeration:
            return enumeration(n);
        case kind::fixed:
            return fixed(n);
        case kind::array:
        case kind::map:
            return container(n);
        case kind::union_type: {
            json out = json::array();
            for (const node* b : n->branches)
                out.push_back(type(b));
            return out;
        }
        default:
            return primitive(n);
    }
}

json writer::use(const node* n) const {
    switch (_s) {
        case style::canonical:
            return n->written_name;
        case style::normalized:
            return n->full_name;
        case style::resolved:
            break;
    }
    return std::string(k_resolved_root) + "." + n->full_name;
}

json writer::primitive(const node* n) {
    const std::string name(primitive_name(n->k));
    if (_s == style::resolved || n->props.empty()) return name;
    entries e{{"type", name}};
    add_props(n->props, e);
    return in_order(std::move(e), schema_rank);
}

entries writer::named(const node* n, std::string_view type) {
    entries e{{"type", std::string(type)}};
    if (_s == style::resolved) {
        _inlined.insert(n);
        e.emplace_back("name", n->name);
        std::string space(k_resolved_root);
        if (!n->space.empty()) space += "." + n->space;
        e.emplace_back("namespace", space);
        return e;
    }
    if (_s == style::canonical) {
        e.emplace_back("name", n->written_name);
        if (n->written_namespace) e.emplace_back("namespace", *n->written_namespace);
        if (n->aliases) e.emplace_back("aliases", *n->aliases);
    } else {
        e.emplace_back("name", n->full_name);
        if (!n->full_aliases.empty()) e.emplace_back("aliases", sorted_unique(n->full_aliases));
    }
    if (n->doc) e.emplace_back("doc", *n->doc);
    add_props(n->props, e);
    return e;
}

void writer::add_props(const json& props, entries& e) const {
    if (_s == style::resolved) return;
    const bool decimal = props.contains("logicalType") && props["logicalType"] == "decimal";
    for (auto it = props.begin(); it != props.end(); ++it) {
        // Normalized: a decimal's scale 0 is the default, as no scale.
        if (_s == style::normalized && decimal && it.key() == "scale" && it.value() == 0) continue;
        e.emplace_back(it.key(), sorted_value(it.value()));
    }
}

json writer::record(const node* n) {
    entries e = named(n, n->is_error && _s != style::resolved ? "error" : "record");
    json fields = json::array();
    for (const auto& f : n->fields)
        fields.push_back(field_of(f));
    e.emplace_back("fields", std::move(fields));
    return in_order(std::move(e), schema_rank);
}

json writer::field_of(const field& f) {
    entries e{{"name", f.name}, {"type", type(f.type)}};
    if (_s == style::resolved) return in_order(std::move(e), field_rank);
    if (f.doc) e.emplace_back("doc", *f.doc);
    if (f.default_value) e.emplace_back("default", sorted_value(*f.default_value));
    if (f.order && (_s == style::canonical || !is_ascending(*f.order))) {
        std::string o = *f.order;
        if (_s == style::normalized) {
            for (char& c : o)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        e.emplace_back("order", o);
    }
    if (f.aliases && (_s == style::canonical || !f.aliases->empty())) {
        e.emplace_back("aliases",
                       _s == style::canonical ? json(*f.aliases) : sorted_unique(*f.aliases));
    }
    for (auto it = f.props.begin(); it != f.props.end(); ++it) {
        e.emplace_back(it.key(), sorted_value(it.value()));
    }
    return in_order(std::move(e), field_rank);
}

json writer::enumeration(const node* n) {
    entries e = named(n, "enum");
    e.emplace_back("symbols", n->symbols);
    if (n->enum_default && _s != style::resolved) e.emplace_back("default", *n->enum_default);
    return in_order(std::move(e), schema_rank);
}

json writer::fixed(const node* n) {
    entries e = named(n, "fixed");
    e.emplace_back("size", n->size);
    return in_order(std::move(e), schema_rank);
}

json writer::container(const node* n) {
    const bool array = n->k == kind::array;
    entries e{{"type", array ? "array" : "map"}, {array ? "items" : "values", type(n->items)}};
    add_props(n->props, e);
    return in_order(std::move(e), schema_rank);
}

std::string write(const node* root, style s) {
    writer w(s);
    return w.type(root).dump();
}

}  // namespace

std::string write_canonical(const node* root) {
    return write(root, style::canonical);
}

std::string write_normalized(const node* root) {
    return write(root, style::normalized);
}

std::string write_resolved(const node* root) {
    return write(root, style::resolved);
}

}  // namespace spate::registry::avro
