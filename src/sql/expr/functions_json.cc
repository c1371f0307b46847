// jsonb operators -> ->> #> #>> and jsonb_typeof/jsonb_array_length. A
// missing key, index or path yields NULL; ->> and #>> return strings
// unquoted and a JSON null as SQL NULL. The operators scan the jsonb text
// (json_scan.h) without building documents: results of -> and #> are the
// exact member text, normalised because the whole value is.

#include <nlohmann/json.hpp>

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "sql/expr/json_scan.h"
#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
using json = nlohmann::json;

sql_error malformed() {
    return make_error(sql_errc::invalid_json_text, "invalid input syntax for type json");
}

sql_status parse_json(sv text, json& out) {
    out = json::parse(text.begin(), text.end(), nullptr, false);
    if (out.is_discarded()) {
        return make_error(sql_errc::invalid_json_text, "invalid input syntax for type json");
    }
    return {};
}

bool parse_index(sv s, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Elements of a text[] literal such as {a,b,"c d"}.
void parse_path(sv text, std::vector<std::string>& out) {
    out.clear();
    size_t b = text.find('{'), e = text.rfind('}');
    if (b == sv::npos || e == sv::npos || e < b) return;
    text = text.substr(b + 1, e - b - 1);
    std::string cur;
    bool quoted = false, any = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '\\' && i + 1 < text.size()) {
                cur += text[++i];
            } else if (c == '"') {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == '"') {
            quoted = any = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
            any = false;
        } else if (c != ' ') {
            cur += c;
            any = true;
        }
    }
    if (any || !out.empty()) out.push_back(cur);
}

// One step of a #> path: an object key, or an array index.
json_scan path_step(sv value, sv step, sv& out) {
    size_t p = value.find_first_not_of(" \t\n\r");
    if (p != sv::npos && value[p] == '[') {
        int64_t idx;
        if (!parse_index(step, idx)) return json_scan::missing;
        return json_element(value, idx, out);
    }
    return json_member(value, step, out);
}

// Pushes the found value: jsonb text as is, or for ->> strings unescaped
// and JSON null as SQL NULL.
sql_status emit(sv v, bool as_text, column& out, std::string& scratch) {
    if (!as_text) {
        out.push_string(v);
    } else if (v == "null") {
        out.push_null();
    } else if (!v.empty() && v[0] == '"') {
        if (!json_unescape(v, scratch)) return malformed();
        out.push_string(scratch);
    } else {
        out.push_string(v);
    }
    return {};
}

enum class selector { key, index, path };

kernel_fn json_get(selector sel, bool as_text) {
    return [sel, as_text](std::span<const column* const> args, size_t rows, column& out,
                          const eval_context&) -> sql_status {
        std::vector<std::string> path;
        std::string last_path, scratch;
        bool have_path = false;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            sv v = args[0]->strings().at(i);
            json_scan r = json_scan::found;
            if (sel == selector::key) {
                r = json_member(v, args[1]->strings().at(i), v);
            } else if (sel == selector::index) {
                r = json_element(v, args[1]->values<int32_t>()[i], v);
            } else {
                sv text = args[1]->strings().at(i);
                if (!have_path || text != last_path) {
                    parse_path(text, path);
                    last_path.assign(text);
                    have_path = true;
                }
                for (size_t p = 0; p < path.size() && r == json_scan::found; ++p) {
                    r = path_step(v, path[p], v);
                }
            }
            if (r == json_scan::malformed) return malformed();
            if (r == json_scan::missing) {
                out.push_null();
                continue;
            }
            if (auto st = emit(v, as_text, out, scratch); !st) return st;
        }
        return {};
    };
}

const char* json_type_name(const json& j) {
    if (j.is_object()) return "object";
    if (j.is_array()) return "array";
    if (j.is_string()) return "string";
    if (j.is_number()) return "number";
    if (j.is_boolean()) return "boolean";
    return "null";
}

}  // namespace

void register_json(registry& r) {
    const type_id j = type_id::jsonb, t = type_id::text, i4 = type_id::int32;
    r.add("->", {j, t}, j, json_get(selector::key, false), null_handling::custom);
    r.add("->", {j, i4}, j, json_get(selector::index, false), null_handling::custom);
    r.add("->>", {j, t}, t, json_get(selector::key, true), null_handling::custom);
    r.add("->>", {j, i4}, t, json_get(selector::index, true), null_handling::custom);
    r.add("#>", {j, t}, j, json_get(selector::path, false), null_handling::custom);
    r.add("#>>", {j, t}, t, json_get(selector::path, true), null_handling::custom);
    r.add("jsonb_typeof", {j}, t, fallible<sv, sv>([](sv& o, sql_error& e, sv text) {
              json doc;
              if (auto s = parse_json(text, doc); !s) {
                  e = s.error();
                  return false;
              }
              o = json_type_name(doc);
              return true;
          }));
    r.add("jsonb_array_length", {j}, i4,
          fallible<int32_t, sv>([](int32_t& o, sql_error& e, sv text) {
              json doc;
              if (auto s = parse_json(text, doc); !s) {
                  e = s.error();
                  return false;
              }
              if (!doc.is_array()) {
                  e = make_error(sql_errc::invalid_parameter_value,
                                 std::string("cannot get array length of a ") +
                                     (doc.is_object() ? "non-array" : "scalar"));
                  return false;
              }
              o = static_cast<int32_t>(doc.size());
              return true;
          }));
}

}  // namespace spate::sql::detail
