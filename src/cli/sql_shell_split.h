#pragma once

// Pure part of `spate sql`: cutting SQL text into statements. A statement ends
// at a `;` outside quotes ('...', E'...' with backslash escapes, "...",
// $tag$...$tag$) and comments (-- to the end of the line, nestable /* */).

#include <string>
#include <string_view>
#include <vector>

namespace spate::cli {

struct sql_split {
    // Complete statements in input order: comments replaced by whitespace,
    // trimmed, without the terminating `;`. Statements that are empty once
    // comments are removed are dropped.
    std::vector<std::string> statements;
    // The unterminated statement after the last `;`, cleaned like the
    // complete ones (empty when there is none).
    std::string tail;
    // The raw text from the start of the unterminated statement; empty when
    // nothing is pending, i.e. the rest is whitespace and closed comments.
    // Not empty inside an open quote or block comment even when `tail` is.
    std::string pending;
};

sql_split split_sql(std::string_view text);

// Accumulates input a line at a time (the interactive shell): feed() returns
// the statements the line completes and keeps the rest for the next line.
class sql_statement_buffer {
  public:
    std::vector<std::string> feed(std::string_view line);
    // True while a statement is incomplete (the shell shows its continuation
    // prompt).
    bool pending() const { return !_pending.empty(); }
    void clear() { _pending.clear(); }

  private:
    std::string _pending;
};

}  // namespace spate::cli
