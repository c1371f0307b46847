#include "sql/parse/parser.h"

#include <pg_query.h>

#include <string>

#include "sql/parse/lexer.h"
#include "sql/parse/parse_serving.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

// Parses `text` with libpg_query; locations in the result are relative to it.
// `base` is the offset of `text` in the whole query string (for errors).
sql_result<json> pg_parse(const std::string& text, int base) {
    PgQueryParseResult r = pg_query_parse(text.c_str());
    if (r.error) {
        sql_error e = make_error(sql_errc::syntax_error, r.error->message,
                                 r.error->cursorpos > 0 ? base + r.error->cursorpos : 0);
        pg_query_free_parse_result(r);
        return e;
    }
    json tree = json::parse(r.parse_tree);
    pg_query_free_parse_result(r);
    return tree;
}

// The single statement node of a parse result, or an error when `text`
// held none or several.
sql_result<json> single_statement(const std::string& text, int base) {
    auto tree = pg_parse(text, base);
    if (!tree.ok()) return tree.error();
    auto& stmts = tree.value()["stmts"];
    if (!stmts.is_array() || stmts.size() != 1)
        return make_error(sql_errc::syntax_error, "expected exactly one statement", base + 1);
    return stmts[0]["stmt"];
}

class statement_parser {
  public:
    statement_parser(std::string_view text, int offset) : _text(text), _offset(offset) {
        _tokens = lex(text);
    }

    sql_result<parsed_statement> run() {
        parsed_statement s;
        s.text = std::string(_text);
        s.offset = _offset;
        if (auto serving = parse_serving_statement(_text, _offset)) return std::move(*serving);
        _emits = emit_clauses();
        if (word(0, "create") && word(1, "sink")) return create_sink(std::move(s));
        bool explain_sink = word(0, "explain") && word(1, "create") && word(2, "sink");
        if (!explain_sink && !is_materialized_view() && !_emits.empty())
            return emit_error(_emits[0], false);
        if (word(0, "create") && word(1, "source")) return create_source(std::move(s));
        if (word(0, "explain") && word(1, "create") && word(2, "sink")) {
            int begin = at(1).begin;
            auto inner = statement_parser(_text.substr(begin), _offset + begin).run();
            if (!inner.ok()) return inner;
            inner.value().explain = true;
            inner.value().text = s.text;
            inner.value().offset = s.offset;
            inner.value().tree_offset += begin;
            return inner;
        }
        if (word(0, "show") && (word(1, "sources") || word(1, "sinks") ||
                                (word(1, "materialized") && word(2, "views"))))
            return show(std::move(s));
        if (word(0, "drop") && (word(1, "source") || word(1, "sink"))) return drop(std::move(s));
        std::string pg_text = s.text;
        if (!_emits.empty()) {
            auto st = cut_view_emit(pg_text, s);
            if (!st.ok()) return st.error();
        }
        auto tree = single_statement(pg_text, _offset);
        if (!tree.ok()) return tree.error();
        s.tree = std::move(tree.value());
        return s;
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
        return make_error(sql_errc::syntax_error, what.empty() ? near : near + ": " + what,
                          _offset + t.begin + 1);
    }

    // An identifier at token i (word or quoted).
    sql_result<std::string> name_at(size_t i) const {
        const token& t = at(i);
        if (t.kind == token_kind::word || t.kind == token_kind::quoted_ident) return t.value;
        return error_at(i, "expected a name");
    }

    // Index of the token closing the parenthesis opened at i.
    size_t matching(size_t i) const {
        int depth = 0;
        for (size_t j = i; j < _tokens.size(); ++j) {
            if (_tokens[j].is_punct('(')) ++depth;
            if (_tokens[j].is_punct(')') && --depth == 0) return j;
        }
        return _tokens.size() - 1;
    }

