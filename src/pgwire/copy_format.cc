#include "pgwire/copy_format.h"

#include "sql/types/text_io.h"

namespace spate::pgwire {

namespace {

void append_text_escaped(std::string_view v, char delimiter, std::string& out) {
    for (char ch : v) {
        switch (ch) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (ch == delimiter) out.push_back('\\');
                out.push_back(ch);
        }
    }
}

void append_csv_field(std::string_view v, char delimiter, std::string& out) {
    bool quote = v.empty() || v == "\\.";
    for (char ch : v)
        if (ch == delimiter || ch == '"' || ch == '\n' || ch == '\r') quote = true;
    if (!quote) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char ch : v) {
        if (ch == '"') out.push_back('"');
        out.push_back(ch);
    }
    out.push_back('"');
}

}  // namespace

void append_copy_row(const sql::chunk& c, size_t row, const sql::copy_out_options& o,
                     std::string& out) {
    std::string text;
    for (size_t i = 0; i < c.width(); ++i) {
        if (i > 0) out.push_back(o.delimiter);
        const sql::column& col = c.at(i);
        if (col.is_null(row)) {
            if (!o.csv) out += "\\N";
            continue;
        }
        text.clear();
        sql::format_text(col, row, text);
        if (o.csv)
            append_csv_field(text, o.delimiter, out);
        else
            append_text_escaped(text, o.delimiter, out);
    }
    out.push_back('\n');
}

void append_copy_header(const std::vector<sql::column_def>& columns, const sql::copy_out_options& o,
                        std::string& out) {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out.push_back(o.delimiter);
        if (o.csv)
            append_csv_field(columns[i].name, o.delimiter, out);
        else
            append_text_escaped(columns[i].name, o.delimiter, out);
    }
    out.push_back('\n');
}

}  // namespace spate::pgwire
