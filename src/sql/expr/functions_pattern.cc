// Pattern matching: LIKE/ILIKE (~~ ~~* !~~ !~~*) with % _ and backslash
// escapes, POSIX regular expressions (~ ~* !~ !~*) and regexp_replace via
// RE2. Patterns compile once per distinct consecutive pattern value in a
// column, so a constant pattern compiles once per chunk.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;

size_t char_len(sv s, size_t i) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80)
        ++n;
    return n;
}

void ascii_fold(sv s, std::string& out) {
    out.assign(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
}

// A compiled LIKE pattern: literals, '_' (one character) and '%' (any run).
class like_pattern {
  public:
    sql_status compile(sv pattern) {
        _tokens.clear();
        for (size_t i = 0; i < pattern.size(); ++i) {
            char c = pattern[i];
            if (c == '%') {
                if (_tokens.empty() || _tokens.back().kind != token_kind::many)
                    _tokens.push_back({token_kind::many, {}});
            } else if (c == '_') {
                _tokens.push_back({token_kind::one, {}});
            } else {
                if (c == '\\') {
                    if (++i == pattern.size()) {
                        return make_error(sql_errc::invalid_parameter_value,
                                          "LIKE pattern must not end with escape character");
                    }
                    c = pattern[i];
                }
                if (_tokens.empty() || _tokens.back().kind != token_kind::literal) {
                    _tokens.push_back({token_kind::literal, {}});
                }
                _tokens.back().text += c;
            }
        }
        return {};
    }

    bool matches(sv s) const;

  private:
    enum class token_kind { literal, one, many };
    struct token {
        token_kind kind;
        std::string text;
    };
    std::vector<token> _tokens;
};

bool like_pattern::matches(sv s) const {
    size_t ti = 0, si = 0;
    size_t star_ti = sv::npos, star_si = 0;
    while (true) {
        if (ti < _tokens.size()) {
            const token& t = _tokens[ti];
            if (t.kind == token_kind::many) {
                star_ti = ti++;
                star_si = si;
                continue;
            }
            if (t.kind == token_kind::one && si < s.size()) {
                si += char_len(s, si);
                ++ti;
                continue;
            }
            if (t.kind == token_kind::literal && s.substr(si, t.text.size()) == t.text) {
                si += t.text.size();
                ++ti;
                continue;
            }
        } else if (si == s.size()) {
            return true;
        }
        if (star_ti == sv::npos || star_si >= s.size()) return false;
        star_si += char_len(s, star_si);
        si = star_si;
        ti = star_ti + 1;
    }
}

kernel_fn like_kernel(bool fold_case, bool negate) {
    return [fold_case, negate](std::span<const column* const> args, size_t rows, column& out,
                               const eval_context&) -> sql_status {
        like_pattern compiled;
        std::string last, folded_text, folded_pattern;
        bool have = false;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            sv text = args[0]->strings().at(i), pattern = args[1]->strings().at(i);
            if (!have || pattern != last) {
                last.assign(pattern);
                if (fold_case) {
                    ascii_fold(pattern, folded_pattern);
                    pattern = folded_pattern;
                }
                if (auto s = compiled.compile(pattern); !s) return s;
                have = true;
            }
            if (fold_case) {
                ascii_fold(text, folded_text);
                text = folded_text;
            }
            out.push<uint8_t>(compiled.matches(text) != negate);
        }
        return {};
    };
}

// Compiles `pattern` unless it equals the previous one.
class regex_cache {
  public:
    sql_status get(sv pattern, bool case_insensitive, const RE2*& out) {
        if (!_re || pattern != _pattern || case_insensitive != _ci) {
            RE2::Options opts;
            opts.set_log_errors(false);
            opts.set_dot_nl(true);
            opts.set_case_sensitive(!case_insensitive);
            _re = std::make_unique<RE2>(pattern, opts);
            _pattern.assign(pattern);
            _ci = case_insensitive;
            if (!_re->ok()) {
                sql_error e = make_error(sql_errc::invalid_regular_expression,
                                         "invalid regular expression: " + _re->error());
                _re.reset();
                return e;
            }
        }
        out = _re.get();
        return {};
    }

  private:
    std::unique_ptr<RE2> _re;
    std::string _pattern;
    bool _ci = false;
};

kernel_fn regex_kernel(bool case_insensitive, bool negate) {
    return [case_insensitive, negate](std::span<const column* const> args, size_t rows, column& out,
                                      const eval_context&) -> sql_status {
        regex_cache cache;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            const RE2* re = nullptr;
            if (auto s = cache.get(args[1]->strings().at(i), case_insensitive, re); !s) return s;
            out.push<uint8_t>(RE2::PartialMatch(args[0]->strings().at(i), *re) != negate);
        }
        return {};
    };
}

