// jsonb operators -> ->> #> #>> and jsonb_typeof/jsonb_array_length. A
// missing key, index or path yields NULL; ->> and #>> return strings
// unquoted and a JSON null as SQL NULL. Results of -> and #> are normalised
// by the jsonb text input (text_io.h).

#include <nlohmann/json.hpp>

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "sql/expr/kernels.h"
#include "sql/types/text_io.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
using json = nlohmann::json;

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

const json* step_index(const json* j, int64_t idx) {
    if (!j->is_array()) return nullptr;
    int64_t n = static_cast<int64_t>(j->size());
    if (idx < 0) idx += n;
    if (idx < 0 || idx >= n) return nullptr;
    return &(*j)[static_cast<size_t>(idx)];
}

const json* step_key(const json* j, sv key) {
    if (j->is_object()) {
        auto it = j->find(std::string(key));
        return it == j->end() ? nullptr : &*it;
    }
    int64_t idx;
    if (j->is_array() && parse_index(key, idx)) return step_index(j, idx);
    return nullptr;
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

sql_status emit(const json* j, bool as_text, column& out) {
    if (!j || (as_text && j->is_null())) {
        out.push_null();
        return {};
    }
    if (as_text && j->is_string()) {
        out.push_string(j->get_ref<const std::string&>());
        return {};
    }
    if (as_text) {
        auto v = parse_value(j->dump(), data_type::of(type_id::jsonb));
        if (!v) return v.error();
        out.push_string(v.value().get<std::string>());
        return {};
    }
    return parse_text(j->dump(), data_type::of(type_id::jsonb), out);
}

enum class selector { key, index, path };

kernel_fn json_get(selector sel, bool as_text) {
    return [sel, as_text](std::span<const column* const> args, size_t rows, column& out,
                          const eval_context&) -> sql_status {
        json doc;
        std::vector<std::string> path;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            if (auto s = parse_json(args[0]->strings().at(i), doc); !s) return s;
            const json* j = &doc;
            if (sel == selector::key) {
                j = j->is_object() ? step_key(j, args[1]->strings().at(i)) : nullptr;
            } else if (sel == selector::index) {
                j = step_index(j, args[1]->values<int32_t>()[i]);
            } else {
                parse_path(args[1]->strings().at(i), path);
                for (size_t p = 0; p < path.size() && j; ++p)
                    j = step_key(j, path[p]);
            }
            if (auto s = emit(j, as_text, out); !s) return s;
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
