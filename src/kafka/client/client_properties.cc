#include "kafka/client/client_properties.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace spate::kafka::client {

namespace {

constexpr std::string_view k_blanks = " \t\f";

std::string_view ltrim(std::string_view s) {
    size_t b = s.find_first_not_of(k_blanks);
    return b == std::string_view::npos ? std::string_view() : s.substr(b);
}

// The next physical line at `pos` (without its \n, \r or \r\n); advances.
std::string_view next_line(std::string_view text, size_t& pos) {
    size_t eol = text.find_first_of("\r\n", pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    if (eol == std::string_view::npos) {
        pos = text.size();
    } else {
        pos = eol + ((text[eol] == '\r' && eol + 1 < text.size() && text[eol + 1] == '\n') ? 2 : 1);
    }
    return line;
}

bool odd_trailing_backslashes(std::string_view s) {
    size_t n = 0;
    while (n < s.size() && s[s.size() - 1 - n] == '\\')
        ++n;
    return n % 2 == 1;
}

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

result<std::string> unescape(std::string_view raw, int line) {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c != '\\' || i + 1 == raw.size()) {
            if (c != '\\') out += c;
            continue;
        }
        c = raw[++i];
        switch (c) {
            case 't':
                out += '\t';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                unsigned cp = 0;
                bool good = i + 4 < raw.size();
                for (size_t k = 1; good && k <= 4; ++k) {
                    char h = raw[i + k];
                    int d = h >= '0' && h <= '9'   ? h - '0'
                            : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                   : -1;
                    good = d >= 0;
                    cp = cp * 16 + static_cast<unsigned>(d);
                }
                if (!good || (cp >= 0xD800 && cp <= 0xDFFF))
                    return make_error(errc::invalid_argument,
                                      "line " + std::to_string(line) + ": bad \\u escape");
                append_utf8(out, cp);
                i += 4;
                break;
            }
            default:
                out += c;
        }
    }
    return out;
}

// "key=value", "key: value", "key value" (a logical line, escapes intact).
result<property_line> split_entry(std::string_view s, int line) {
    size_t i = 0;
    while (i < s.size() && s[i] != '=' && s[i] != ':' && k_blanks.find(s[i]) == s.npos)
        i += s[i] == '\\' ? 2 : 1;
    i = std::min(i, s.size());
    std::string_view key = s.substr(0, i);
    std::string_view rest = ltrim(s.substr(i));
    if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = ltrim(rest.substr(1));
    // Trailing blanks go too, unless escaped.
    while (!rest.empty() && k_blanks.find(rest.back()) != rest.npos &&
           !odd_trailing_backslashes(rest.substr(0, rest.size() - 1)))
        rest.remove_suffix(1);
    auto k = unescape(key, line);
    SPATE_TRY(k);
    auto v = unescape(rest, line);
    SPATE_TRY(v);
    return property_line{std::move(*k), std::move(*v), line};
}

using setter = std::function<status(client_config&, const std::string&)>;

error bad_value(const std::string& value, const std::string& valid) {
    return make_error(errc::invalid_argument,
                      "invalid value '" + value + "' (valid: " + valid + ")");
}

setter text_field(std::string client_config::*field) {
    return [field](client_config& c, const std::string& v) -> status {
        c.*field = v;
        return {};
    };
}