    // Parses "WITH ( key = value, ... )" starting at i (the WITH token);
    // returns the index after the closing parenthesis.
    sql_result<size_t> options(size_t i, std::vector<with_option>& out) const {
        if (!word(i, "with")) return error_at(i, "expected WITH (...)");
        if (!at(i + 1).is_punct('(')) return error_at(i + 1, "expected (");
        size_t j = i + 2;
        while (!at(j).is_punct(')')) {
            with_option o;
            o.position = _offset + at(j).begin;
            if (at(j).kind != token_kind::word && at(j).kind != token_kind::quoted_ident)
                return error_at(j, "expected an option name");
            o.key = at(j).value;
            ++j;
            while (at(j).is_punct('.') && at(j + 1).kind == token_kind::word) {
                o.key += "." + at(j + 1).value;
                j += 2;
            }
            if (!(at(j).kind == token_kind::op && at(j).text == "="))
                return error_at(j, "expected =");
            ++j;
            const token& v = at(j);
            if (v.kind == token_kind::string || v.kind == token_kind::number) {
                o.value = v.value;
            } else if (v.kind == token_kind::word) {
                o.value = std::string(v.text);
            } else {
                return error_at(j, "expected an option value");
            }
            out.push_back(std::move(o));
            ++j;
            if (at(j).is_punct(',')) {
                ++j;
            } else if (!at(j).is_punct(')')) {
                return error_at(j, "expected , or )");
            }
        }
        return j + 1;
    }

    sql_status expect_end(size_t i) const {
        if (at(i).kind == token_kind::end) return {};
        return error_at(i, "unexpected text after the statement");
    }

    // "IF NOT EXISTS" at i: sets the flag and returns the index after it.
    size_t if_not_exists(size_t i, parsed_statement& s) const {
        if (word(i, "if") && word(i + 1, "not") && word(i + 2, "exists")) {
            s.if_not_exists = true;
            return i + 3;
        }
        return i;
    }

    // `EMIT ON WINDOW CLOSE` clauses (index of EMIT, parenthesis depth), in
    // order; strings, quoted identifiers and comments never match.
    struct emit_clause {
        size_t at = 0;
        int depth = 0;
    };
    std::vector<emit_clause> emit_clauses() const {
        std::vector<emit_clause> out;
        int depth = 0;
        for (size_t i = 0; i < _tokens.size(); ++i) {
            if (at(i).is_punct('(')) ++depth;
            if (at(i).is_punct(')')) --depth;
            if (word(i, "emit") && word(i + 1, "on") && word(i + 2, "window") &&
                word(i + 3, "close"))
                out.push_back({i, depth});
        }
        return out;
    }

    // CREATE MATERIALIZED VIEW, also after EXPLAIN [ANALYZE] [VERBOSE].
    bool is_materialized_view() const {
        size_t i = 0;
        if (word(0, "explain")) {
            i = 1;
            while (word(i, "analyze") || word(i, "verbose"))
                ++i;
        }
        return word(i, "create") && word(i + 1, "materialized") && word(i + 2, "view");
    }

    // `misplaced`: the statement takes the clause, but not there.
    sql_error emit_error(const emit_clause& e, bool misplaced) const {
        if (misplaced)
            return error_at(e.at,
                            "EMIT ON WINDOW CLOSE must follow the query: at the end of CREATE "
                            "MATERIALIZED VIEW, before the WITH (...) of CREATE SINK");
        return make_error(sql_errc::feature_not_supported,
                          "EMIT ON WINDOW CLOSE applies only to continuous queries: CREATE "
                          "MATERIALIZED VIEW name AS query EMIT ON WINDOW CLOSE, CREATE SINK "
                          "name AS query EMIT ON WINDOW CLOSE WITH (...)",
                          _offset + at(e.at).begin + 1);
    }

    // Blanks the clause of a CREATE MATERIALIZED VIEW out of `pg_text`
    // (positions kept); it must end the statement (or precede WITH [NO] DATA).
    sql_status cut_view_emit(std::string& pg_text, parsed_statement& s) const {
        const emit_clause& e = _emits[0];
        size_t after = e.at + 4;
        if (_emits.size() > 1) return emit_error(_emits[1], true);
        bool at_end = at(after).kind == token_kind::end ||
                      (word(after, "with") && word(after + 1, "data") &&
                       at(after + 2).kind == token_kind::end) ||
                      (word(after, "with") && word(after + 1, "no") && word(after + 2, "data") &&
                       at(after + 3).kind == token_kind::end);
        if (e.depth != 0 || !at_end) return emit_error(e, true);
        for (int k = at(e.at).begin; k < at(e.at + 3).end; ++k)
            pg_text[static_cast<size_t>(k)] = ' ';
        s.emit_on_window_close = true;
        return {};
    }

