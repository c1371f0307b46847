#include "broker/config_text.h"

#include <cctype>

namespace spate::broker {

std::string trim_blanks(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
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
