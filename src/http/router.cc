#include "http/router.h"

#include <algorithm>

#include "base/assert.h"

namespace spate::http {

void router::add(verb method, std::string_view pattern, handler h) {
    SPATE_ASSERT_MSG(!pattern.empty() && pattern[0] == '/', "a route pattern starts with '/'");
    route r{method, std::string(pattern), {}, 0, std::move(h)};
    std::string_view rest = pattern.substr(1);
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (!seg.empty() && seg.front() == '{') {
            SPATE_ASSERT_MSG(seg.size() > 2 && seg.back() == '}', "malformed route parameter");
            r.segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
        } else {
            SPATE_ASSERT_MSG(!seg.empty(), "empty route segment");
            r.segments.push_back({std::string(seg), false});
            ++r.literals;
        }
    }
    _routes.push_back(std::move(r));
}

bool router::matches(const route& r, const std::vector<std::string>& segments) {
    if (r.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& s = r.segments[i];
        if (s.is_param ? segments[i].empty() : s.text != segments[i]) return false;
    }
    return true;
}

response router::dispatch(request& req, const std::vector<std::string>& segments) const {
    const route* best = nullptr;
    std::vector<verb> allowed;
    for (const auto& r : _routes) {
        if (!matches(r, segments)) continue;
        if (r.method != req.method) {
            if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end())
                allowed.push_back(r.method);
            continue;
        }
        if (!best || r.literals > best->literals) best = &r;
    }
    if (!best) {
        if (allowed.empty()) return error_response(404, 404, "HTTP 404 Not Found");
        response out = error_response(405, 405, "HTTP 405 Method Not Allowed");
        std::string allow;
        for (verb v : allowed)
            allow += (allow.empty() ? "" : ", ") + std::string(boost::beast::http::to_string(v));
        out.headers.emplace_back("Allow", std::move(allow));
        return out;
    }
    req.params.clear();
    for (size_t i = 0; i < segments.size(); ++i)
        if (best->segments[i].is_param)
            req.params.emplace_back(best->segments[i].text, segments[i]);
    return best->h(req);
}

}  // namespace spate::http
