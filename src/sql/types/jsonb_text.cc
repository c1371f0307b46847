#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sql/types/jsonb_simd.h"
#include "sql/types/text_detail.h"

namespace spate::sql::text_detail {

namespace {

namespace od = simdjson::ondemand;

sql_error json_error(simdjson::error_code e) {
    sql_error err =
        make_error(sql_errc::invalid_text_representation, "invalid input syntax for type json");
    err.detail = simdjson::error_message(e);
    return err;
}

std::string_view token_of(std::string_view t) {
    return t;
}
std::string_view token_of(simdjson::simdjson_result<std::string_view> t) {
    std::string_view v;
    return std::move(t).get(v) ? std::string_view() : v;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        return i - start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() && s[i] == '0') {
        ++i;
    } else if (digits() == 0) {
        return false;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

// One object member serialised into a scratch buffer.
struct member {
    size_t key_begin, key_len, value_begin, value_end;
};

struct object_scratch {
    std::string bytes;
    std::vector<member> members;
};

// Per-thread buffers, one per object nesting depth, reused across values so
// normalising allocates only while they grow.
object_scratch& scratch_at(size_t depth) {
    thread_local std::vector<std::unique_ptr<object_scratch>> pool;
    while (pool.size() <= depth)
        pool.push_back(std::make_unique<object_scratch>());
    object_scratch& s = *pool[depth];
    s.bytes.clear();
    s.members.clear();
    return s;
}

template <typename V>
sql_status emit(V& v, std::string& out, size_t depth);

template <typename O>
sql_status emit_object(O& obj, std::string& out, size_t depth) {
    object_scratch& level = scratch_at(depth);
    std::string& scratch = level.bytes;
    std::vector<member>& members = level.members;
    for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return json_error(e);
        if (key.find('\0') != std::string_view::npos) {
            return make_error(sql_errc::invalid_text_representation,
                              "unsupported Unicode escape sequence");
        }
        member m{scratch.size(), key.size(), 0, 0};
        scratch.append(key);
        m.value_begin = scratch.size();
        od::value val;
        if (auto e = field.value().get(val)) return json_error(e);
        if (auto st = emit(val, scratch, depth + 1); !st) return st;
        m.value_end = scratch.size();
        members.push_back(m);
    }
    auto key_of = [&](const member& m) {
        return std::string_view(scratch).substr(m.key_begin, m.key_len);
    };
    // Equal keys stay in input order (key_begin grows), so the last wins below.
    std::sort(members.begin(), members.end(), [&](const member& a, const member& b) {
        if (a.key_len != b.key_len) return a.key_len < b.key_len;
        int c = key_of(a).compare(key_of(b));
        return c != 0 ? c < 0 : a.key_begin < b.key_begin;
    });
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < members.size(); ++i) {
        if (i + 1 < members.size() && key_of(members[i]) == key_of(members[i + 1])) continue;
        if (!first) out += ", ";
        first = false;
        append_json_string(key_of(members[i]), out);
        out += ": ";
        out.append(scratch, members[i].value_begin, members[i].value_end - members[i].value_begin);
    }
    out.push_back('}');
    return {};
}

template <typename V>
sql_status emit(V& v, std::string& out, size_t depth) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(e);
    switch (t) {
        case od::json_type::object: {
            od::object obj;
            if (auto e = v.get_object().get(obj)) return json_error(e);
            return emit_object(obj, out, depth);
        }
        case od::json_type::array: {
            od::array arr;
            if (auto e = v.get_array().get(arr)) return json_error(e);
            out.push_back('[');
            bool first = true;
            for (auto elem : arr) {
                od::value ev;
                if (auto e = elem.get(ev)) return json_error(e);
                if (!first) out += ", ";
                first = false;
                if (auto st = emit(ev, out, depth); !st) return st;
            }
            out.push_back(']');
            return {};
        }
        case od::json_type::number: {
            std::string_view token = trim(token_of(v.raw_json_token()));
            if (!is_json_number(token)) return json_error(simdjson::NUMBER_ERROR);
            append_json_number(token, out);
            return {};
        }
        case od::json_type::string: {
            std::string_view s;
            if (auto e = v.get_string().get(s)) return json_error(e);
            if (s.find('\0') != std::string_view::npos) {
                return make_error(sql_errc::invalid_text_representation,
                                  "unsupported Unicode escape sequence");
            }
            append_json_string(s, out);
            return {};
        }
        case od::json_type::boolean: {
            bool b = false;
            if (auto e = v.get_bool().get(b)) return json_error(e);
            out += b ? "true" : "false";
            return {};
        }
        case od::json_type::null: {
            bool is_null = false;
            if (auto e = v.is_null().get(is_null)) return json_error(e);
            if (!is_null) return json_error(simdjson::N_ATOM_ERROR);
            out += "null";
            return {};
        }
    }
    return json_error(simdjson::INCORRECT_TYPE);
}

// Decodes one UTF-8 sequence at s[i]; returns its length or 0 if invalid.
size_t utf8_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    static constexpr uint32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

}  // namespace

void append_json_number(std::string_view token, std::string& out) {
    token = trim(token);
    sql_result<decimal> d = parse_decimal(token);
    if (d.ok()) {
        format_decimal(d.value(), out);
    } else {
        out.append(token);  // beyond NUMERIC's 38 digits: keep the text
    }
}

sql_status normalise_jsonb_value(od::value v, std::string& out) {
    return emit(v, out, 0);
}

sql_status normalise_jsonb(std::string_view text, std::string& out) {
    thread_local od::parser parser;
    thread_local std::string buffer;
    buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(text);
    od::document doc;
    if (auto e = parser.iterate(buffer.data(), text.size(), buffer.capacity()).get(doc)) {
        return json_error(e);
    }
    size_t mark = out.size();
    bool scalar = false;
    if (auto e = doc.is_scalar().get(scalar)) return json_error(e);
    sql_status st;
    if (scalar) {
        st = emit(doc, out, 0);
    } else {
        od::value root;
        if (auto e = doc.get_value().get(root)) return json_error(e);
        st = emit(root, out, 0);
    }
    if (st.ok() && !scalar) {
        const char* loc = nullptr;
        if (doc.current_location().get(loc) == simdjson::SUCCESS) {
            st = json_error(simdjson::TRAILING_CONTENT);
        }
    }
    if (!st.ok()) out.resize(mark);
    return st;
}

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void append_json_string(std::string_view s, std::string& out) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out.push_back('"');
    for (size_t i = 0; i < s.size();) {
        // A run of characters that need no escaping is copied at once.
        size_t plain = i + json_plain_length(s.data() + i, s.size() - i);
        if (plain > i) {
            out.append(s.data() + i, plain - i);
            i = plain;
            if (i == s.size()) break;
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            size_t n = utf8_length(s, i);
            if (n == 0) {
                out += "\xef\xbf\xbd";  // U+FFFD
                ++i;
            } else {
                out.append(s, i, n);
                i += n;
            }
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(k_hex[c >> 4]);
                    out.push_back(k_hex[c & 0xf]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

}  // namespace spate::sql::text_detail