const std::vector<std::pair<std::string, setter>>& known_keys() {
    static const std::vector<std::pair<std::string, setter>> keys = {
        {"security.protocol",
         [](client_config& c, const std::string& v) -> status {
             auto p = parse_security_protocol(v);
             if (!p) return bad_value(v, "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
             c.security_protocol = *p;
             return {};
         }},
        {"sasl.mechanism",
         [](client_config& c, const std::string& v) -> status {
             auto m = parse_sasl_mechanism(v);
             if (!m) return bad_value(v, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
             c.sasl_mechanism = *m;
             return {};
         }},
        {"sasl.username", text_field(&client_config::sasl_username)},
        {"sasl.password", text_field(&client_config::sasl_password)},
        {"ssl.ca.location", text_field(&client_config::ssl_ca_location)},
        {"ssl.certificate.location", text_field(&client_config::ssl_certificate_location)},
        {"ssl.key.location", text_field(&client_config::ssl_key_location)},
        {"ssl.key.password", text_field(&client_config::ssl_key_password)},
        {"ssl.endpoint.identification.algorithm",
         [](client_config& c, const std::string& v) -> status {
             if (v != "https" && v != "none" && !v.empty())
                 return bad_value(v, "https, none, empty");
             c.ssl_verify_hostname = v == "https";
             return {};
         }},
    };
    return keys;
}

std::string known_key_list() {
    std::string out;
    for (const auto& [k, _] : known_keys())
        out += (out.empty() ? "" : ", ") + k;
    return out;
}

error unknown_key(const std::string& key) {
    std::string msg = "unknown key '" + key + "'";
    if (key == "sasl.jaas.config") msg += " (give sasl.username and sasl.password instead)";
    if (key == "sasl.mechanisms") msg += " (did you mean sasl.mechanism?)";
    if (key == "bootstrap.servers") msg += " (the bootstrap address is given on its own)";
    return make_error(errc::invalid_argument, msg + "; known keys: " + known_key_list());
}

// The whole configuration's checks (after every key was applied).
status check_complete(const client_config& c) {
    auto missing = [](const char* key, const char* why) {
        return make_error(errc::invalid_argument, std::string(key) + " is required " + why);
    };
    if (uses_sasl(c.security_protocol)) {
        const std::string why =
            std::string("with security.protocol=") + security_protocol_name(c.security_protocol);
        if (c.sasl_username.empty()) return missing("sasl.username", why.c_str());
        if (c.sasl_password.empty()) return missing("sasl.password", why.c_str());
    }
    if (!uses_tls(c.security_protocol)) return {};
    if (c.ssl_certificate_location.empty() != c.ssl_key_location.empty())
        return make_error(errc::invalid_argument,
                          "ssl.certificate.location and ssl.key.location go together");
    for (auto [key, path] : {std::pair{"ssl.ca.location", &c.ssl_ca_location},
                             {"ssl.certificate.location", &c.ssl_certificate_location},
                             {"ssl.key.location", &c.ssl_key_location}}) {
        if (!path->empty() && ::access(path->c_str(), R_OK) != 0)
            return make_error(errc::invalid_argument,
                              std::string(key) + ": cannot read '" + *path + "'");
    }
    return {};
}

}  // namespace

result<std::vector<property_line>> parse_properties_text(std::string_view text) {
    std::vector<property_line> out;
    size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        std::string_view phys = ltrim(next_line(text, pos));
        ++lineno;
        if (phys.empty() || phys[0] == '#' || phys[0] == '!') continue;
        const int start = lineno;
        std::string logical;
        for (;;) {
            bool more = odd_trailing_backslashes(phys);
            if (more) phys.remove_suffix(1);
            logical += phys;
            if (!more || pos >= text.size()) break;
            phys = ltrim(next_line(text, pos));
            ++lineno;
        }
        auto entry = split_entry(logical, start);
        SPATE_TRY(entry);
        out.push_back(std::move(*entry));
    }
    return out;
}

status apply_client_properties(client_config& c, const std::vector<property_line>& props,
                               const std::string& source) {
    client_config next = c;
    for (const auto& p : props) {
        const std::string where = source + ":" + std::to_string(p.line) + ": ";
        const setter* set = nullptr;
        for (const auto& [k, s] : known_keys())
            if (k == p.key) set = &s;
        if (set == nullptr) {
            error e = unknown_key(p.key);
            return make_error(e.code, where + e.message);
        }
        if (auto s = (*set)(next, p.value); !s.ok())
            return make_error(s.err().code, where + p.key + ": " + s.err().message);
    }
    if (auto s = check_complete(next); !s.ok())
        return make_error(s.err().code, source + ": " + s.err().message);
    c = std::move(next);
    return {};
}

status load_client_properties(client_config& c, const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return make_error(errc::io_error, "cannot read " + path + ": a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(errc::io_error, "cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return make_error(errc::io_error, "cannot read " + path);
    auto props = parse_properties_text(text.str());
    if (!props.ok()) return make_error(props.err().code, path + ": " + props.err().message);
    return apply_client_properties(c, *props, path);
}

}  // namespace spate::kafka::client
