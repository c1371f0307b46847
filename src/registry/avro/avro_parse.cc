// Builds the Avro tree from schema JSON with the rules of Avro Java's parser
// as the Confluent registry runs it (names validated, defaults validated),
// plus the spec's rules Java leaves to other places (enum defaults must be
// symbols, no duplicate union branches). Names must be defined before use;
// a record's own name is defined while its fields are parsed.

#include <map>
#include <set>
#include <utility>

#include "registry/avro/avro_defaults.h"
#include "registry/avro/avro_names.h"
#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {
namespace {

// Deepest nesting of JSON arrays and objects accepted: bounds every
// recursion over the tree and over default values.
constexpr int k_max_nesting = 256;

error invalid(std::string what) {
    return make_error(errc::invalid_argument, std::move(what));
}

std::string in_field(const std::string& path) {
    return path.empty() ? std::string() : " in field '" + path + "'";
}

std::string shown(const json& j) {
    std::string s = j.dump();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

// Whether `text` nests arrays and objects at most `limit` deep (strings skipped).
bool nesting_within(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

// A string attribute: nullopt when absent or null.
result<std::optional<std::string>> optional_string(const json& j, const char* key,
                                                   const std::string& owner) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) {
        return invalid(std::string("\"") + key + "\" of " + owner + " must be a string, not " +
                       shown(*it));
    }
    return std::optional<std::string>(it->get<std::string>());
}

result<std::optional<std::vector<std::string>>> optional_aliases(const json& j,
                                                                 const std::string& owner) {
    auto it = j.find("aliases");
    if (it == j.end()) return std::optional<std::vector<std::string>>();
    if (!it->is_array()) return invalid("\"aliases\" of " + owner + " must be an array");
    std::vector<std::string> out;
    for (const auto& a : *it) {
        if (!a.is_string())
            return invalid("an alias of " + owner + " is not a string: " + shown(a));
        out.push_back(a.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

void keep_props(const json& j, json& props, std::initializer_list<std::string_view> reserved) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool skip = false;
        for (auto r : reserved)
            skip = skip || it.key() == r;
        if (!skip) props[it.key()] = it.value();
    }
}

bool is_named(const node* n) {
    return n->k == kind::record || n->k == kind::enumeration || n->k == kind::fixed;
}

class parser {
  public:
    explicit parser(tree& t) : _t(t) {}

    // The type `j` within namespace `space`; `path` is the dotted field path
    // for messages ("" outside any field).
    result<const node*> parse(const json& j, const std::string& space, const std::string& path);
    // Validates the field defaults parsed since the last call.
    status check_defaults();

  private:
    struct pending_default {
        const node* record;
        size_t index;
        std::string path;
    };

    node& make(kind k) {
        _t.arena.push_back(std::make_unique<node>());
        _t.arena.back()->k = k;
        return *_t.arena.back();
    }
    result<const node*> use_name(const std::string& name, const std::string& space,
                                 const std::string& path);
    result<const node*> parse_object(const json& j, const std::string& space,
                                     const std::string& path);
    result<const node*> parse_union(const json& j, const std::string& space,
                                    const std::string& path);
    result<const node*> parse_container(const json& j, kind k, const std::string& space,
                                        const std::string& path);
    status parse_name(const json& j, node& n, const std::string& space, const std::string& path,
                      const std::string& what);
    status define(const node& n, const std::string& path);
    result<const node*> parse_record(const json& j, bool is_error, const std::string& space,
                                     const std::string& path);
    status parse_field(const json& j, node& record, const std::string& path);
    status parse_field_attributes(const json& j, field& f, const std::string& owner);
    result<const node*> parse_enum(const json& j, const std::string& space,
                                   const std::string& path);
    result<const node*> parse_fixed(const json& j, const std::string& space,
                                    const std::string& path);

    tree& _t;
    std::map<std::string, const node*, std::less<>> _names;
    std::vector<pending_default> _pending;
};

result<const node*> parser::parse(const json& j, const std::string& space,
                                  const std::string& path) {
    if (j.is_string()) return use_name(j.get<std::string>(), space, path);
    if (j.is_object()) return parse_object(j, space, path);
    if (j.is_array()) return parse_union(j, space, path);
    return invalid("a type must be a name, an object or an array, not " + shown(j) +
                   in_field(path));
}

result<const node*> parser::use_name(const std::string& name, const std::string& space,
                                     const std::string& path) {
    if (auto k = primitive_kind(name)) return &make(*k);
    // As Avro Java: the name within the enclosing namespace, else as written.
    auto it = _names.find(qualify(name, space));
    if (it == _names.end()) it = _names.find(name);
    if (it == _names.end()) return invalid("unknown type '" + name + "'" + in_field(path));
    const node* def = it->second;
    node& n = make(kind::ref);
    n.written_name = name;
    n.target = def;
    n.name = def->name;
    n.space = def->space;
    n.full_name = def->full_name;
    return &n;
}

result<const node*> parser::parse_object(const json& j, const std::string& space,
                                         const std::string& path) {
    auto it = j.find("type");
    if (it == j.end()) return invalid("a schema object needs a \"type\"" + in_field(path));
    if (!it->is_string()) {
        return invalid("\"type\" must be a string, not " + shown(*it) + in_field(path));
    }
    const std::string& type = it->get_ref<const std::string&>();
    if (auto k = primitive_kind(type)) {
        node& n = make(*k);
        keep_props(j, n.props, {"type"});
        return &n;
    }
    if (type == "record" || type == "error") return parse_record(j, type == "error", space, path);
    if (type == "enum") return parse_enum(j, space, path);
    if (type == "fixed") return parse_fixed(j, space, path);
    if (type == "array") return parse_container(j, kind::array, space, path);
    if (type == "map") return parse_container(j, kind::map, space, path);
    // {"type": "Name"}: a use of a defined name (its other attributes are ignored).
    return use_name(type, space, path);
}

result<const node*> parser::parse_union(const json& j, const std::string& space,
                                        const std::string& path) {
    if (j.empty()) return invalid("a union needs at least one type" + in_field(path));
    node& u = make(kind::union_type);
    std::set<std::string> seen;
    for (const auto& b : j) {
        auto branch = parse(b, space, path);
        SPATE_TRY(branch);
        const node* d = resolve(branch.value());
        if (d->k == kind::union_type) {
            return invalid("a union may not directly contain another union" + in_field(path));
        }
        const std::string key = is_named(d) ? d->full_name : std::string(type_label(d));
        if (!seen.insert(key).second) {
            return invalid("a union contains " + (is_named(d) ? "'" + key + "'" : key) + " twice" +
                           in_field(path));
        }
        u.branches.push_back(branch.value());
    }
    return &u;
}

result<const node*> parser::parse_container(const json& j, kind k, const std::string& space,
                                            const std::string& path) {
    const char* member = k == kind::array ? "items" : "values";
    auto it = j.find(member);
    if (it == j.end()) {
        return invalid(std::string(k == kind::array ? "an array" : "a map") + " has no \"" +
                       member + "\"" + in_field(path));
    }
    auto inner = parse(*it, space, path);
    SPATE_TRY(inner);
    node& n = make(k);
    n.items = inner.value();
    keep_props(j, n.props, {"type", member});
    return &n;
}

status parser::parse_name(const json& j, node& n, const std::string& space, const std::string& path,
                          const std::string& what) {
    auto name = j.find("name");
    if (name == j.end() || !name->is_string()) {
        return invalid("a " + what + " has no \"name\"" + in_field(path));
    }
    n.written_name = name->get<std::string>();
    auto ns = optional_string(j, "namespace", what + " '" + n.written_name + "'");
    SPATE_TRY(ns);
    n.written_namespace = ns.value();
    if (ns.value() && !is_namespace(*ns.value())) {
        return invalid("invalid namespace '" + *ns.value() + "'" + in_field(path));
    }
    const size_t dot = n.written_name.rfind('.');
    n.name = dot == std::string::npos ? n.written_name : n.written_name.substr(dot + 1);
    n.space = dot != std::string::npos ? n.written_name.substr(0, dot) : ns.value().value_or(space);
    if (!is_identifier(n.name) || !is_namespace(n.space)) {
        return invalid("invalid " + what + " name '" + n.written_name + "'" + in_field(path));
    }
    if (primitive_kind(n.name)) {
        return invalid("'" + n.name + "' is a primitive type and cannot name a " + what +
                       in_field(path));
    }
    n.full_name = qualify(n.name, n.space);
    const std::string owner = what + " '" + n.full_name + "'";
    auto doc = optional_string(j, "doc", owner);
    SPATE_TRY(doc);
    n.doc = doc.value();
    auto aliases = optional_aliases(j, owner);
    SPATE_TRY(aliases);
    n.aliases = aliases.value();
    for (const auto& a : n.aliases.value_or(std::vector<std::string>())) {
        if (!is_full_name(a)) return invalid("invalid alias '" + a + "' of " + owner);
        n.full_aliases.push_back(qualify(a, n.space));
    }
    return {};
}

status parser::define(const node& n, const std::string& path) {
    if (!_names.emplace(n.full_name, &n).second) {
        return invalid("type '" + n.full_name + "' is defined twice" + in_field(path));
    }
    return {};
}

result<const node*> parser::parse_record(const json& j, bool is_error, const std::string& space,
                                         const std::string& path) {
    node& n = make(kind::record);
    n.is_error = is_error;
    SPATE_TRY(parse_name(j, n, space, path, "record"));
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) {
        return invalid("record '" + n.full_name + "' has no \"fields\" array" + in_field(path));
    }
    SPATE_TRY(define(n, path));  // before the fields, which may use it
    for (const auto& f : *fields)
        SPATE_TRY(parse_field(f, n, path));
    keep_props(j, n.props, {"type", "name", "namespace", "doc", "fields", "aliases"});
    return &n;
}

status parser::parse_field(const json& j, node& record, const std::string& path) {
    const std::string owner_record = "record '" + record.full_name + "'";
    const std::string index = std::to_string(record.fields.size());
    if (!j.is_object())
        return invalid("field " + index + " of " + owner_record + " is not an object");
    auto name = j.find("name");
    if (name == j.end() || !name->is_string()) {
        return invalid("field " + index + " of " + owner_record + " has no \"name\"");
    }
    field f;
    f.name = name->get<std::string>();
    const std::string field_path = path.empty() ? f.name : path + "." + f.name;
    if (!is_identifier(f.name)) {
        return invalid("invalid field name '" + f.name + "' in " + owner_record);
    }
    for (const auto& g : record.fields) {
        if (g.name == f.name) return invalid("duplicate field '" + f.name + "' in " + owner_record);
    }
    auto type = j.find("type");
    if (type == j.end()) return invalid("field '" + field_path + "' has no \"type\"");
    auto t = parse(*type, record.space, field_path);
    SPATE_TRY(t);
    f.type = t.value();
    SPATE_TRY(parse_field_attributes(j, f, "field '" + field_path + "'"));
    if (f.default_value) _pending.push_back({&record, record.fields.size(), field_path});
    record.fields.push_back(std::move(f));
    return {};
}

status parser::parse_field_attributes(const json& j, field& f, const std::string& owner) {
    auto doc = optional_string(j, "doc", owner);
    SPATE_TRY(doc);
    f.doc = doc.value();
    auto aliases = optional_aliases(j, owner);
    SPATE_TRY(aliases);
    f.aliases = aliases.value();
    auto order = optional_string(j, "order", owner);
    SPATE_TRY(order);
    if (order.value()) {
        std::string o = *order.value();
        for (char& c : o)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (o != "ascending" && o != "descending" && o != "ignore") {
            return invalid("\"order\" of " + owner +
                           " must be ascending, descending or ignore, not '" + *order.value() +
                           "'");
        }
        f.order = order.value();
    }
    if (auto d = j.find("default"); d != j.end()) f.default_value = *d;
    keep_props(j, f.props, {"name", "type", "doc", "default", "order", "aliases"});
    return {};
}

result<const node*> parser::parse_enum(const json& j, const std::string& space,
                                       const std::string& path) {
    node& n = make(kind::enumeration);
    SPATE_TRY(parse_name(j, n, space, path, "enum"));
    const std::string owner = "enum '" + n.full_name + "'";
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array() || symbols->empty()) {
        return invalid(owner + " has no \"symbols\"" + in_field(path));
    }
    for (const auto& s : *symbols) {
        if (!s.is_string() || !is_identifier(s.get_ref<const std::string&>())) {
            return invalid("invalid symbol " + shown(s) + " in " + owner);
        }
        for (const auto& t : n.symbols) {
            if (t == s) return invalid("duplicate symbol " + shown(s) + " in " + owner);
        }
        n.symbols.push_back(s.get<std::string>());
    }
    auto def = optional_string(j, "default", owner);
    SPATE_TRY(def);
    if (def.value()) {
        bool known = false;
        for (const auto& s : n.symbols)
            known = known || s == *def.value();
        if (!known)
            return invalid("the default '" + *def.value() + "' of " + owner + " is not a symbol");
        n.enum_default = def.value();
    }
    SPATE_TRY(define(n, path));
    keep_props(j, n.props, {"type", "name", "namespace", "doc", "symbols", "default", "aliases"});
    return &n;
}

