#include "cli/sql_shell_format.h"

#include <algorithm>

namespace spate::cli {

namespace {

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> out;
    std::size_t b = 0;
    while (true) {
        std::size_t e = s.find('\n', b);
        if (e == std::string_view::npos) {
            out.emplace_back(s.substr(b));
            return out;
        }
        out.emplace_back(s.substr(b, e - b));
        b = e + 1;
    }
}

void rstrip_line(std::string& out, std::size_t line_start) {
    while (out.size() > line_start && out.back() == ' ')
        out.pop_back();
    out += '\n';
}

void pad(std::string& out, std::size_t n) {
    out.append(n, ' ');
}

// One physical line: `cells[c]` is the text of column c on this line.
void append_line(std::string& out, const std::vector<sql_column>& columns,
                 const std::vector<std::size_t>& widths, const std::vector<std::string>& cells,
                 bool centre) {
    std::size_t start = out.size();
    for (std::size_t c = 0; c < columns.size(); ++c) {
        out += c == 0 ? " " : " | ";
        std::size_t gap = widths[c] - display_width(cells[c]);
        std::size_t left = centre ? gap / 2 : (columns[c].align_right ? gap : 0);
        pad(out, left);
        out += cells[c];
        pad(out, gap - left);
    }
    rstrip_line(out, start);
}

void append_row(std::string& out, const std::vector<sql_column>& columns,
                const std::vector<std::size_t>& widths, const std::vector<sql_cell>& row) {
    std::vector<std::vector<std::string>> lines(columns.size());
    std::size_t height = 1;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        lines[c] = split_lines(c < row.size() && row[c] ? *row[c] : "");
        height = std::max(height, lines[c].size());
    }
    for (std::size_t l = 0; l < height; ++l) {
        std::vector<std::string> cells(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (l < lines[c].size()) cells[c] = lines[c][l];
        }
        append_line(out, columns, widths, cells, false);
    }
}

}  // namespace

std::string format_sql_table(const std::vector<sql_column>& columns,
                             const std::vector<std::vector<sql_cell>>& rows) {
    std::vector<std::size_t> widths(columns.size());
    std::vector<std::string> names(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        names[c] = columns[c].name;
        widths[c] = display_width(names[c]);
        for (const auto& row : rows) {
            if (c >= row.size() || !row[c]) continue;
            for (const auto& line : split_lines(*row[c])) {
                widths[c] = std::max(widths[c], display_width(line));
            }
        }
    }
    std::string out;
    append_line(out, columns, widths, names, true);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) out += '+';
        out.append(widths[c] + 2, '-');
    }
    out += '\n';
    for (const auto& row : rows)
        append_row(out, columns, widths, row);
    out += format_row_count(rows.size());
    out += "\n\n";
    return out;
}

std::string format_row_count(std::size_t rows) {
    return "(" + std::to_string(rows) + (rows == 1 ? " row)" : " rows)");
}

bool is_numeric_type_oid(unsigned oid) {
    switch (oid) {
        case 20:    // int8
        case 21:    // int2
        case 23:    // int4
        case 26:    // oid
        case 700:   // float4
        case 701:   // float8
        case 1700:  // numeric
            return true;
        default:
            return false;
    }
}

namespace {

// "LINE n: <line>" and a caret under the code point at `position` (1-based).
void append_position(std::string& out, std::string_view statement, std::size_t position) {
    std::size_t line_no = 1, line_start = 0, chars = 0, i = 0;
    for (; i < statement.size(); ++i) {
        bool lead = (static_cast<unsigned char>(statement[i]) & 0xC0) != 0x80;
        if (lead && ++chars == position) break;
        if (statement[i] == '\n') {
            ++line_no;
            line_start = i + 1;
        }
    }
    std::size_t line_end = statement.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = statement.size();
    std::string prefix = "LINE " + std::to_string(line_no) + ": ";
    out += prefix;
    out += statement.substr(line_start, line_end - line_start);
    out += '\n';
    std::size_t col =
        display_width(statement.substr(line_start, std::min(i, line_end) - line_start));
    out.append(prefix.size() + col, ' ');
    out += "^\n";
}

}  // namespace

std::string format_sql_error(const sql_error_report& e, std::string_view statement) {
    std::string out = (e.severity.empty() ? std::string("ERROR") : e.severity) + ":  " + e.message;
    if (!e.sqlstate.empty()) out += " (SQLSTATE " + e.sqlstate + ")";
    out += '\n';
    if (e.position && *e.position > 0 && !statement.empty()) {
        append_position(out, statement, *e.position);
    }
    if (!e.detail.empty()) out += "DETAIL:  " + e.detail + "\n";
    if (!e.hint.empty()) out += "HINT:  " + e.hint + "\n";
    return out;
}

}  // namespace spate::cli