    sql_result<parsed_statement> create_source(parsed_statement s);
    sql_result<parsed_statement> create_sink(parsed_statement s);
    sql_result<parsed_statement> show(parsed_statement s);
    sql_result<parsed_statement> drop(parsed_statement s);
    sql_status cut_watermark(size_t open, size_t close, std::string& rewritten,
                             parsed_statement& s);

    std::string_view _text;
    int _offset;
    std::vector<token> _tokens;
    std::vector<emit_clause> _emits;
};

sql_status statement_parser::cut_watermark(size_t open, size_t close, std::string& rewritten,
                                           parsed_statement& s) {
    int depth = 0;
    for (size_t i = open; i < close; ++i) {
        if (at(i).is_punct('(')) ++depth;
        if (at(i).is_punct(')')) --depth;
        if (depth != 1 || !word(i, "watermark") || !word(i + 1, "for")) continue;
        auto col = name_at(i + 2);
        if (!col.ok()) return col.error();
        if (!word(i + 3, "as")) return error_at(i + 3, "expected AS");
        size_t end = i + 4;
        for (int d = 0; end < close; ++end) {
            if (at(end).is_punct('(')) ++d;
            if (at(end).is_punct(')')) --d;
            if (d == 0 && at(end).is_punct(',')) break;
        }
        if (end == i + 4) return error_at(end, "expected a watermark expression");
        // Remove ", WATERMARK ... expr" (or "WATERMARK ... expr ,") keeping positions.
        size_t from = at(i).begin, to = at(end - 1).end;
        if (at(i - 1).is_punct(',')) {
            from = at(i - 1).begin;
        } else if (at(end).is_punct(',')) {
            to = at(end).end;
        }
        watermark_clause w;
        w.column = col.value();
        int expr_begin = at(i + 4).begin;
        w.text = std::string(_text.substr(expr_begin, at(end - 1).end - expr_begin));
        auto tree = single_statement("SELECT " + w.text, _offset + expr_begin - 7);
        if (!tree.ok()) return tree.error();
        w.expr = tree.value()["SelectStmt"]["targetList"][0]["ResTarget"]["val"];
        w.offset = expr_begin - 7;
        s.watermark = std::move(w);
        for (size_t k = from; k < to; ++k)
            rewritten[k] = ' ';
        return {};
    }
    return {};
}

sql_result<parsed_statement> statement_parser::create_source(parsed_statement s) {
    s.kind = statement_kind::create_source;
    size_t i = if_not_exists(2, s);
    auto name = name_at(i);
    if (!name.ok()) return name.error();
    s.name = name.value();
    size_t open = i + 1;
    if (word(open, "with")) {
        // No column list: the columns come from the format's schema
        // (docs/sql.md); the tree is that of "CREATE TABLE name ()".
        auto after = options(open, s.options);
        if (!after.ok()) return after.error();
        if (auto st = expect_end(after.value()); !st.ok()) return st.error();
        std::string rewritten = s.text.substr(0, at(i).end);
        rewritten.replace(at(1).begin, 6, "TABLE ");
        auto tree = single_statement(rewritten + " ()", _offset);
        if (!tree.ok()) return tree.error();
        s.tree = std::move(tree.value());
        return s;
    }
    if (!at(open).is_punct('(')) return error_at(open, "expected a column list or WITH (...)");
    size_t close = matching(open);
    std::string rewritten = s.text;
    // "SOURCE" -> "TABLE " keeps every position.
    rewritten.replace(at(1).begin, 6, "TABLE ");
    if (auto st = cut_watermark(open, close, rewritten, s); !st.ok()) return st.error();
    auto after = options(close + 1, s.options);
    if (!after.ok()) return after.error();
    if (auto st = expect_end(after.value()); !st.ok()) return st.error();
    rewritten.resize(at(close).end);
    if (s.if_not_exists) {
        // CREATE TABLE IF NOT EXISTS parses as well; nothing to rewrite.
    }
    auto tree = single_statement(rewritten, _offset);
    if (!tree.ok()) return tree.error();
    s.tree = std::move(tree.value());
    return s;
}

