#include "cli/sql_shell_split.h"

#include <cstddef>

namespace spate::cli {

namespace {

bool is_ident_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || u >= 0x80;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string trimmed(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b]))
        ++b;
    while (e > b && is_space(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

enum class lex_state { normal, single, escaped_single, double_quoted, dollar, line_comment, block };

// The scanner: one pass over the text, tracking the quote/comment state.
class splitter {
  public:
    explicit splitter(std::string_view text) : _t(text) {}

    sql_split run() {
        while (_i < _t.size())
            step();
        sql_split out;
        out.statements = std::move(_done);
        out.tail = trimmed(_current);
        bool open = _state != lex_state::normal && _state != lex_state::line_comment;
        if (open || !out.tail.empty()) out.pending = std::string(_t.substr(_start));
        return out;
    }

  private:
    bool at(std::string_view s) const { return _t.substr(_i, s.size()) == s; }

    void step() {
        switch (_state) {
            case lex_state::normal:
                return step_normal();
            case lex_state::single:
            case lex_state::escaped_single:
                return step_single();
            case lex_state::double_quoted:
                return step_closing('"');
            case lex_state::dollar:
                return step_dollar();
            case lex_state::line_comment:
                return step_line_comment();
            case lex_state::block:
                return step_block();
        }
    }

    void step_normal() {
        char c = _t[_i];
        if (c == ';') {
            std::string s = trimmed(_current);
            if (!s.empty()) _done.push_back(std::move(s));
            _current.clear();
            _start = ++_i;
            return;
        }
        if (at("--")) {
            _state = lex_state::line_comment;
            _i += 2;
            return;
        }
        if (at("/*")) {
            _state = lex_state::block;
            _depth = 1;
            _i += 2;
            _current += ' ';
            return;
        }
        if (c == '\'') {
            bool e_string = _i > 0 && (_t[_i - 1] == 'E' || _t[_i - 1] == 'e') &&
                            (_i < 2 || !is_ident_char(_t[_i - 2]));
            _state = e_string ? lex_state::escaped_single : lex_state::single;
        } else if (c == '"') {
            _state = lex_state::double_quoted;
        } else if (c == '$' && open_dollar()) {
            return;
        }
        _current += c;
        ++_i;
    }

    // At a `$` in normal text: opens a dollar quote when a tag follows.
    bool open_dollar() {
        if (_i > 0 && is_ident_char(_t[_i - 1])) return false;
        std::size_t j = _i + 1;
        while (j < _t.size() && _t[j] != '$' && is_ident_char(_t[j]))
            ++j;
        if (j >= _t.size() || _t[j] != '$') return false;
        if (j > _i + 1 && _t[_i + 1] >= '0' && _t[_i + 1] <= '9') return false;
        _tag = std::string(_t.substr(_i, j + 1 - _i));
        _current += _tag;
        _i = j + 1;
        _state = lex_state::dollar;
        return true;
    }

    void step_single() {
        char c = _t[_i];
        if (_state == lex_state::escaped_single && c == '\\' && _i + 1 < _t.size()) {
            _current += _t.substr(_i, 2);
            _i += 2;
            return;
        }
        step_closing('\'');
    }

    void step_closing(char quote) {
        char c = _t[_i++];
        _current += c;
        if (c == quote) _state = lex_state::normal;
    }

    void step_dollar() {
        if (at(_tag)) {
            _current += _tag;
            _i += _tag.size();
            _state = lex_state::normal;
            return;
        }
        _current += _t[_i++];
    }

    void step_line_comment() {
        if (_t[_i] == '\n') {
            _state = lex_state::normal;  // the newline itself is kept
            return;
        }
        ++_i;
    }

    void step_block() {
        if (at("/*")) {
            ++_depth;
            _i += 2;
        } else if (at("*/")) {
            _i += 2;
            if (--_depth == 0) _state = lex_state::normal;
        } else {
            ++_i;
        }
    }

    std::string_view _t;
    std::size_t _i = 0;
    std::size_t _start = 0;  // where the current statement's raw text begins
    lex_state _state = lex_state::normal;
    int _depth = 0;
    std::string _tag;
    std::string _current;
    std::vector<std::string> _done;
};

}  // namespace

sql_split split_sql(std::string_view text) {
    return splitter(text).run();
}

std::vector<std::string> sql_statement_buffer::feed(std::string_view line) {
    _pending.append(line);
    _pending += '\n';
    sql_split s = split_sql(_pending);
    _pending = std::move(s.pending);
    return std::move(s.statements);
}

}  // namespace spate::cli
