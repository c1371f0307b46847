#include "broker/config_text.h"

#include <algorithm>
#include <cctype>

namespace spate::broker {

std::string trim_blanks(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = std::min(s.find(sep, start), s.size());
        auto item = trim_blanks(s.substr(start, end - start));
        if (!item.empty()) out.push_back(std::move(item));
        start = end + 1;
    }
    return out;
}

std::string lower_ascii(std::string s) {
    for (auto& ch : s)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::function<bool(const broker_config&)> in_file(const std::string& name) {
    return [name](const broker_config& c) { return c.file_settings.contains(name); };
}

}  // namespace spate::broker
