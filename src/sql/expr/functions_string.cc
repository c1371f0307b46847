// String functions: case mapping (ASCII, as the C locale), lengths in UTF-8
// characters, substring/split/trim/pad family, concatenation.

#include <string>
#include <string_view>
#include <vector>

#include "sql/expr/kernels.h"
#include "sql/types/text_io.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
using namespace sig;

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}
bool ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Byte offset of character `chars` (0-based) of s, clamped to s.size().
size_t char_offset(sv s, int64_t chars) {
    return chars <= 0 ? 0 : utf8_prefix(s, static_cast<size_t>(chars));
}

// PostgreSQL substring: characters [start, start + count) with 1-based start;
// count < 0 means to the end.
sv substring_of(sv s, int64_t start, int64_t count) {
    int64_t end = count < 0 ? INT64_MAX : (start > INT64_MAX - count ? INT64_MAX : start + count);
    int64_t b = std::max<int64_t>(start, 1);
    if (end <= b) return {};
    size_t from = char_offset(s, b - 1);
    size_t to = end == INT64_MAX ? s.size() : from + char_offset(s.substr(from), end - b);
    return s.substr(from, to - from);
}

// The UTF-8 characters of s as views.
void split_chars(sv s, std::vector<sv>& out) {
    out.clear();
    size_t i = 0;
    while (i < s.size()) {
        size_t n = utf8_prefix(s.substr(i), 1);
        out.push_back(s.substr(i, n));
        i += n;
    }
}

bool is_ascii(sv s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) & 0x80) return false;
    }
    return true;
}

sv trim_chars(sv s, sv chars, bool left, bool right) {
    if (is_ascii(chars)) {
        size_t b = left ? s.find_first_not_of(chars) : 0;
        if (b == sv::npos) return {};
        size_t e = right ? s.find_last_not_of(chars) : s.size() - 1;
        return e == sv::npos || s.empty() ? sv{} : s.substr(b, e - b + 1);
    }
    std::vector<sv> set;
    split_chars(chars, set);
    auto starts = [&](sv x) {
        for (sv c : set) {
            if (x.substr(0, c.size()) == c) return c.size();
        }
        return size_t(0);
    };
    auto ends = [&](sv x) {
        for (sv c : set) {
            if (x.size() >= c.size() && x.substr(x.size() - c.size()) == c) return c.size();
        }
        return size_t(0);
    };
    while (left && !s.empty()) {
        size_t n = starts(s);
        if (!n) break;
        s.remove_prefix(n);
    }
    while (right && !s.empty()) {
        size_t n = ends(s);
        if (!n) break;
        s.remove_suffix(n);
    }
    return s;
}

void register_trim(registry& r) {
    struct spec {
        const char* name;
        bool left, right;
    };
    for (spec s : {spec{"btrim", true, true}, spec{"trim", true, true}, spec{"ltrim", true, false},
                   spec{"rtrim", false, true}}) {
        r.add(s.name, {T}, T,
              pure<sv, sv>([s](sv x) { return trim_chars(x, " ", s.left, s.right); }));
        r.add(s.name, {T, T}, T,
              pure<sv, sv, sv>([s](sv x, sv c) { return trim_chars(x, c, s.left, s.right); }));
    }
}

bool pad(std::string& out, sql_error&, sv s, int32_t len, sv fill, bool left) {
    out.clear();
    if (len <= 0) return true;
    size_t n = utf8_length(s);
    if (n >= static_cast<size_t>(len) || fill.empty()) {
        out.assign(s.substr(0, utf8_prefix(s, static_cast<size_t>(len))));
        return true;
    }
    if (!left) out.append(s);
    size_t pos = 0;
    for (size_t i = n; i < static_cast<size_t>(len); ++i) {
        size_t c = utf8_prefix(fill.substr(pos), 1);
        out.append(fill.substr(pos, c));
        pos += c;
        if (pos >= fill.size()) pos = 0;
    }
    if (left) out.append(s);
    return true;
}

