// Loading JSON Schema documents into the node graph (model.h): parsing,
// keyword shape validation per draft, $id/$anchor indexing and $ref
// resolution across the root document and its references.
//
// The node graph follows the way Confluent's registry (through the everit
// loader) models a schema, since its compatibility rules are written against
// that model: a schema object is split into "kinds" (enum, allOf, anyOf,
// oneOf, not, const, the kinds its "type" names, and the kinds its other
// keywords imply when "type" does not cover them, e.g. "properties" without
// "type"); one kind is the node itself, several become a synthetic allOf.
// In drafts 4-7 a "$ref" hides its siblings; from 2019-09 it is one more kind.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "registry/json_schema/model.h"

namespace spate::registry::json_schema {

std::string_view draft_name(draft d) {
    switch (d) {
        case draft::d4:
            return "draft-04";
        case draft::d6:
            return "draft-06";
        case draft::d7:
            return "draft-07";
        case draft::d2019_09:
            return "2019-09";
        case draft::d2020_12:
            return "2020-12";
    }
    return "draft-07";
}

std::string_view criterion_name(criterion c) {
    switch (c) {
        case criterion::all_of:
            return "allOf";
        case criterion::any_of:
            return "anyOf";
        case criterion::one_of:
            return "oneOf";
    }
    return "allOf";
}

const node* deref(const node* n) {
    // Chains always end: load() rejects $ref cycles that never reach a schema.
    while (n != nullptr && n->kind == node_kind::reference)
        n = n->target;
    return n;
}

namespace {

// Deeper documents are refused before parsing: every walk below recurses.
constexpr int k_max_nesting = 200;

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

// The draft a "$schema" URL names, as Confluent matches them (by prefix,
// either scheme); nullopt for URLs it does not know.
std::optional<draft> draft_of_url(std::string_view url) {
    if (starts_with(url, "https://")) {
        url.remove_prefix(8);
    } else if (starts_with(url, "http://")) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    if (starts_with(url, "json-schema.org/draft-04/schema")) return draft::d4;
    if (starts_with(url, "json-schema.org/draft-06/schema")) return draft::d6;
    if (starts_with(url, "json-schema.org/draft-07/schema")) return draft::d7;
    if (starts_with(url, "json-schema.org/draft/2019-09/schema")) return draft::d2019_09;
    if (starts_with(url, "json-schema.org/draft/2020-12/schema")) return draft::d2020_12;
    return std::nullopt;
}

draft dialect_of(const json& root) {
    if (root.is_object()) {
        auto it = root.find("$schema");
        if (it != root.end() && it->is_string()) {
            if (auto d = draft_of_url(it->get_ref<const std::string&>())) return *d;
        }
    }
    return draft::d7;
}

bool at_least(draft d, draft min) {
    return static_cast<int>(d) >= static_cast<int>(min);
}

const char* id_keyword(draft d) {
    return d == draft::d4 ? "id" : "$id";
}

// Keywords that make a schema without "type" an array / object / number /
// string schema (everit's per-draft lists; 2019-09+ adds its new keywords).
bool is_array_keyword(draft d, std::string_view k) {
    if (k == "items" || k == "minItems" || k == "maxItems" || k == "uniqueItems") return true;
    if (k == "additionalItems") return d != draft::d2020_12;
    if (k == "contains") return d != draft::d4;
    if (k == "prefixItems") return d == draft::d2020_12;
    if (k == "minContains" || k == "maxContains" || k == "unevaluatedItems")
        return at_least(d, draft::d2019_09);
    return false;
}

bool is_object_keyword(draft d, std::string_view k) {
    if (k == "properties" || k == "required" || k == "minProperties" || k == "maxProperties" ||
        k == "dependencies" || k == "patternProperties" || k == "additionalProperties")
        return true;
    if (k == "propertyNames") return d != draft::d4;
    if (k == "dependentRequired" || k == "dependentSchemas" || k == "unevaluatedProperties")
        return at_least(d, draft::d2019_09);
    return false;
}

bool is_number_keyword(std::string_view k) {
    return k == "minimum" || k == "maximum" || k == "exclusiveMinimum" || k == "exclusiveMaximum" ||
           k == "multipleOf";
}

bool is_string_keyword(std::string_view k) {
    return k == "minLength" || k == "maxLength" || k == "pattern" || k == "format";
}

// Keywords whose value is one schema.
bool is_schema_keyword(draft d, std::string_view k) {
    if (k == "additionalProperties" || k == "not") return true;
    if (k == "additionalItems") return d != draft::d2020_12;
    if (k == "contains" || k == "propertyNames") return d != draft::d4;
    if (k == "if" || k == "then" || k == "else") return at_least(d, draft::d7);
    if (k == "unevaluatedProperties" || k == "unevaluatedItems" || k == "contentSchema")
        return at_least(d, draft::d2019_09);
    return false;
}

// Keywords whose value is a non-empty array of schemas ("items" handled apart).
bool is_schema_array_keyword(draft d, std::string_view k) {
    if (k == "allOf" || k == "anyOf" || k == "oneOf") return true;
    if (k == "prefixItems") return d == draft::d2020_12;
    return false;
}

// Keywords whose value is an object of schemas ("dependencies" handled apart).
bool is_schema_map_keyword(draft d, std::string_view k) {
    if (k == "properties" || k == "patternProperties" || k == "definitions" || k == "$defs")
        return true;
    if (k == "dependentSchemas") return at_least(d, draft::d2019_09);
    return false;
}

bool is_count_keyword(std::string_view k) {
    return k == "maxLength" || k == "minLength" || k == "maxItems" || k == "minItems" ||
           k == "maxProperties" || k == "minProperties" || k == "maxContains" || k == "minContains";
}

bool is_type_name(std::string_view t) {
    return t == "string" || t == "integer" || t == "number" || t == "boolean" || t == "null" ||
           t == "array" || t == "object";
}

bool is_count(const json& v) {
    if (v.is_number_unsigned()) return true;
    if (v.is_number_integer()) return v.get<int64_t>() >= 0;
    if (v.is_number_float()) {
        double f = v.get<double>();
        return f >= 0 && f <= 9.0e15 && std::floor(f) == f;
    }
    return false;
}

int64_t count_value(const json& v) {
    if (v.is_number_unsigned()) {
        auto u = v.get<uint64_t>();
        return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<int64_t>();
    return static_cast<int64_t>(v.get<double>());
}

std::string escape_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string child(const std::string& ptr, std::string_view token) {
    return ptr + "/" + escape_token(token);
}

std::string child(const std::string& ptr, std::string_view token, std::string_view token2) {
    return child(child(ptr, token), token2);
}

std::string child(const std::string& ptr, std::string_view token, size_t index) {
    return child(ptr, token) + "/" + std::to_string(index);
}

std::string percent_decode(std::string_view s) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// The value a JSON pointer ("" or "/a/b") names in `root`, or nullptr.
const json* at_pointer(const json& root, std::string_view ptr) {
    const json* cur = &root;
    size_t pos = 0;
    while (pos < ptr.size()) {
        if (ptr[pos] != '/') return nullptr;
        size_t end = ptr.find('/', pos + 1);
        if (end == std::string_view::npos) end = ptr.size();
        std::string token;
        for (size_t i = pos + 1; i < end; ++i) {
            if (ptr[i] == '~' && i + 1 < end && (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
                token += ptr[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                token += ptr[i];
            }
        }
        if (cur->is_object()) {
            auto it = cur->find(token);
            if (it == cur->end()) return nullptr;
            cur = &*it;
        } else if (cur->is_array()) {
            if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0') ||
                !std::all_of(token.begin(), token.end(),
                             [](char c) { return c >= '0' && c <= '9'; }))
                return nullptr;
            size_t index = std::stoul(token);
            if (index >= cur->size()) return nullptr;
            cur = &(*cur)[index];
        } else {
            return nullptr;
        }
        pos = end;
    }
    return cur;
}

// --- URI references (RFC 3986 section 5.2, enough for $id / $ref) ---

struct uri_parts {
    std::string scheme;  // without ':'
    bool has_authority = false;
    std::string authority;
    std::string path;
    std::string query;  // with '?', or empty
};

uri_parts split_uri(std::string_view s) {
    uri_parts u;
    size_t colon = s.find(':');
    if (colon != std::string_view::npos && colon > 0) {
        bool scheme = std::isalpha(static_cast<unsigned char>(s[0]));
        for (size_t i = 1; i < colon && scheme; ++i) {
            char c = s[i];
            scheme =
                std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        }
        if (scheme && s.substr(0, colon).find('/') == std::string_view::npos) {
            u.scheme = std::string(s.substr(0, colon));
            s.remove_prefix(colon + 1);
        }
    }
    if (starts_with(s, "//")) {
        s.remove_prefix(2);
        size_t end = s.find_first_of("/?");
        if (end == std::string_view::npos) end = s.size();
        u.has_authority = true;
        u.authority = std::string(s.substr(0, end));
        s.remove_prefix(end);
    }
    size_t q = s.find('?');
    if (q != std::string_view::npos) {
        u.query = std::string(s.substr(q));
        s = s.substr(0, q);
    }
    u.path = std::string(s);
    return u;
}

std::string remove_dot_segments(std::string_view in) {
    std::string input(in), out;
    while (!input.empty()) {
        if (starts_with(input, "../")) {
            input.erase(0, 3);
        } else if (starts_with(input, "./")) {
            input.erase(0, 2);
        } else if (starts_with(input, "/./")) {
            input.erase(0, 2);
        } else if (input == "/.") {
            input = "/";
        } else if (starts_with(input, "/../") || input == "/..") {
            input = input == "/.." ? "/" : input.substr(3);
            size_t slash = out.rfind('/');
            out.erase(slash == std::string::npos ? 0 : slash);
        } else if (input == "." || input == "..") {
            input.clear();
        } else {
            size_t start = input[0] == '/' ? 1 : 0;
            size_t slash = input.find('/', start);
            if (slash == std::string::npos) slash = input.size();
            out += input.substr(0, slash);
            input.erase(0, slash);
        }
    }
    return out;
}

std::string join_uri(const uri_parts& u) {
    std::string s;
    if (!u.scheme.empty()) s += u.scheme + ":";
    if (u.has_authority) s += "//" + u.authority;
    s += u.path;
    s += u.query;
    return s;
}

// `ref` (without fragment) resolved against `base` (without fragment).
std::string resolve_uri(std::string_view base, std::string_view ref) {
    uri_parts r = split_uri(ref);
    if (!r.scheme.empty() || base.empty()) {
        r.path = remove_dot_segments(r.path);
        return join_uri(r);
    }
    uri_parts b = split_uri(base);
    uri_parts t;
    t.scheme = b.scheme;
    if (r.has_authority) {
        t.has_authority = true;
        t.authority = r.authority;
        t.path = remove_dot_segments(r.path);
        t.query = r.query;
        return join_uri(t);
    }
    t.has_authority = b.has_authority;
    t.authority = b.authority;
    if (r.path.empty()) {
        t.path = b.path;
        t.query = r.query.empty() ? b.query : r.query;
    } else {
        if (r.path[0] == '/') {
            t.path = remove_dot_segments(r.path);
        } else {
            std::string merged;
            if (b.has_authority && b.path.empty()) {
                merged = "/" + r.path;
            } else {
                size_t slash = b.path.rfind('/');
                merged = (slash == std::string::npos ? "" : b.path.substr(0, slash + 1)) + r.path;
            }
            t.path = remove_dot_segments(merged);
        }
        t.query = r.query;
    }
    return join_uri(t);
}

std::pair<std::string_view, std::optional<std::string_view>> split_fragment(std::string_view s) {
    size_t hash = s.find('#');
    if (hash == std::string_view::npos) return {s, std::nullopt};
    return {s.substr(0, hash), s.substr(hash + 1)};
}

// Refuses texts nested deeper than the walks below may recurse.
bool nesting_within_limit(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > k_max_nesting) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

struct location {
    size_t doc = 0;
    std::string ptr;
};

struct scope {
    std::string base;          // absolute (or document-relative) URI, no fragment
    std::string resource_ptr;  // pointer of the schema that set `base`
};

class loader {
  public:
    explicit loader(model& m) : _m(m) {}

    status add_document(std::string name, std::string_view text) {
        const std::string label = name.empty() ? "schema" : "reference \"" + name + "\"";
        if (!nesting_within_limit(text))
            return make_error(errc::invalid_argument,
                              "invalid JSON schema: " + label + " is nested more than " +
                                  std::to_string(k_max_nesting) + " levels deep");
        auto doc = std::make_unique<model::document>();
        doc->name = std::move(name);
        try {
            doc->value = json::parse(text);
        } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
            return make_error(errc::invalid_argument,
                              "invalid JSON in " + label + ": " + std::string(e.what()));
        }
        if (!doc->value.is_object() && !doc->value.is_boolean())
            return make_error(errc::invalid_argument,
                              "invalid JSON schema: " + label +
                                  " must be a JSON object or boolean, found " +
                                  std::string(doc->value.type_name()));
        doc->dialect = dialect_of(doc->value);
        const size_t index = _m.documents.size();
        std::string base;
        if (!doc->name.empty()) {
            auto [doc_part, frag] = split_fragment(doc->name);
            (void)frag;
            base = resolve_uri("", doc_part);
            register_uri(base, index);
            register_uri(std::string(doc_part), index);
        }
        _m.documents.push_back(std::move(doc));
        _scopes.emplace_back();
        const model::document& d = *_m.documents.back();
        return validate(index, d.value, "", scope{base, ""}, 0);
    }

    result<node*> load_root() {
        node* root = load(location{0, ""});
        while (!_err && !_pending.empty()) {
            auto p = std::move(_pending.front());
            _pending.pop_front();
            resolve(p);
        }
        if (_err) return *_err;
        SPATE_TRY(check_ref_cycles());
        return root;
    }

  private:
    struct pending_ref {
        node* n;
        location at;  // the schema holding the $ref
    };

    model& _m;
    // Per document: the scope of every validated schema position.
    std::vector<std::unordered_map<std::string, scope>> _scopes;
    std::unordered_map<std::string, location> _uris;     // document / $id URI -> schema
    std::unordered_map<std::string, location> _anchors;  // "uri#name" -> schema
    std::unordered_map<std::string, node*> _loaded;      // "doc:ptr" -> node
    std::deque<pending_ref> _pending;
    std::optional<error> _err;

    void register_uri(const std::string& uri, size_t doc, const std::string& ptr = "") {
        _uris.emplace(uri, location{doc, ptr});
    }

    std::string where(size_t doc, const std::string& ptr) const {
        return _m.documents[doc]->name + "#" + ptr;
    }

    error invalid(size_t doc, const std::string& ptr, const std::string& what) const {
        return make_error(errc::invalid_argument,
                          "invalid JSON schema at '" + where(doc, ptr) + "': " + what);
    }

    // --- validation ---

    status validate(size_t doc, const json& v, const std::string& ptr, scope sc, int depth) {
        if (depth > k_max_nesting) return invalid(doc, ptr, "schema nested too deeply");
        if (v.is_boolean()) {
            _scopes[doc].emplace(ptr, std::move(sc));
            return {};
        }
        if (!v.is_object())
            return invalid(
                doc, ptr,
                "a schema must be an object or a boolean, found " + std::string(v.type_name()));
        const draft d = _m.documents[doc]->dialect;

        // Identifiers: "$id" ("id" in draft 4) sets the base URI of this
        // subtree; "$id": "#name" (drafts 6/7) and "$anchor" name it.
        if (auto it = v.find(id_keyword(d)); it != v.end()) {
            if (!it->is_string())
                return invalid(doc, child(ptr, id_keyword(d)), "must be a string");
            auto [doc_part, frag] = split_fragment(it->get_ref<const std::string&>());
            if (!doc_part.empty()) {
                sc.base = resolve_uri(sc.base, doc_part);
                sc.resource_ptr = ptr;
                register_uri(sc.base, doc, ptr);
            }
            if (frag && !frag->empty())
                _anchors.emplace(sc.base + "#" + std::string(*frag), location{doc, ptr});
        }
        if (at_least(d, draft::d2019_09)) {
            for (const char* k : {"$anchor", "$dynamicAnchor"}) {
                if (auto it = v.find(k); it != v.end()) {
                    if (!it->is_string()) return invalid(doc, child(ptr, k), "must be a string");
                    _anchors.emplace(sc.base + "#" + it->get<std::string>(), location{doc, ptr});
                }
            }
        }
        _scopes[doc].emplace(ptr, sc);

        for (auto it = v.begin(); it != v.end(); ++it) {
            const std::string& k = it.key();
            const json& val = it.value();
            const std::string at = child(ptr, k);
            auto must = [&](bool ok, const char* what) -> status {
                if (!ok) return invalid(doc, at, what);
                return {};
            };
            if (k == "$ref" || k == "$schema" || k == "title" || k == "description" ||
                k == "format" || k == "pattern" || (at_least(d, draft::d7) && k == "$comment") ||
                (at_least(d, draft::d2019_09) && (k == "$dynamicRef" || k == "$recursiveRef"))) {
                SPATE_TRY(must(val.is_string(), "must be a string"));
            } else if (k == "type") {
                SPATE_TRY(validate_type(doc, at, val));
            } else if (k == "enum") {
                SPATE_TRY(must(val.is_array(), "must be an array"));
            } else if (k == "required") {
                SPATE_TRY(
                    must(val.is_array() && std::all_of(val.begin(), val.end(),
                                                       [](const json& e) { return e.is_string(); }),
                         "must be an array of strings"));
            } else if (k == "minimum" || k == "maximum") {
                SPATE_TRY(must(val.is_number(), "must be a number"));
            } else if (k == "multipleOf") {
                SPATE_TRY(must(val.is_number() && val.get<double>() > 0,
                               "must be a number greater than 0"));
            } else if (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
                if (d == draft::d4) {
                    SPATE_TRY(must(val.is_boolean(), "must be a boolean in draft-04"));
                } else {
                    SPATE_TRY(must(val.is_number(), "must be a number"));
                }
            } else if (is_count_keyword(k)) {
                SPATE_TRY(must(is_count(val), "must be a non-negative integer"));
            } else if (k == "uniqueItems" ||
                       (at_least(d, draft::d7) && (k == "readOnly" || k == "writeOnly"))) {
                SPATE_TRY(must(val.is_boolean(), "must be a boolean"));
            } else if (k == "items") {
                if (val.is_array() && d != draft::d2020_12) {
                    for (size_t i = 0; i < val.size(); ++i)
                        SPATE_TRY(validate(doc, val[i], child(ptr, k, i), sc, depth + 1));
                } else if (val.is_object() || val.is_boolean()) {
                    SPATE_TRY(validate(doc, val, at, sc, depth + 1));
                } else {
                    return invalid(doc, at,
                                   d == draft::d2020_12
                                       ? "must be a schema (use prefixItems for tuples)"
                                       : "must be a schema or an array of schemas");
                }
            } else if (is_schema_keyword(d, k)) {
                SPATE_TRY(validate(doc, val, at, sc, depth + 1));
            } else if (is_schema_array_keyword(d, k)) {
                SPATE_TRY(
                    must(val.is_array() && !val.empty(), "must be a non-empty array of schemas"));
                for (size_t i = 0; i < val.size(); ++i)
                    SPATE_TRY(validate(doc, val[i], child(ptr, k, i), sc, depth + 1));
            } else if (is_schema_map_keyword(d, k)) {
                SPATE_TRY(must(val.is_object(), "must be an object of schemas"));
                for (auto e = val.begin(); e != val.end(); ++e)
                    SPATE_TRY(validate(doc, e.value(), child(ptr, k, e.key()), sc, depth + 1));
            } else if (k == "dependencies") {
                SPATE_TRY(must(val.is_object(), "must be an object"));
                for (auto e = val.begin(); e != val.end(); ++e) {
                    const json& dep = e.value();
                    if (dep.is_array()) {
                        if (!std::all_of(dep.begin(), dep.end(),
                                         [](const json& s) { return s.is_string(); }))
                            return invalid(doc, child(ptr, k, e.key()),
                                           "must be a schema or an array of strings");
                    } else {
                        SPATE_TRY(validate(doc, dep, child(ptr, k, e.key()), sc, depth + 1));
                    }
                }
            } else if (k == "dependentRequired" && at_least(d, draft::d2019_09)) {
                SPATE_TRY(must(val.is_object(), "must be an object of string arrays"));
                for (auto e = val.begin(); e != val.end(); ++e) {
                    const json& dep = e.value();
                    if (!dep.is_array() || !std::all_of(dep.begin(), dep.end(), [](const json& s) {
                            return s.is_string();
                        }))
                        return invalid(doc, child(ptr, k, e.key()), "must be an array of strings");
                }
            }
        }
        return {};
    }

    status validate_type(size_t doc, const std::string& at, const json& val) {
        if (val.is_string()) {
            if (!is_type_name(val.get_ref<const std::string&>()))
                return invalid(doc, at, "unknown type \"" + val.get<std::string>() + "\"");
            return {};
        }
        if (!val.is_array() || val.empty())
            return invalid(doc, at, "must be a type name or a non-empty array of type names");
        std::set<std::string> seen;
        for (const json& t : val) {
            if (!t.is_string())
                return invalid(doc, at, "must be a type name or a non-empty array of type names");
            const auto& name = t.get_ref<const std::string&>();
            if (!is_type_name(name)) return invalid(doc, at, "unknown type \"" + name + "\"");
            if (!seen.insert(name).second)
                return invalid(doc, at, "type \"" + name + "\" is listed twice");
        }
        return {};
    }

    // --- loading ---

    node* make_node(node_kind k, const json* source = nullptr) {
        _m.nodes.push_back(std::make_unique<node>());
        node* n = _m.nodes.back().get();
        n->kind = k;
        n->source = source;
        return n;
    }

    void fail(error e) {
        if (!_err) _err = std::move(e);
    }

    // The scope in effect at `at`: that of the nearest validated ancestor.
    scope scope_at(const location& at) const {
        const auto& scopes = _scopes[at.doc];
        std::string ptr = at.ptr;
        while (true) {
            if (auto it = scopes.find(ptr); it != scopes.end()) return it->second;
            if (ptr.empty()) return scope{};
            ptr.erase(ptr.rfind('/'));
        }
    }

    // The node of the schema at `at`, loaded once (so that recursive and
    // shared $refs meet the same node).
    node* load(const location& at) {
        std::string key = std::to_string(at.doc) + ":" + at.ptr;
        if (auto it = _loaded.find(key); it != _loaded.end()) return it->second;
        const json* v = at_pointer(_m.documents[at.doc]->value, at.ptr);
        SPATE_ASSERT(v != nullptr);
        node* n = make_node(node_kind::empty, v);
        _loaded.emplace(std::move(key), n);
        if (!_scopes[at.doc].contains(at.ptr)) {
            // A $ref into a place no keyword declares a schema: validate it now.
            auto st = validate(at.doc, *v, at.ptr, scope_at(at), 0);
            if (!st.ok()) {
                fail(st.err());
                return n;
            }
        }
        build(n, at, *v);
        return n;
    }

    void build(node* loc, const location& at, const json& v) {
        if (v.is_boolean()) {
            loc->kind = v.get<bool>() ? node_kind::true_schema : node_kind::false_schema;
            return;
        }
        const draft d = _m.documents[at.doc]->dialect;
        std::vector<node*> kinds;
        std::optional<size_t> ref_pending;  // index in _pending of a reference kind

        auto add_ref = [&](const json& ref) {
            node* r = make_node(node_kind::reference);
            r->ref = ref.get<std::string>();
            kinds.push_back(r);
            ref_pending = _pending.size();
            _pending.push_back(pending_ref{r, at});
        };

        if (auto it = v.find("$ref"); it != v.end()) {
            add_ref(*it);
        } else if (at_least(d, draft::d2019_09)) {
            for (const char* k : {"$dynamicRef", "$recursiveRef"}) {
                if (auto r = v.find(k); r != v.end()) {
                    add_ref(*r);
                    break;
                }
            }
        }
        // In drafts 4-7 "$ref" replaces the whole schema.
        const bool ref_only = !kinds.empty() && !at_least(d, draft::d2019_09);
        if (!ref_only) {
            if (auto it = v.find("enum"); it != v.end()) {
                node* e = make_node(node_kind::enumeration);
                for (const json& value : *it)
                    e->values.push_back(&value);
                kinds.push_back(e);
            }
            for (auto c : {criterion::all_of, criterion::any_of, criterion::one_of}) {
                auto name = std::string(criterion_name(c));
                auto it = v.find(name);
                if (it == v.end()) continue;
                node* comb = make_node(node_kind::combined);
                comb->crit = c;
                for (size_t i = 0; i < it->size(); ++i)
                    comb->subschemas.push_back(load(location{at.doc, child(at.ptr, name, i)}));
                kinds.push_back(comb);
            }
            if (v.contains("not")) {
                node* n = make_node(node_kind::negation);
                n->must_not = load(location{at.doc, child(at.ptr, "not")});
                kinds.push_back(n);
            }
            if (d != draft::d4) {
                if (auto it = v.find("const"); it != v.end()) {
                    node* c = make_node(node_kind::constant);
                    c->const_value = &*it;
                    kinds.push_back(c);
                }
            }
            bool typed_string = false, typed_number = false, typed_array = false,
                 typed_object = false;
            auto typed = [&](const std::string& t) -> node* {
                if (t == "string") {
                    typed_string = true;
                    return fill_string(make_node(node_kind::string), v);
                }
                if (t == "integer" || t == "number") {
                    typed_number = true;
                    node* n = fill_number(make_node(node_kind::number), v, d);
                    n->requires_integer = t == "integer";
                    return n;
                }
                if (t == "boolean") return make_node(node_kind::boolean);
                if (t == "null") return make_node(node_kind::null);
                if (t == "array") {
                    typed_array = true;
                    return fill_array(make_node(node_kind::array), at, v, d);
                }
                typed_object = true;
                return fill_object(make_node(node_kind::object), at, v, d);
            };
            if (auto it = v.find("type"); it != v.end()) {
                if (it->is_string()) {
                    kinds.push_back(typed(it->get<std::string>()));
                } else {
                    node* any = make_node(node_kind::combined);
                    any->crit = criterion::any_of;
                    for (const json& t : *it)
                        any->subschemas.push_back(typed(t.get<std::string>()));
                    kinds.push_back(any);
                }
            }
            auto has_any = [&](auto pred) {
                for (auto it = v.begin(); it != v.end(); ++it)
                    if (pred(it.key())) return true;
                return false;
            };
            if (!typed_array &&
                has_any([&](const std::string& k) { return is_array_keyword(d, k); }))
                kinds.push_back(fill_array(make_node(node_kind::array), at, v, d));
            if (!typed_object &&
                has_any([&](const std::string& k) { return is_object_keyword(d, k); }))
                kinds.push_back(fill_object(make_node(node_kind::object), at, v, d));
            if (!typed_number && has_any(is_number_keyword))
                kinds.push_back(fill_number(make_node(node_kind::number), v, d));
            if (!typed_string && has_any(is_string_keyword))
                kinds.push_back(fill_string(make_node(node_kind::string), v));
            if (at_least(d, draft::d7) &&
                (v.contains("if") || v.contains("then") || v.contains("else")))
                kinds.push_back(make_node(node_kind::conditional));
        }

        if (kinds.size() == 1) {
            *loc = std::move(*kinds[0]);
            if (ref_pending) _pending[*ref_pending].n = loc;
        } else if (kinds.size() > 1) {
            loc->kind = node_kind::combined;
            loc->crit = criterion::all_of;
            loc->synthetic = true;
            loc->subschemas = std::move(kinds);
        }
        loc->source = &v;
        if (auto it = v.find(id_keyword(d)); it != v.end()) loc->id = it->get<std::string>();
        if (auto it = v.find("title"); it != v.end()) loc->title = it->get<std::string>();
        if (auto it = v.find("description"); it != v.end())
            loc->description = it->get<std::string>();
        if (auto it = v.find("default"); it != v.end()) loc->default_value = &*it;
    }

    static std::optional<int64_t> count_of(const json& v, const char* k) {
        auto it = v.find(k);
        if (it == v.end()) return std::nullopt;
        return count_value(*it);
    }

    static std::optional<double> number_of(const json& v, const char* k) {
        auto it = v.find(k);
        if (it == v.end() || !it->is_number()) return std::nullopt;
        return it->get<double>();
    }

    node* fill_string(node* n, const json& v) {
        n->max_length = count_of(v, "maxLength");
        n->min_length = count_of(v, "minLength");
        if (auto it = v.find("pattern"); it != v.end()) n->pattern = it->get<std::string>();
        return n;
    }

    node* fill_number(node* n, const json& v, draft d) {
        n->maximum = number_of(v, "maximum");
        n->minimum = number_of(v, "minimum");
        if (auto it = v.find("multipleOf"); it != v.end()) n->multiple_of = &*it;
        // Draft 4's boolean exclusive flags qualify maximum/minimum; like
        // Confluent, only the numeric limits of later drafts are compared.
        if (d != draft::d4) {
            n->exclusive_maximum = number_of(v, "exclusiveMaximum");
            n->exclusive_minimum = number_of(v, "exclusiveMinimum");
        }
        return n;
    }

    node* fill_object(node* n, const location& at, const json& v, draft d) {
        n->max_properties = count_of(v, "maxProperties");
        n->min_properties = count_of(v, "minProperties");
        if (auto it = v.find("properties"); it != v.end()) {
            for (auto p = it->begin(); p != it->end(); ++p)
                n->properties.emplace(p.key(),
                                      load(location{at.doc, child(at.ptr, "properties", p.key())}));
        }
        if (auto it = v.find("required"); it != v.end()) {
            for (const json& r : *it)
                n->required.insert(r.get<std::string>());
        }
        if (auto it = v.find("additionalProperties"); it != v.end()) {
            if (it->is_boolean()) {
                n->permits_additional_properties = it->get<bool>();
            } else {
                n->additional_properties =
                    load(location{at.doc, child(at.ptr, "additionalProperties")});
            }
        }
        if (auto it = v.find("patternProperties"); it != v.end()) {
            for (auto p = it->begin(); p != it->end(); ++p)
                n->pattern_properties.emplace_back(
                    p.key(), load(location{at.doc, child(at.ptr, "patternProperties", p.key())}));
        }
        auto add_dependencies = [&](const char* keyword) {
            auto it = v.find(keyword);
            if (it == v.end()) return;
            for (auto e = it->begin(); e != it->end(); ++e) {
                if (e.value().is_array()) {
                    auto& deps = n->property_dependencies[e.key()];
                    for (const json& s : e.value())
                        deps.insert(s.get<std::string>());
                } else {
                    n->schema_dependencies.emplace(
                        e.key(), load(location{at.doc, child(at.ptr, keyword, e.key())}));
                }
            }
        };
        add_dependencies("dependencies");
        if (at_least(d, draft::d2019_09)) {
            add_dependencies("dependentRequired");
            add_dependencies("dependentSchemas");
            if (v.contains("unevaluatedProperties"))
                n->unevaluated_properties =
                    load(location{at.doc, child(at.ptr, "unevaluatedProperties")});
        }
        return n;
    }

    node* fill_array(node* n, const location& at, const json& v, draft d) {
        n->max_items = count_of(v, "maxItems");
        n->min_items = count_of(v, "minItems");
        n->max_contains = count_of(v, "maxContains");
        n->min_contains = count_of(v, "minContains");
        if (auto it = v.find("uniqueItems"); it != v.end()) n->unique_items = it->get<bool>();
        if (d == draft::d2020_12) {
            // prefixItems is the tuple; "items" then covers the items after it.
            bool has_prefix = false;
            if (auto it = v.find("prefixItems"); it != v.end()) {
                has_prefix = true;
                for (size_t i = 0; i < it->size(); ++i)
                    n->item_schemas.push_back(
                        load(location{at.doc, child(at.ptr, "prefixItems", i)}));
            }
            if (auto it = v.find("items"); it != v.end()) {
                if (it->is_boolean()) {
                    if (!it->get<bool>()) n->permits_additional_items = false;
                } else {
                    node* items = load(location{at.doc, child(at.ptr, "items")});
                    (has_prefix ? n->additional_items : n->all_items) = items;
                }
            }
        } else {
            if (auto it = v.find("items"); it != v.end()) {
                if (it->is_array()) {
                    for (size_t i = 0; i < it->size(); ++i)
                        n->item_schemas.push_back(
                            load(location{at.doc, child(at.ptr, "items", i)}));
                } else {
                    n->all_items = load(location{at.doc, child(at.ptr, "items")});
                }
            }
            if (auto it = v.find("additionalItems"); it != v.end()) {
                if (it->is_boolean()) {
                    n->permits_additional_items = it->get<bool>();
                } else {
                    n->additional_items = load(location{at.doc, child(at.ptr, "additionalItems")});
                }
            }
        }
        if (at_least(d, draft::d2019_09) && v.contains("unevaluatedItems"))
            n->unevaluated_items = load(location{at.doc, child(at.ptr, "unevaluatedItems")});
        return n;
    }

    // --- $ref resolution ---

    void resolve(const pending_ref& p) {
        const scope sc = scope_at(p.at);
        const std::string& ref = p.n->ref;
        auto [doc_part, frag] = split_fragment(ref);
        location resource{p.at.doc, sc.resource_ptr};
        std::string uri = sc.base;
        if (!doc_part.empty()) {
            uri = resolve_uri(sc.base, doc_part);
            auto it = _uris.find(uri);
            if (it == _uris.end()) it = _uris.find(resolve_uri("", doc_part));
            if (it == _uris.end()) {
                fail(invalid(p.at.doc, p.at.ptr,
                             "$ref \"" + ref + "\" names a document that is neither this " +
                                 "schema nor one of its references"));
                return;
            }
            resource = it->second;
            uri = scope_at(resource).base;  // anchors are keyed by the resource's own base
        }
        location target = resource;
        if (frag && !frag->empty()) {
            std::string f = percent_decode(*frag);
            if (f[0] == '/') {
                target.ptr = resource.ptr + f;
                const json& doc_value = _m.documents[target.doc]->value;
                if (at_pointer(doc_value, target.ptr) == nullptr) {
                    // Confluent resolves "#/$defs/x" and "#/definitions/x"
                    // whichever of the two holds it.
                    for (auto [from, to] : {std::pair{"/$defs/", "/definitions/"},
                                            std::pair{"/definitions/", "/$defs/"}}) {
                        if (starts_with(f, from)) {
                            std::string alt = resource.ptr + to + f.substr(std::strlen(from));
                            if (at_pointer(doc_value, alt) != nullptr) {
                                target.ptr = alt;
                                break;
                            }
                        }
                    }
                }
                if (at_pointer(doc_value, target.ptr) == nullptr) {
                    fail(invalid(p.at.doc, p.at.ptr, "$ref \"" + ref + "\" names nothing"));
                    return;
                }
            } else {
                auto it = _anchors.find(uri + "#" + f);
                if (it == _anchors.end()) {
                    fail(invalid(p.at.doc, p.at.ptr,
                                 "$ref \"" + ref + "\" names an unknown anchor"));
                    return;
                }
                target = it->second;
            }
        }
        const json* value = at_pointer(_m.documents[target.doc]->value, target.ptr);
        if (!value->is_object() && !value->is_boolean()) {
            fail(invalid(p.at.doc, p.at.ptr,
                         "$ref \"" + ref + "\" names a " + std::string(value->type_name()) +
                             ", not a schema"));
            return;
        }
        p.n->target = load(target);
    }

    // A chain of $refs that only ever reaches other $refs names no schema.
    status check_ref_cycles() {
        std::unordered_set<const node*> good;
        for (const auto& owned : _m.nodes) {
            const node* n = owned.get();
            if (n->kind != node_kind::reference || good.contains(n)) continue;
            std::unordered_set<const node*> chain;
            const node* cur = n;
            while (cur != nullptr && cur->kind == node_kind::reference && !good.contains(cur)) {
                if (!chain.insert(cur).second)
                    return make_error(errc::invalid_argument,
                                      "invalid JSON schema: $ref \"" + n->ref +
                                          "\" is part of a cycle of $refs that names no schema");
                cur = cur->target;
            }
            good.insert(chain.begin(), chain.end());
        }
        return {};
    }
};

// --- normalization ---

bool sorted_unique(const json& array) {
    for (size_t i = 1; i < array.size(); ++i)
        if (!(array[i - 1] < array[i])) return false;
    return true;
}

void sort_unique(json& array) {
    std::vector<json> items(array.begin(), array.end());
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    array = json(std::move(items));
}

// Calls `f` on every schema directly below the schema object `v`.
template <typename Json, typename F>
void for_each_subschema(Json& v, draft d, F&& f) {
    for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& k = it.key();
        auto& val = it.value();
        if ((k == "items" && val.is_array()) || (is_schema_array_keyword(d, k) && val.is_array())) {
            for (auto& s : val)
                f(s);
        } else if (k == "items" || is_schema_keyword(d, k)) {
            f(val);
        } else if ((is_schema_map_keyword(d, k) || k == "dependencies") && val.is_object()) {
            for (auto e = val.begin(); e != val.end(); ++e)
                f(e.value());
        }
    }
}

// Whether normalize_schema() would leave `v` as it is.
bool is_normal(const json& v, draft d) {
    if (!v.is_object()) return true;
    if (auto it = v.find("required"); it != v.end() && it->is_array() && !sorted_unique(*it))
        return false;
    if (auto it = v.find("type");
        it != v.end() && it->is_array() && (it->size() == 1 || !sorted_unique(*it)))
        return false;
    bool normal = true;
    for_each_subschema(v, d, [&](const json& s) { normal = normal && is_normal(s, d); });
    return normal;
}

void normalize_schema(json& v, draft d) {
    if (!v.is_object()) return;
    if (auto it = v.find("required"); it != v.end() && it->is_array()) sort_unique(*it);
    if (auto it = v.find("type"); it != v.end() && it->is_array()) {
        sort_unique(*it);
        if (it->size() == 1) *it = json((*it)[0]);
    }
    for_each_subschema(v, d, [&](json& s) { normalize_schema(s, d); });
}

}  // namespace

result<std::shared_ptr<const model>> load(std::string_view text,
                                          const std::vector<resolved_reference>& refs) {
    auto m = std::make_shared<model>();
    loader l(*m);
    SPATE_TRY(l.add_document("", text));
    for (const auto& r : refs) {
        if (r.ref.name.empty())
            return make_error(errc::invalid_argument,
                              "invalid JSON schema: a reference has an empty name");
        SPATE_TRY(l.add_document(r.ref.name, r.schema));
    }
    auto root = l.load_root();
    if (!root.ok()) return root.err();
    m->root = root.value();
    return std::shared_ptr<const model>(std::move(m));
}

std::string canonical_text(const json& root) {
    return root.dump();
}

std::string normalized_text(const json& root, draft d, const std::string& canonical) {
    if (is_normal(root, d)) return canonical;
    json copy = root;
    normalize_schema(copy, d);
    return copy.dump();
}

}  // namespace spate::registry::json_schema
