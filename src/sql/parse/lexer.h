#pragma once

// A small SQL lexer for the streaming extension layer (parser.h): enough of
// PostgreSQL's lexical rules (identifiers, "quoted" identifiers, '...',
// E'...', $tag$...$tag$ strings, numbers, operators, -- and /* */ comments)
// to find statement keywords and clauses by position. libpg_query does the
// real parsing.

#include <string>
#include <string_view>
#include <vector>

namespace spate::sql {

enum class token_kind { word, quoted_ident, string, number, op, punct, end };

struct token {
    token_kind kind = token_kind::end;
    std::string_view text;  // as written
    std::string value;      // word: lower-cased; quoted_ident/string: unescaped
    int begin = 0;          // byte offset in the lexed text
    int end = 0;

    bool is_word(std::string_view w) const { return kind == token_kind::word && value == w; }
    bool is_punct(char c) const {
        return kind == token_kind::punct && text.size() == 1 && text[0] == c;
    }
};

// Tokens of `sql`, the last one of kind `end`. Unterminated strings or
// comments end at the end of the text (libpg_query reports them).
std::vector<token> lex(std::string_view sql);

}  // namespace spate::sql