void register_pad(registry& r) {
    for (bool left : {true, false}) {
        const char* name = left ? "lpad" : "rpad";
        r.add(name, {T, I4}, T,
              fallible<std::string, sv, int32_t>(
                  [left](std::string& o, sql_error& e, sv s, int32_t n) {
                      return pad(o, e, s, n, " ", left);
                  }));
        r.add(name, {T, I4, T}, T,
              fallible<std::string, sv, int32_t, sv>(
                  [left](std::string& o, sql_error& e, sv s, int32_t n, sv f) {
                      return pad(o, e, s, n, f, left);
                  }));
    }
}

// Field `index` (0-based) of s split by delim, or false.
bool nth_field(sv s, sv delim, int64_t index, sv& out) {
    size_t start = 0;
    for (int64_t i = 0;; ++i) {
        size_t p = s.find(delim, start);
        if (i == index) {
            out = s.substr(start, p == sv::npos ? sv::npos : p - start);
            return true;
        }
        if (p == sv::npos) return false;
        start = p + delim.size();
    }
}

bool split_part(sv& out, sql_error& e, sv s, sv delim, int32_t n) {
    if (n == 0) {
        e = make_error(sql_errc::invalid_parameter_value, "field position must not be zero");
        return false;
    }
    out = {};
    if (delim.empty()) {
        if (n == 1 || n == -1) out = s;
        return true;
    }
    int64_t index = n - 1;
    if (n < 0) {
        int64_t fields = 1;
        for (size_t p = s.find(delim); p != sv::npos; p = s.find(delim, p + delim.size()))
            ++fields;
        index = fields + n;
        if (index < 0) return true;
    }
    if (!nth_field(s, delim, index, out)) out = {};
    return true;
}

void register_substring(registry& r) {
    for (const char* name : {"substring", "substr"}) {
        r.add(name, {T, I4}, T,
              pure<sv, sv, int32_t>([](sv s, int32_t from) { return substring_of(s, from, -1); }));
        r.add(name, {T, I4, I4}, T,
              fallible<sv, sv, int32_t, int32_t>(
                  [](sv& out, sql_error& e, sv s, int32_t from, int32_t count) {
                      if (count < 0) {
                          e = make_error(sql_errc::invalid_parameter_value,
                                         "negative substring length not allowed");
                          return false;
                      }
                      out = substring_of(s, from, count);
                      return true;
                  }));
    }
    r.add("left", {T, I4}, T, pure<sv, sv, int32_t>([](sv s, int32_t n) {
              if (n >= 0) return s.substr(0, utf8_prefix(s, static_cast<size_t>(n)));
              int64_t keep = static_cast<int64_t>(utf8_length(s)) + n;
              return s.substr(0, char_offset(s, keep));
          }));
    r.add("right", {T, I4}, T, pure<sv, sv, int32_t>([](sv s, int32_t n) {
              int64_t len = static_cast<int64_t>(utf8_length(s));
              int64_t skip = n >= 0 ? std::max<int64_t>(len - n, 0)
                                    : std::min<int64_t>(-static_cast<int64_t>(n), len);
              return s.substr(char_offset(s, skip));
          }));
    r.add("split_part", {T, T, I4}, T, fallible<sv, sv, sv, int32_t>(split_part));
}

void register_case(registry& r) {
    r.add("lower", {T}, T, fallible<std::string, sv>([](std::string& o, sql_error&, sv s) {
              o.assign(s);
              for (char& c : o)
                  c = ascii_lower(c);
              return true;
          }));
    r.add("upper", {T}, T, fallible<std::string, sv>([](std::string& o, sql_error&, sv s) {
              o.assign(s);
              for (char& c : o)
                  c = ascii_upper(c);
              return true;
          }));
    r.add("initcap", {T}, T, fallible<std::string, sv>([](std::string& o, sql_error&, sv s) {
              o.assign(s);
              bool word = false;
              for (char& c : o) {
                  c = word ? ascii_lower(c) : ascii_upper(c);
                  word = ascii_alnum(c) || (static_cast<unsigned char>(c) & 0x80);
              }
              return true;
          }));
}

