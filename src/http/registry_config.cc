// The /config, /mode and /compatibility endpoints.

#include <algorithm>
#include <cctype>

#include "http/registry_json.h"
#include "http/registry_routes.h"

namespace spate::http::registry_routes {

namespace {

// The `subject` path parameter; unset on the global routes.
std::optional<std::string_view> subject_of(const request& req) {
    for (const auto& [name, value] : req.params)
        if (name == "subject") return std::string_view(value);
    return std::nullopt;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// The string field `name` (the first of `names` present) of the body, or the
// error to answer: 422 when the body is no JSON object or the field is not a
// string; `missing` when no field is there.
parsed<std::string> string_field(const request& req, std::initializer_list<const char*> names,
                                 const response& missing) {
    auto body = parse_json_object(req);
    if (auto* e = std::get_if<response>(&body)) return std::move(*e);
    const auto& j = std::get<nlohmann::json>(body);
    for (const char* name : names) {
        auto it = j.find(name);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_string())
            return error_response(422, 422, std::string("Field '") + name + "' must be a string");
        return it->get<std::string>();
    }
    return missing;
}

ojson level_json(const char* key, registry::compat_level l) {
    return ojson{{key, std::string(registry::compat_level_name(l))}};
}

ojson mode_json(registry::registry_mode m) {
    return ojson{{"mode", std::string(registry::mode_name(m))}};
}

}  // namespace

response get_config(service& svc, const request& req) {
    auto subject = subject_of(req);
    auto level = svc.get_config(subject, !subject || req.query_flag("defaultToGlobal"));
    return answer(level,
                  [](registry::compat_level l) { return level_json("compatibilityLevel", l); });
}

response put_config(service& svc, const request& req) {
    const response invalid =
        error_response(422, 42203,
                       "Invalid compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
                       "FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE");
    auto text = string_field(req, {"compatibility", "compatibilityLevel"}, invalid);
    if (auto* e = std::get_if<response>(&text)) return std::move(*e);
    auto level = registry::parse_compat_level(upper(std::get<std::string>(text)));
    if (!level) return invalid;
    auto set = svc.set_config(subject_of(req), *level);
    return answer(set, [](registry::compat_level l) { return level_json("compatibility", l); });
}

response delete_config(service& svc, const request& req) {
    auto old = svc.delete_config(subject_of(req));
    return answer(old,
                  [](registry::compat_level l) { return level_json("compatibilityLevel", l); });
}

response get_mode(service& svc, const request& req) {
    auto subject = subject_of(req);
    auto mode = svc.get_mode(subject, !subject || req.query_flag("defaultToGlobal"));
    return answer(mode, mode_json);
}

response put_mode(service& svc, const request& req) {
    const response invalid = error_response(
        422, 42204, "Invalid mode: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT");
    auto text = string_field(req, {"mode"}, invalid);
    if (auto* e = std::get_if<response>(&text)) return std::move(*e);
    auto mode = registry::parse_mode(upper(std::get<std::string>(text)));
    if (!mode) return invalid;
    auto set = svc.set_mode(subject_of(req), *mode, req.query_flag("force"));
    return answer(set, mode_json);
}

response delete_mode(service& svc, const request& req) {
    auto subject = subject_of(req);
    if (subject) return answer(svc.delete_mode(*subject), mode_json);
    // The global mode has no "unset": deleting it goes back to READWRITE.
    auto old = svc.get_mode(std::nullopt, true);
    if (!old.ok()) return registry_error_response(old.err());
    auto set = svc.set_mode(std::nullopt, registry::registry_mode::readwrite, false);
    if (!set.ok()) return registry_error_response(set.err());
    return json_response(mode_json(old.value()));
}

response check_compatibility(service& svc, const request& req) {
    std::optional<registry::version_selector> against;
    for (const auto& [name, value] : req.params) {
        if (name != "version") continue;
        auto v = parse_version(value);
        if (auto* e = std::get_if<response>(&v)) return std::move(*e);
        against = std::get<0>(v);
    }
    auto body = parse_schema_body(req);
    if (auto* e = std::get_if<response>(&body)) return std::move(*e);
    const bool verbose = req.query_flag("verbose");
    auto report = svc.check(req.param("subject"), against, std::get<schema_body>(body).input,
                            req.query_flag("normalize"));
    return answer(report, [verbose](const registry::compat_report& r) {
        ojson out = {{"is_compatible", r.compatible}};
        if (verbose) out["messages"] = r.messages;
        return out;
    });
}

}  // namespace spate::http::registry_routes
