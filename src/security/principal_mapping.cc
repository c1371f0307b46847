#include "security/principal_mapping.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace spate::security {

struct principal_mapper::rule {
    bool is_default = false;
    std::regex pattern;
    std::string replacement;
    char case_flag = 0;  // 'L', 'U' or 0
};

namespace {

// Reads up to the next unescaped '/' from `pos`; "\/" becomes '/'.
result<std::string> until_slash(std::string_view s, size_t& pos) {
    std::string out;
    while (pos < s.size()) {
        if (s[pos] == '\\' && pos + 1 < s.size() && s[pos + 1] == '/') {
            out += '/';
            pos += 2;
            continue;
        }
        if (s[pos] == '/') {
            ++pos;
            return out;
        }
        out += s[pos++];
    }
    return make_error(errc::invalid_argument, "unterminated RULE (expected '/')");
}

error bad_rules(std::string_view rules, size_t pos, const std::string& why) {
    return make_error(errc::invalid_argument, "ssl.principal.mapping.rules at character " +
                                                  std::to_string(pos + 1) + " of '" +
                                                  std::string(rules) + "': " + why);
}

}  // namespace

result<principal_mapper> principal_mapper::parse(std::string_view rules) {
    principal_mapper m;
    size_t pos = 0;
    auto skip_space = [&] {
        while (pos < rules.size() && std::isspace(static_cast<unsigned char>(rules[pos])))
            ++pos;
    };
    skip_space();
    while (pos < rules.size()) {
        auto r = std::make_shared<rule>();
        size_t start = pos;
        if (rules.substr(pos).starts_with("DEFAULT")) {
            r->is_default = true;
            pos += 7;
        } else if (rules.substr(pos).starts_with("RULE:")) {
            pos += 5;
            auto pattern = until_slash(rules, pos);
            if (!pattern.ok()) return bad_rules(rules, start, pattern.err().message);
            auto replacement = until_slash(rules, pos);
            if (!replacement.ok()) return bad_rules(rules, start, replacement.err().message);
            try {
                r->pattern = std::regex(pattern.value());
            } catch (const std::regex_error& e) {
                return bad_rules(rules, start, "invalid pattern: " + std::string(e.what()));
            }
            r->replacement = std::move(replacement).value();
            if (pos < rules.size() && (rules[pos] == 'L' || rules[pos] == 'U'))
                r->case_flag = rules[pos++];
        } else {
            return bad_rules(rules, start, "expected RULE:... or DEFAULT");
        }
        m._rules.push_back(std::move(r));
        skip_space();
        if (pos < rules.size() && rules[pos] != ',')
            return bad_rules(rules, pos, "expected ',' between rules");
        if (pos < rules.size()) ++pos;
        skip_space();
    }
    if (m._rules.empty()) return bad_rules(rules, 0, "no rules");
    return m;
}

result<std::string> principal_mapper::map(std::string_view dn) const {
    std::string name(dn);
    for (const auto& r : _rules) {
        if (r->is_default) return name;
        if (!std::regex_match(name, r->pattern)) continue;
        std::string out = std::regex_replace(name, r->pattern, r->replacement,
                                             std::regex_constants::format_first_only);
        if (r->case_flag == 'L')
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
        if (r->case_flag == 'U')
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char c) { return char(std::toupper(c)); });
        if (out.empty())
            return make_error(errc::invalid_argument,
                              "principal mapping of '" + name + "' gave an empty name");
        return out;
    }
    return make_error(errc::not_found, "no principal mapping rule applies to '" + name + "'");
}

}  // namespace spate::security
