#include "http/uri.h"

namespace spate::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

result<param_list> parse_query(std::string_view q) {
    param_list out;
    while (!q.empty()) {
        const size_t amp = q.find('&');
        const std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        if (!name.ok()) return name.err();
        std::string value;
        if (eq != std::string_view::npos) {
            auto v = percent_decode(pair.substr(eq + 1), true);
            if (!v.ok()) return v.err();
            value = std::move(v.value());
        }
        out.emplace_back(std::move(name.value()), std::move(value));
    }
    return out;
}

}  // namespace

result<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c == '%') {
            const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
            const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return make_error(errc::invalid_argument,
                                  "invalid percent-encoding in '" + std::string(s) + "'");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[u >> 4];
            out += k_hex[u & 15];
        }
    }
    return out;
}

result<target_parts> parse_target(std::string_view target) {
    if (target.empty() || target[0] != '/')
        return make_error(errc::invalid_argument, "the request target must start with '/'");
    const size_t qm = target.find('?');
    std::string_view path = target.substr(0, qm);
    target_parts out;
    if (qm != std::string_view::npos) {
        auto q = parse_query(target.substr(qm + 1));
        if (!q.ok()) return q.err();
        out.query = std::move(q.value());
    }
    path.remove_prefix(1);
    if (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.empty()) return out;
    for (;;) {
        const size_t slash = path.find('/');
        auto seg = percent_decode(path.substr(0, slash), false);
        if (!seg.ok()) return seg.err();
        out.segments.push_back(std::move(seg.value()));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

}  // namespace spate::http
