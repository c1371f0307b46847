// The /schemas endpoints.

#include "http/registry_json.h"
#include "http/registry_routes.h"

namespace spate::http::registry_routes {

namespace {

std::string_view subject_query(const request& req) {
    return req.query_value("subject").value_or("");
}

}  // namespace

response get_schema(service& svc, const request& req) {
    auto id = parse_schema_id(req.param("id"));
    if (auto* e = std::get_if<response>(&id)) return std::move(*e);
    auto found = svc.get_schema(std::get<0>(id), subject_query(req));
    return answer(found, [](const registry::id_schema& s) { return to_json(s); });
}

response get_schema_text(service& svc, const request& req) {
    auto id = parse_schema_id(req.param("id"));
    if (auto* e = std::get_if<response>(&id)) return std::move(*e);
    auto found = svc.get_schema(std::get<0>(id), subject_query(req));
    if (!found.ok()) return registry_error_response(found.err());
    return response{.status = 200, .body = found->schema};
}

response subjects_of_schema(service& svc, const request& req) {
    auto id = parse_schema_id(req.param("id"));
    if (auto* e = std::get_if<response>(&id)) return std::move(*e);
    auto subjects = svc.subjects_of(std::get<0>(id), subject_query(req), req.query_flag("deleted"));
    return answer(subjects, [](const std::vector<std::string>& s) { return ojson(s); });
}

response versions_of_schema(service& svc, const request& req) {
    auto id = parse_schema_id(req.param("id"));
    if (auto* e = std::get_if<response>(&id)) return std::move(*e);
    auto versions = svc.versions_of(std::get<0>(id), subject_query(req), req.query_flag("deleted"));
    return answer(versions, [](const std::vector<registry::subject_version>& list) {
        ojson out = ojson::array();
        for (const auto& sv : list)
            out.push_back({{"subject", sv.subject}, {"version", sv.version.value()}});
        return out;
    });
}

response list_schemas(service& svc, const request& req) {
    auto prefix = req.query_value("subjectPrefix").value_or("");
    auto all = svc.list_schemas(prefix, req.query_flag("deleted"), req.query_flag("latestOnly"));
    return answer(all, [](const std::vector<registry::subject_schema>& list) {
        ojson out = ojson::array();
        for (const auto& s : list)
            out.push_back(to_json(s));
        return out;
    });
}

}  // namespace spate::http::registry_routes