result<const node*> parser::parse_fixed(const json& j, const std::string& space,
                                        const std::string& path) {
    node& n = make(kind::fixed);
    SPATE_TRY(parse_name(j, n, space, path, "fixed"));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() ||
        (size->is_number_unsigned()
             ? size->get<uint64_t>() > INT32_MAX
             : size->get<int64_t>() < 0 || size->get<int64_t>() > INT32_MAX)) {
        return invalid("fixed '" + n.full_name + "' needs a \"size\" from 0 to 2147483647" +
                       in_field(path));
    }
    n.size = size->get<int64_t>();
    SPATE_TRY(define(n, path));
    keep_props(j, n.props, {"type", "name", "namespace", "doc", "size", "aliases"});
    return &n;
}

status parser::check_defaults() {
    for (const auto& p : _pending) {
        const field& f = p.record->fields[p.index];
        if (auto why = default_mismatch(f.type, *f.default_value)) {
            return invalid("invalid default for field '" + p.path +
                           "': " + shown(*f.default_value) + " is not " + *why);
        }
    }
    _pending.clear();
    return {};
}

// One schema text into `p`: its root node.
result<const node*> parse_text(parser& p, std::string_view text) {
    if (!nesting_within(text, k_max_nesting)) {
        return invalid("nested more than " + std::to_string(k_max_nesting) + " levels deep");
    }
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {  // syntax errors, number overflow
        std::string what = e.what();
        if (auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
        return invalid("not JSON: " + what);
    }
    auto root = p.parse(j, "", "");
    SPATE_TRY(root);
    SPATE_TRY(p.check_defaults());
    return root;
}

}  // namespace

result<std::shared_ptr<const tree>> parse_tree(std::string_view text,
                                               const std::vector<resolved_reference>& refs) {
    auto t = std::make_shared<tree>();
    parser p(*t);
    std::set<std::string_view> parsed;
    for (const auto& r : refs) {
        if (!parsed.insert(r.schema).second) continue;  // the same schema reached twice
        auto root = parse_text(p, r.schema);
        if (!root.ok()) {
            return invalid("Invalid schema: reference '" + r.ref.name + "' (subject '" +
                           r.ref.subject + "', version " + std::to_string(r.ref.version.value()) +
                           "): " + root.err().message);
        }
    }
    auto root = parse_text(p, text);
    if (!root.ok()) return invalid("Invalid schema: " + root.err().message);
    t->root = root.value();
    return std::shared_ptr<const tree>(std::move(t));
}

}  // namespace spate::registry::avro
