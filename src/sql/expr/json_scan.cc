#include "sql/expr/json_scan.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
constexpr size_t k_bad = sv::npos;

size_t skip_ws(sv s, size_t p) {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
        ++p;
    return p;
}

// End (exclusive) of the string literal starting at s[p] == '"'.
size_t string_end(sv s, size_t p) {
    for (++p; p < s.size(); ++p) {
        if (s[p] == '\\') {
            ++p;
        } else if (s[p] == '"') {
            return p + 1;
        }
    }
    return k_bad;
}

// End (exclusive) of the value starting at s[p].
size_t value_end(sv s, size_t p) {
    if (p >= s.size()) return k_bad;
    if (s[p] == '"') return string_end(s, p);
    if (s[p] == '{' || s[p] == '[') {
        int depth = 0;
        while (p < s.size()) {
            char c = s[p];
            if (c == '"') {
                p = string_end(s, p);
                if (p == k_bad) return k_bad;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if ((c == '}' || c == ']') && --depth == 0) return p + 1;
            ++p;
        }
        return k_bad;
    }
    size_t b = p;
    while (p < s.size() && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ' &&
           s[p] != '\t' && s[p] != '\n' && s[p] != '\r') {
        ++p;
    }
    return p == b ? k_bad : p;
}

void append_utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool hex4(sv s, size_t p, uint32_t& out) {
    if (p + 4 > s.size()) return false;
    out = 0;
    for (size_t i = p; i < p + 4; ++i) {
        char c = s[i];
        uint32_t d = c >= '0' && c <= '9'   ? static_cast<uint32_t>(c - '0')
                     : c >= 'a' && c <= 'f' ? static_cast<uint32_t>(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? static_cast<uint32_t>(c - 'A' + 10)
                                            : 16u;
        if (d == 16) return false;
        out = out * 16 + d;
    }
    return true;
}

// Appends the escape at s[p] == '\\'; returns the index after it or k_bad.
size_t unescape_one(sv s, size_t p, std::string& out) {
    if (p + 1 >= s.size()) return k_bad;
    char c = s[p + 1];
    switch (c) {
        case 'n':
            out += '\n';
            return p + 2;
        case 't':
            out += '\t';
            return p + 2;
        case 'r':
            out += '\r';
            return p + 2;
        case 'b':
            out += '\b';
            return p + 2;
        case 'f':
            out += '\f';
            return p + 2;
        case 'u': {
            uint32_t cp, low;
            if (!hex4(s, p + 2, cp)) return k_bad;
            p += 6;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 1 < s.size() && s[p] == '\\' &&
                s[p + 1] == 'u' && hex4(s, p + 2, low) && low >= 0xDC00 && low < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
            }
            append_utf8(cp, out);
            return p;
        }
        default:
            out += c;
            return p + 2;
    }
}

}  // namespace

bool json_unescape(sv quoted, std::string& out) {
    out.clear();
    if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') return false;
    sv body = quoted.substr(1, quoted.size() - 2);
    for (size_t p = 0; p < body.size();) {
        if (body[p] != '\\') {
            size_t next = body.find('\\', p);
            if (next == sv::npos) next = body.size();
            out.append(body.substr(p, next - p));
            p = next;
            continue;
        }
        p = unescape_one(body, p, out);
        if (p == k_bad) return false;
    }
    return true;
}

json_scan json_member(sv value, sv key, sv& out) {
    size_t p = skip_ws(value, 0);
    if (p >= value.size() || value[p] != '{') return json_scan::missing;
    std::string scratch;
    p = skip_ws(value, p + 1);
    if (p < value.size() && value[p] == '}') return json_scan::missing;
    while (p < value.size()) {
        if (value[p] != '"') return json_scan::malformed;
        size_t ke = string_end(value, p);
        if (ke == k_bad) return json_scan::malformed;
        sv raw_key = value.substr(p + 1, ke - p - 2);
        bool match = raw_key == key;
        if (!match && raw_key.find('\\') != sv::npos) {
            if (!json_unescape(value.substr(p, ke - p), scratch)) return json_scan::malformed;
            match = scratch == key;
        }
        p = skip_ws(value, ke);
        if (p >= value.size() || value[p] != ':') return json_scan::malformed;
        p = skip_ws(value, p + 1);
        size_t ve = value_end(value, p);
        if (ve == k_bad) return json_scan::malformed;
        if (match) {
            out = value.substr(p, ve - p);
            return json_scan::found;
        }
        p = skip_ws(value, ve);
        if (p < value.size() && value[p] == '}') return json_scan::missing;
        if (p >= value.size() || value[p] != ',') return json_scan::malformed;
        p = skip_ws(value, p + 1);
    }
    return json_scan::malformed;
}

namespace {

// Calls f(element) for each element of the array at value[p] == '['; stops
// when f returns true. Returns the element count, or -1 when malformed.
template <typename F>
int64_t for_each_element(sv value, size_t p, F f) {
    p = skip_ws(value, p + 1);
    if (p < value.size() && value[p] == ']') return 0;
    int64_t n = 0;
    while (p < value.size()) {
        size_t ve = value_end(value, p);
        if (ve == k_bad) return -1;
        if (f(n, value.substr(p, ve - p))) return n + 1;
        ++n;
        p = skip_ws(value, ve);
        if (p < value.size() && value[p] == ']') return n;
        if (p >= value.size() || value[p] != ',') return -1;
        p = skip_ws(value, p + 1);
    }
    return -1;
}

}  // namespace

json_scan json_element(sv value, int64_t index, sv& out) {
    size_t p = skip_ws(value, 0);
    if (p >= value.size() || value[p] != '[') return json_scan::missing;
    if (index < 0) {
        int64_t n = for_each_element(value, p, [](int64_t, sv) { return false; });
        if (n < 0) return json_scan::malformed;
        index += n;
        if (index < 0) return json_scan::missing;
    }
    bool found = false;
    int64_t n = for_each_element(value, p, [&](int64_t i, sv element) {
        if (i != index) return false;
        out = element;
        found = true;
        return true;
    });
    if (n < 0) return json_scan::malformed;
    return found ? json_scan::found : json_scan::missing;
}

}  // namespace spate::sql::detail
