#include "sql/parse/parse_serving.h"

#include <vector>

#include "sql/parse/lexer.h"

namespace spate::sql {

namespace {

class serving_parser {
  public:
    serving_parser(std::string_view text, int offset)
        : _text(text), _offset(offset), _tokens(lex(text)) {}

    std::optional<sql_result<parsed_statement>> run() {
        parsed_statement s;
        s.text = std::string(_text);
        s.offset = _offset;
        if (word(0, "subscribe")) return subscribe(std::move(s), 0);
        if (word(0, "explain") && word(1, "analyze") && at(2).kind != token_kind::end &&
            !word(2, "select") && !word(2, "create") && !word(2, "with") && !word(2, "values") &&
            !at(2).is_punct('('))
            return explain_analyze(std::move(s));
        if (word(0, "declare")) {
            size_t i = 2;
            while (word(i, "binary") || word(i, "insensitive") || word(i, "scroll") ||
                   word(i, "no"))
                ++i;
            if (!word(i, "cursor")) return std::nullopt;
            ++i;
            bool hold = false;
            if ((word(i, "with") || word(i, "without")) && word(i + 1, "hold")) {
                hold = word(i, "with");
                i += 2;
            }
            if (!word(i, "for") || !word(i + 1, "subscribe")) return std::nullopt;
            auto name = name_at(1);
            if (!name.ok()) return sql_result<parsed_statement>(name.error());
            s.cursor = name.value();
            s.with_hold = hold;
            return subscribe(std::move(s), i + 1);
        }
        return std::nullopt;
    }

  private:
    bool word(size_t i, std::string_view w) const {
        return i < _tokens.size() && _tokens[i].is_word(w);
    }
    const token& at(size_t i) const { return _tokens[std::min(i, _tokens.size() - 1)]; }

    sql_error error_at(size_t i, const std::string& what) const {
        const token& t = at(i);
        std::string near = t.kind == token_kind::end
                               ? "syntax error at end of input"
                               : "syntax error at or near \"" + std::string(t.text) + "\"";
        return make_error(sql_errc::syntax_error, near + ": " + what, _offset + t.begin + 1);
    }

    sql_result<std::string> name_at(size_t i) const {
        const token& t = at(i);
        if (t.kind == token_kind::word || t.kind == token_kind::quoted_ident) return t.value;
        return error_at(i, "expected a name");
    }

    // SUBSCRIBE at token i.
    sql_result<parsed_statement> subscribe(parsed_statement s, size_t i) {
        s.kind = statement_kind::subscribe;
        ++i;
        if (word(i, "to") && at(i + 1).kind != token_kind::end && !word(i + 1, "with")) ++i;
        if (at(i).is_punct('('))
            return error_at(i, "SUBSCRIBE reads a materialized view or source by name");
        auto name = name_at(i);
        if (!name.ok()) return name.error();
        s.name = name.value();
        ++i;
        if (word(i, "with")) {
            auto after = options(i, s.options);
            if (!after.ok()) return after.error();
            i = after.value();
        }
        if (at(i).kind != token_kind::end) return error_at(i, "unexpected text after SUBSCRIBE");
        return s;
    }

    sql_result<parsed_statement> explain_analyze(parsed_statement s) {
        s.kind = statement_kind::explain_analyze;
        size_t i = 2;
        if (word(i, "materialized") && word(i + 1, "view")) {
            s.objects = object_kind::view;
            s.kind_given = true;
            i += 2;
        } else if (word(i, "view") || word(i, "sink")) {
            s.objects = word(i, "view") ? object_kind::view : object_kind::sink;
            s.kind_given = true;
            ++i;
        }
        auto name = name_at(i);
        if (!name.ok()) return name.error();
        s.name = name.value();
        if (at(i + 1).kind != token_kind::end)
            return error_at(i + 1, "EXPLAIN ANALYZE takes the name of a materialized view or sink");
        return s;
    }

    // "WITH ( key = value, ... )" from token i; the index after ')'.
    sql_result<size_t> options(size_t i, std::vector<with_option>& out) const {
        if (!at(i + 1).is_punct('(')) return error_at(i + 1, "expected (");
        size_t j = i + 2;
        while (!at(j).is_punct(')')) {
            with_option o;
            o.position = _offset + at(j).begin;
            if (at(j).kind != token_kind::word) return error_at(j, "expected an option name");
            o.key = at(j).value;
            if (!(at(j + 1).kind == token_kind::op && at(j + 1).text == "="))
                return error_at(j + 1, "expected =");
            const token& v = at(j + 2);
            if (v.kind == token_kind::string || v.kind == token_kind::number)
                o.value = v.value;
            else if (v.kind == token_kind::word)
                o.value = v.value;
            else
                return error_at(j + 2, "expected an option value");
            out.push_back(std::move(o));
            j += 3;
            if (at(j).is_punct(','))
                ++j;
            else if (!at(j).is_punct(')'))
                return error_at(j, "expected , or )");
        }
        return j + 1;
    }

    std::string_view _text;
    int _offset;
    std::vector<token> _tokens;
};

}  // namespace

std::optional<sql_result<parsed_statement>> parse_serving_statement(std::string_view text,
                                                                    int offset) {
    return serving_parser(text, offset).run();
}

}  // namespace spate::sql