sql_result<parsed_statement> statement_parser::create_sink(parsed_statement s) {
    s.kind = statement_kind::create_sink;
    size_t i = if_not_exists(2, s);
    auto name = name_at(i);
    if (!name.ok()) return name.error();
    s.name = name.value();
    if (word(i + 1, "from")) {
        if (!_emits.empty()) return emit_error(_emits[0], true);
        auto from = name_at(i + 2);
        if (!from.ok()) return from.error();
        s.from = from.value();
        auto after = options(i + 3, s.options);
        if (!after.ok()) return after.error();
        if (auto st = expect_end(after.value()); !st.ok()) return st.error();
        return s;
    }
    if (!word(i + 1, "as")) return error_at(i + 1, "expected AS query or FROM relation");
    // The options are the last top-level WITH (...) that ends the statement.
    size_t with = 0;
    int depth = 0;
    for (size_t j = i + 2; j < _tokens.size(); ++j) {
        if (at(j).is_punct('(')) ++depth;
        if (at(j).is_punct(')')) --depth;
        if (depth == 0 && word(j, "with") && at(j + 1).is_punct('(') &&
            at(matching(j + 1) + 1).kind == token_kind::end)
            with = j;
    }
    size_t query_end = with;
    if (!_emits.empty()) {
        if (_emits.size() > 1) return emit_error(_emits[1], true);
        const emit_clause& e = _emits[0];
        if (e.depth != 0 || with == 0 || e.at + 4 != with) return emit_error(e, true);
        s.emit_on_window_close = true;
        query_end = e.at;
    }
    if (with == 0) return error_at(_tokens.size() - 1, "expected WITH (...) after the query");
    auto after = options(with, s.options);
    if (!after.ok()) return after.error();
    int qbegin = at(i + 2).begin;
    s.query_text = std::string(_text.substr(qbegin, at(query_end).begin - qbegin));
    auto tree = single_statement(s.query_text, _offset + qbegin);
    if (!tree.ok()) return tree.error();
    s.tree = std::move(tree.value());
    s.tree_offset = qbegin;
    return s;
}

sql_result<parsed_statement> statement_parser::show(parsed_statement s) {
    s.kind = statement_kind::show_objects;
    size_t end = 2;
    if (word(1, "sources")) {
        s.objects = object_kind::source;
    } else if (word(1, "sinks")) {
        s.objects = object_kind::sink;
    } else {
        s.objects = object_kind::view;
        end = 3;
    }
    if (auto st = expect_end(end); !st.ok()) return st.error();
    return s;
}

sql_result<parsed_statement> statement_parser::drop(parsed_statement s) {
    s.kind = statement_kind::drop_objects;
    s.objects = word(1, "source") ? object_kind::source : object_kind::sink;
    size_t i = 2;
    if (word(i, "if") && word(i + 1, "exists")) {
        s.if_exists = true;
        i += 2;
    }
    for (;;) {
        auto name = name_at(i);
        if (!name.ok()) return name.error();
        s.names.push_back(name.value());
        ++i;
        if (!at(i).is_punct(',')) break;
        ++i;
    }
    if (word(i, "cascade")) {
        s.cascade = true;
        ++i;
    } else if (word(i, "restrict")) {
        ++i;
    }
    if (auto st = expect_end(i); !st.ok()) return st.error();
    return s;
}

}  // namespace

sql_result<std::vector<parsed_statement>> parse_sql(std::string_view sql) {
    std::vector<parsed_statement> out;
    std::vector<token> tokens = lex(sql);
    size_t begin = 0;  // byte offset of the current statement
    bool any = false;
    for (const token& t : tokens) {
        bool last = t.kind == token_kind::end;
        if (!last && !t.is_punct(';')) {
            if (!any) begin = static_cast<size_t>(t.begin);
            any = true;
            continue;
        }
        if (any) {
            std::string_view text = sql.substr(begin, t.begin - begin);
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
                text.remove_suffix(1);
            auto s = statement_parser(text, static_cast<int>(begin)).run();
            if (!s.ok()) return s.error();
            out.push_back(std::move(s.value()));
        }
        any = false;
    }
    return out;
}

}  // namespace spate::sql
