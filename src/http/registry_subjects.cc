// The /subjects endpoints.

#include "http/registry_json.h"
#include "http/registry_routes.h"

namespace spate::http::registry_routes {

namespace {

ojson version_list(const std::vector<registry::schema_version>& vs) {
    ojson out = ojson::array();
    for (auto v : vs)
        out.push_back(v.value());
    return out;
}

}  // namespace

response list_subjects(service& svc, const request& req) {
    auto prefix = req.query_value("subjectPrefix").value_or("");
    auto subjects = svc.subjects(prefix, req.query_flag("deleted"));
    return answer(subjects, [](const std::vector<std::string>& s) { return ojson(s); });
}

response lookup_schema(service& svc, const request& req) {
    auto body = parse_schema_body(req);
    if (auto* e = std::get_if<response>(&body)) return std::move(*e);
    const auto& in = std::get<schema_body>(body).input;
    auto found = svc.lookup(req.param("subject"), in, req.query_flag("normalize"),
                            req.query_flag("deleted"));
    return answer(found, [](const registry::subject_schema& s) { return to_json(s); });
}

response delete_subject(service& svc, const request& req) {
    auto deleted = svc.delete_subject(req.param("subject"), req.query_flag("permanent"));
    return answer(deleted, version_list);
}

response list_versions(service& svc, const request& req) {
    auto versions = svc.versions(req.param("subject"), req.query_flag("deleted"));
    return answer(versions, version_list);
}

response register_schema(service& svc, const request& req) {
    auto body = parse_schema_body(req);
    if (auto* e = std::get_if<response>(&body)) return std::move(*e);
    const auto& b = std::get<schema_body>(body);
    registry::register_options o;
    o.normalize = req.query_flag("normalize");
    if (b.id) o.id = registry::schema_id(*b.id);
    if (b.version) o.version = registry::schema_version(*b.version);
    auto registered = svc.register_schema(req.param("subject"), b.input, o);
    return answer(registered, [](const registry::subject_schema& s) {
        return ojson{{"id", s.id.value()}};
    });
}

response get_version(service& svc, const request& req) {
    auto v = parse_version(req.param("version"));
    if (auto* e = std::get_if<response>(&v)) return std::move(*e);
    auto found = svc.get_version(req.param("subject"), std::get<0>(v), req.query_flag("deleted"));
    return answer(found, [](const registry::subject_schema& s) { return to_json(s); });
}

response get_version_schema(service& svc, const request& req) {
    auto v = parse_version(req.param("version"));
    if (auto* e = std::get_if<response>(&v)) return std::move(*e);
    auto found = svc.get_version(req.param("subject"), std::get<0>(v), req.query_flag("deleted"));
    if (!found.ok()) return registry_error_response(found.err());
    return response{.status = 200, .body = found->schema};
}

response referenced_by(service& svc, const request& req) {
    auto v = parse_version(req.param("version"));
    if (auto* e = std::get_if<response>(&v)) return std::move(*e);
    auto ids = svc.referenced_by(req.param("subject"), std::get<0>(v));
    return answer(ids, [](const std::vector<registry::schema_id>& list) {
        ojson out = ojson::array();
        for (auto id : list)
            out.push_back(id.value());
        return out;
    });
}

response delete_version(service& svc, const request& req) {
    auto v = parse_version(req.param("version"));
    if (auto* e = std::get_if<response>(&v)) return std::move(*e);
    auto deleted =
        svc.delete_version(req.param("subject"), std::get<0>(v), req.query_flag("permanent"));
    return answer(deleted, [](registry::schema_version n) { return ojson(n.value()); });
}

}  // namespace spate::http::registry_routes
