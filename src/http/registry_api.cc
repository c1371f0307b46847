#include "http/registry_api.h"

#include "http/registry_json.h"
#include "http/registry_routes.h"

namespace spate::http {

namespace {

using route_fn = response (*)(registry::service&, const request&);

struct route_entry {
    verb method;
    const char* pattern;
    route_fn fn;
};

namespace rr = registry_routes;

constexpr route_entry k_routes[] = {
    {verb::get, "/subjects", rr::list_subjects},
    {verb::post, "/subjects/{subject}", rr::lookup_schema},
    {verb::delete_, "/subjects/{subject}", rr::delete_subject},
    {verb::get, "/subjects/{subject}/versions", rr::list_versions},
    {verb::post, "/subjects/{subject}/versions", rr::register_schema},
    {verb::get, "/subjects/{subject}/versions/{version}", rr::get_version},
    {verb::delete_, "/subjects/{subject}/versions/{version}", rr::delete_version},
    {verb::get, "/subjects/{subject}/versions/{version}/schema", rr::get_version_schema},
    {verb::get, "/subjects/{subject}/versions/{version}/referencedby", rr::referenced_by},
    {verb::get, "/schemas", rr::list_schemas},
    {verb::get, "/schemas/ids/{id}", rr::get_schema},
    {verb::get, "/schemas/ids/{id}/schema", rr::get_schema_text},
    {verb::get, "/schemas/ids/{id}/subjects", rr::subjects_of_schema},
    {verb::get, "/schemas/ids/{id}/versions", rr::versions_of_schema},
    {verb::get, "/config", rr::get_config},
    {verb::put, "/config", rr::put_config},
    {verb::delete_, "/config", rr::delete_config},
    {verb::get, "/config/{subject}", rr::get_config},
    {verb::put, "/config/{subject}", rr::put_config},
    {verb::delete_, "/config/{subject}", rr::delete_config},
    {verb::get, "/mode", rr::get_mode},
    {verb::put, "/mode", rr::put_mode},
    {verb::delete_, "/mode", rr::delete_mode},
    {verb::get, "/mode/{subject}", rr::get_mode},
    {verb::put, "/mode/{subject}", rr::put_mode},
    {verb::delete_, "/mode/{subject}", rr::delete_mode},
    {verb::post, "/compatibility/subjects/{subject}/versions", rr::check_compatibility},
    {verb::post, "/compatibility/subjects/{subject}/versions/{version}", rr::check_compatibility},
};

}  // namespace

void add_registry_routes(router& r, registry_source source) {
    for (const auto& e : k_routes) {
        r.add(e.method, e.pattern, [source, fn = e.fn](const request& req) {
            auto svc = source();
            if (!svc) return error_response(500, 50001, "The schema registry is not running");
            return fn(*svc, req);
        });
    }
    r.add(verb::get, "/", [](const request&) { return json_response(ojson::object()); });
    r.add(verb::get, "/schemas/types", [](const request&) {
        return json_response(ojson::array({"JSON", "PROTOBUF", "AVRO"}));
    });
}

}  // namespace spate::http