// PostgreSQL replacement syntax (\1..\9, \& whole match) as RE2's (\0..\9).
void rewrite_replacement(sv in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\\' && i + 1 < in.size()) {
            char n = in[i + 1];
            if (n == '&') {
                out += "\\0";
                ++i;
                continue;
            }
            if (n >= '1' && n <= '9') {
                out += '\\';
                out += n;
                ++i;
                continue;
            }
            out += "\\\\";
            if (n == '\\') ++i;
            continue;
        }
        out += in[i];
    }
}

kernel_fn regexp_replace_kernel() {
    return [](std::span<const column* const> args, size_t rows, column& out,
              const eval_context&) -> sql_status {
        regex_cache cache;
        std::string buf, rewrite;
        for (size_t i = 0; i < rows; ++i) {
            bool any_null = false;
            for (const column* a : args)
                any_null |= a->is_null(i);
            if (any_null) {
                out.push_null();
                continue;
            }
            bool global = false, ci = false;
            if (args.size() > 3) {
                for (char f : args[3]->strings().at(i)) {
                    if (f == 'g') {
                        global = true;
                    } else if (f == 'i') {
                        ci = true;
                    } else if (f != 'c') {
                        return make_error(
                            sql_errc::invalid_parameter_value,
                            std::string("invalid regular expression option: \"") + f + "\"");
                    }
                }
            }
            const RE2* re = nullptr;
            if (auto s = cache.get(args[1]->strings().at(i), ci, re); !s) return s;
            rewrite_replacement(args[2]->strings().at(i), rewrite);
            buf.assign(args[0]->strings().at(i));
            if (global) {
                RE2::GlobalReplace(&buf, *re, rewrite);
            } else {
                RE2::Replace(&buf, *re, rewrite);
            }
            out.push_string(buf);
        }
        return {};
    };
}

// substring(text from pattern): the first match of the POSIX pattern, or
// of its first parenthesised group when it has one; NULL without a match.
kernel_fn regex_substring_kernel() {
    return [](std::span<const column* const> args, size_t rows, column& out,
              const eval_context&) -> sql_status {
        regex_cache cache;
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            const RE2* re = nullptr;
            if (auto s = cache.get(args[1]->strings().at(i), false, re); !s) return s;
            sv text = args[0]->strings().at(i);
            re2::StringPiece groups[2];
            const int n = re->NumberOfCapturingGroups() > 0 ? 2 : 1;
            if (!re->Match(text, 0, text.size(), RE2::UNANCHORED, groups, n) ||
                groups[n - 1].data() == nullptr) {
                out.push_null();
            } else {
                out.push_string(sv(groups[n - 1].data(), groups[n - 1].size()));
            }
        }
        return {};
    };
}

// like_escape(pattern, escape): `pattern` written with escape character
// `escape` ('' for none) rewritten to use backslash, as LIKE ... ESCAPE.
bool like_escape(std::string& out, sql_error& e, sv pattern, sv escape) {
    out.clear();
    if (escape == "\\") {
        out.assign(pattern);
        return true;
    }
    if (!escape.empty() && utf8_length(escape) != 1) {
        e = make_error(sql_errc::invalid_parameter_value, "invalid escape string");
        e.hint = "Escape string must be empty or one character.";
        return false;
    }
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (!escape.empty() && pattern.substr(i, escape.size()) == escape) {
            i += escape.size();
            if (i >= pattern.size()) break;
            out += '\\';
            size_t n = char_len(pattern, i);
            out.append(pattern.substr(i, n));
            i += n - 1;
        } else if (pattern[i] == '\\') {
            out += "\\\\";
        } else {
            out += pattern[i];
        }
    }
    return true;
}

}  // namespace

void register_pattern(registry& r) {
    r.add("like_escape", {type_id::text, type_id::text}, type_id::text,
          fallible<std::string, sv, sv>(like_escape));
    const type_id t = type_id::text, b = type_id::boolean;
    r.add("~~", {t, t}, b, like_kernel(false, false));
    r.add("!~~", {t, t}, b, like_kernel(false, true));
    r.add("~~*", {t, t}, b, like_kernel(true, false));
    r.add("!~~*", {t, t}, b, like_kernel(true, true));
    r.add("~", {t, t}, b, regex_kernel(false, false));
    r.add("!~", {t, t}, b, regex_kernel(false, true));
    r.add("~*", {t, t}, b, regex_kernel(true, false));
    r.add("!~*", {t, t}, b, regex_kernel(true, true));
    r.add("regexp_replace", {t, t, t}, t, regexp_replace_kernel());
    r.add("substring", {t, t}, t, regex_substring_kernel(), null_handling::custom);
    r.add("regexp_replace", {t, t, t, t}, t, regexp_replace_kernel());
}

}  // namespace spate::sql::detail
