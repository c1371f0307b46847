#include "http/message.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "base/assert.h"
#include "http/json.h"

namespace spate::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

const std::string& request::param(std::string_view name) const {
    for (const auto& [n, v] : params)
        if (n == name) return v;
    SPATE_ASSERT_MSG(false, "a handler asked for a path parameter its route does not have");
    return params.front().second;  // unreachable
}

std::optional<std::string_view> request::query_value(std::string_view name) const {
    for (const auto& [n, v] : query)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

bool request::query_flag(std::string_view name) const {
    auto v = query_value(name);
    return v && iequals(*v, "true");
}

response error_response(unsigned status, int error_code, std::string_view message) {
    nlohmann::json body = {{"error_code", error_code}, {"message", std::string(message)}};
    return response{.status = status, .body = json_text(body)};
}

std::string media_type(std::string_view content_type) {
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
        t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
        t.remove_suffix(1);
    std::string out(t);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace spate::http