void register_lengths(registry& r) {
    for (const char* name : {"length", "char_length", "character_length"}) {
        r.add(name, {T}, I4,
              pure<int32_t, sv>([](sv s) { return static_cast<int32_t>(utf8_length(s)); }));
    }
    r.add("octet_length", {T}, I4,
          pure<int32_t, sv>([](sv s) { return static_cast<int32_t>(s.size()); }));
    r.add("length", {type_id::bytea}, I4,
          pure<int32_t, sv>([](sv s) { return static_cast<int32_t>(s.size()); }));
    r.add("octet_length", {type_id::bytea}, I4,
          pure<int32_t, sv>([](sv s) { return static_cast<int32_t>(s.size()); }));
}

int32_t strpos(sv s, sv sub) {
    size_t p = s.find(sub);
    if (p == sv::npos) return 0;
    return static_cast<int32_t>(utf8_length(s.substr(0, p)) + 1);
}

void register_search(registry& r) {
    r.add("strpos", {T, T}, I4, pure<int32_t, sv, sv>(strpos));
    r.add("position", {T, T}, I4, pure<int32_t, sv, sv>(strpos));
    r.add("starts_with", {T, T}, type_id::boolean,
          pure<uint8_t, sv, sv>([](sv s, sv p) { return uint8_t(s.substr(0, p.size()) == p); }));
    r.add("replace", {T, T, T}, T,
          fallible<std::string, sv, sv, sv>([](std::string& o, sql_error&, sv s, sv from, sv to) {
              o.clear();
              if (from.empty()) {
                  o.assign(s);
                  return true;
              }
              size_t start = 0;
              for (size_t p; (p = s.find(from, start)) != sv::npos; start = p + from.size()) {
                  o.append(s.substr(start, p - start)).append(to);
              }
              o.append(s.substr(start));
              return true;
          }));
    r.add("repeat", {T, I4}, T,
          fallible<std::string, sv, int32_t>([](std::string& o, sql_error& e, sv s, int32_t n) {
              o.clear();
              if (n > 0 && s.size() * static_cast<size_t>(n) > (size_t(1) << 30)) {
                  e = make_error(sql_errc::invalid_parameter_value, "requested length too large");
                  return false;
              }
              for (int32_t i = 0; i < n; ++i)
                  o.append(s);
              return true;
          }));
    r.add("reverse", {T}, T, fallible<std::string, sv>([](std::string& o, sql_error&, sv s) {
              o.clear();
              size_t end = s.size();
              while (end > 0) {
                  size_t b = end - 1;
                  while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80)
                      --b;
                  o.append(s.substr(b, end - b));
                  end = b;
              }
              return true;
          }));
}

// Appends row i of c as text (PostgreSQL output format).
void append_text(const column& c, size_t i, std::string& out) {
    if (is_variable_width(c.type().id) && c.type().id != type_id::bytea) {
        out.append(c.strings().at(i));
    } else {
        format_text(c, i, out);
    }
}

// concat / concat_ws: null arguments are skipped; concat_ws with a null
// separator is null.
kernel_fn concat_kernel(bool with_separator) {
    return [with_separator](std::span<const column* const> args, size_t rows, column& out,
                            const eval_context&) -> sql_status {
        std::string buf;
        for (size_t i = 0; i < rows; ++i) {
            buf.clear();
            size_t first = 0;
            sv sep;
            if (with_separator) {
                if (args[0]->is_null(i)) {
                    out.push_null();
                    continue;
                }
                sep = args[0]->strings().at(i);
                first = 1;
            }
            bool any = false;
            for (size_t a = first; a < args.size(); ++a) {
                if (args[a]->is_null(i)) continue;
                if (any) buf.append(sep);
                append_text(*args[a], i, buf);
                any = true;
            }
            out.push_string(buf);
        }
        return {};
    };
}

