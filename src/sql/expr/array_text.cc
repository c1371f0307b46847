#include "sql/expr/array_text.h"

#include <strings.h>

namespace spate::sql {

void append_array_element(std::string_view text, std::string& out) {
    bool quote = text.empty() || (text.size() == 4 && strncasecmp(text.data(), "null", 4) == 0);
    for (char c : text)
        quote |= c == '{' || c == '}' || c == '"' || c == ',' || c == '\\' || c == ' ' ||
                 c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (!quote) {
        out.append(text);
        return;
    }
    out += '"';
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

}  // namespace spate::sql
