#include "sql/parse/lexer.h"

#include <cctype>

namespace spate::sql {

namespace {

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) {
    return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

class lexer {
  public:
    explicit lexer(std::string_view s) : _s(s) {}

    std::vector<token> run() {
        std::vector<token> out;
        for (;;) {
            skip_space_and_comments();
            if (_i >= _s.size()) break;
            out.push_back(next());
        }
        token end;
        end.begin = end.end = static_cast<int>(_s.size());
        out.push_back(end);
        return out;
    }

  private:
    void skip_space_and_comments() {
        while (_i < _s.size()) {
            if (std::isspace(static_cast<unsigned char>(_s[_i]))) {
                ++_i;
            } else if (_s.compare(_i, 2, "--") == 0) {
                while (_i < _s.size() && _s[_i] != '\n')
                    ++_i;
            } else if (_s.compare(_i, 2, "/*") == 0) {
                int depth = 0;
                do {
                    if (_s.compare(_i, 2, "/*") == 0) {
                        ++depth;
                        _i += 2;
                    } else if (_s.compare(_i, 2, "*/") == 0) {
                        --depth;
                        _i += 2;
                    } else {
                        ++_i;
                    }
                } while (depth > 0 && _i < _s.size());
            } else {
                break;
            }
        }
    }

    token make(token_kind k, size_t begin) {
        token t;
        t.kind = k;
        t.begin = static_cast<int>(begin);
        t.end = static_cast<int>(_i);
        t.text = _s.substr(begin, _i - begin);
        return t;
    }

    token quoted(char q, token_kind k, size_t begin, bool escapes) {
        std::string v;
        ++_i;
        while (_i < _s.size()) {
            char c = _s[_i];
            if (escapes && c == '\\' && _i + 1 < _s.size()) {
                v += _s[_i + 1];
                _i += 2;
            } else if (c == q) {
                if (_i + 1 < _s.size() && _s[_i + 1] == q) {
                    v += q;
                    _i += 2;
                } else {
                    ++_i;
                    break;
                }
            } else {
                v += c;
                ++_i;
            }
        }
        token t = make(k, begin);
        t.value = std::move(v);
        return t;
    }

    token dollar(size_t begin) {
        size_t j = _i + 1;
        while (j < _s.size() && _s[j] != '$' && ident_char(_s[j]))
            ++j;
        if (j >= _s.size() || _s[j] != '$') {
            ++_i;
            return make(token_kind::op, begin);
        }
        std::string_view tag = _s.substr(_i, j - _i + 1);
        size_t close = _s.find(tag, j + 1);
        size_t body = j + 1;
        _i = close == std::string_view::npos ? _s.size() : close + tag.size();
        token t = make(token_kind::string, begin);
        t.value = std::string(
            _s.substr(body, (close == std::string_view::npos ? _s.size() : close) - body));
        return t;
    }

    token next() {
        size_t begin = _i;
        char c = _s[_i];
        if ((c == 'e' || c == 'E') && _i + 1 < _s.size() && _s[_i + 1] == '\'') {
            ++_i;
            return quoted('\'', token_kind::string, begin, true);
        }
        if (ident_start(c)) {
            while (_i < _s.size() && ident_char(_s[_i]))
                ++_i;
            token t = make(token_kind::word, begin);
            for (char ch : t.text)
                t.value += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            return t;
        }
        if (c == '"') return quoted('"', token_kind::quoted_ident, begin, false);
        if (c == '\'') return quoted('\'', token_kind::string, begin, false);
        if (c == '$' && _i + 1 < _s.size() && !std::isdigit(static_cast<unsigned char>(_s[_i + 1])))
            return dollar(begin);
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            (c == '.' && _i + 1 < _s.size() &&
             std::isdigit(static_cast<unsigned char>(_s[_i + 1])))) {
            while (_i < _s.size() &&
                   (std::isalnum(static_cast<unsigned char>(_s[_i])) || _s[_i] == '.'))
                ++_i;
            token t = make(token_kind::number, begin);
            t.value = std::string(t.text);
            return t;
        }
        if (std::string_view("(),;[].").find(c) != std::string_view::npos) {
            ++_i;
            token t = make(token_kind::punct, begin);
            t.value = std::string(1, c);
            return t;
        }
        static constexpr std::string_view k_op_chars = "+-*/<>=~!@#%^&|`?:$";
        while (_i < _s.size() && k_op_chars.find(_s[_i]) != std::string_view::npos)
            ++_i;
        if (_i == begin) ++_i;
        token t = make(token_kind::op, begin);
        t.value = std::string(t.text);
        return t;
    }

    std::string_view _s;
    size_t _i = 0;
};

}  // namespace

std::vector<token> lex(std::string_view sql) {
    return lexer(sql).run();
}

}  // namespace spate::sql