kernel_fn concat_operator() {
    return [](std::span<const column* const> args, size_t rows, column& out,
              const eval_context&) -> sql_status {
        std::string buf;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            buf.clear();
            append_text(*args[0], i, buf);
            append_text(*args[1], i, buf);
            out.push_string(buf);
        }
        return {};
    };
}

// translate(s, from, to): each character of `from` in s becomes the
// character at the same position of `to`, or is deleted when `to` is shorter.
bool translate(std::string& out, sql_error&, sv s, sv from, sv to) {
    out.clear();
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_prefix(s.substr(i), 1);
        sv c = s.substr(i, n);
        i += n;
        size_t index = 0, pos = 0;
        bool found = false;
        while (pos < from.size()) {
            size_t m = utf8_prefix(from.substr(pos), 1);
            if (from.substr(pos, m) == c) {
                found = true;
                break;
            }
            pos += m;
            ++index;
        }
        if (!found) {
            out.append(c);
            continue;
        }
        size_t start = utf8_prefix(to, index);
        if (start < to.size()) out.append(to.substr(start, utf8_prefix(to.substr(start), 1)));
    }
    return true;
}

// The code point of the first character of s (0 for empty).
int32_t first_code_point(sv s) {
    if (s.empty()) return 0;
    auto b = static_cast<unsigned char>(s[0]);
    int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    int32_t cp = extra == 0 ? b : (b & (0x3F >> extra));
    for (int k = 1; k <= extra && static_cast<size_t>(k) < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[static_cast<size_t>(k)]) & 0x3F);
    }
    return cp;
}

bool chr(std::string& out, sql_error& e, int32_t cp) {
    out.clear();
    if (cp <= 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        e = make_error(sql_errc::invalid_parameter_value,
                       cp == 0
                           ? "null character not permitted"
                           : "requested character too large for encoding: " + std::to_string(cp));
        return false;
    }
    auto u = static_cast<uint32_t>(cp);
    if (u < 0x80) {
        out += static_cast<char>(u);
    } else if (u < 0x800) {
        out += static_cast<char>(0xC0 | (u >> 6));
        out += static_cast<char>(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        out += static_cast<char>(0xE0 | (u >> 12));
        out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (u & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (u >> 18));
        out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (u & 0x3F));
    }
    return true;
}

template <typename U, typename S>
bool to_hex(std::string& o, sql_error&, S v) {
    static constexpr char k_hex[] = "0123456789abcdef";
    auto u = static_cast<U>(v);
    o.clear();
    do {
        o.insert(o.begin(), k_hex[u & 0xF]);
        u = static_cast<U>(u >> 4);
    } while (u != 0);
    return true;
}

void register_characters(registry& r) {
    r.add("translate", {T, T, T}, T, fallible<std::string, sv, sv, sv>(translate));
    r.add("ascii", {T}, I4, pure<int32_t, sv>(first_code_point));
    r.add("chr", {I4}, T, fallible<std::string, int32_t>(chr));
    r.add("to_hex", {type_id::int32}, T, fallible<std::string, int32_t>(to_hex<uint32_t, int32_t>));
    r.add("to_hex", {type_id::int64}, T, fallible<std::string, int64_t>(to_hex<uint64_t, int64_t>));
}

}  // namespace

void register_md5(registry& r);

void register_string(registry& r) {
    register_case(r);
    register_lengths(r);
    register_substring(r);
    register_trim(r);
    register_pad(r);
    register_search(r);
    register_md5(r);
    register_characters(r);
    r.add("||", {T, T}, T, concat_operator());
    r.add("||", {T, k_any}, T, concat_operator());
    r.add("||", {k_any, T}, T, concat_operator());
    r.add("concat", {k_any}, T, concat_kernel(false), null_handling::custom).variadic = true;
    r.add("concat_ws", {T, k_any}, T, concat_kernel(true), null_handling::custom).variadic = true;
}

}  // namespace spate::sql::detail
