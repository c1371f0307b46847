#include "http/registry_api.h"

#include "http/registry_access.h"
#include "http/registry_json.h"
#include "http/registry_routes.h"

namespace spate::http {

namespace {

using route_fn = response (*)(registry::service&, const request&);

struct route_entry {
    verb method;
    const char* pattern;
    route_fn fn;
    registry_access::rule rule;
};

namespace rr = registry_routes;
using registry_access::scope;
using op = security::acl_operation;
constexpr registry_access::rule k_read{scope::subject, op::read};
constexpr registry_access::rule k_write{scope::subject, op::write};
constexpr registry_access::rule k_delete{scope::subject, op::del};
constexpr registry_access::rule k_describe_configs{scope::subject, op::describe_configs};
constexpr registry_access::rule k_alter_configs{scope::subject, op::alter_configs};
constexpr registry_access::rule k_global_describe{scope::cluster, op::describe_configs};
constexpr registry_access::rule k_global_alter{scope::cluster, op::alter_configs};
constexpr registry_access::rule k_id_read{scope::schema_id, op::read};
constexpr registry_access::rule k_list_describable{scope::listing, op::describe};
constexpr registry_access::rule k_list_readable{scope::listing, op::read};

constexpr route_entry k_routes[] = {
    {verb::get, "/subjects", rr::list_subjects, k_list_describable},
    {verb::post, "/subjects/{subject}", rr::lookup_schema, k_read},
    {verb::delete_, "/subjects/{subject}", rr::delete_subject, k_delete},
    {verb::get, "/subjects/{subject}/versions", rr::list_versions, k_read},
    {verb::post, "/subjects/{subject}/versions", rr::register_schema, k_write},
    {verb::get, "/subjects/{subject}/versions/{version}", rr::get_version, k_read},
    {verb::delete_, "/subjects/{subject}/versions/{version}", rr::delete_version, k_delete},
    {verb::get, "/subjects/{subject}/versions/{version}/schema", rr::get_version_schema, k_read},
    {verb::get, "/subjects/{subject}/versions/{version}/referencedby", rr::referenced_by, k_read},
    {verb::get, "/schemas", rr::list_schemas, k_list_readable},
    {verb::get, "/schemas/ids/{id}", rr::get_schema, k_id_read},
    {verb::get, "/schemas/ids/{id}/schema", rr::get_schema_text, k_id_read},
    {verb::get, "/schemas/ids/{id}/subjects", rr::subjects_of_schema, k_list_describable},
    {verb::get, "/schemas/ids/{id}/versions", rr::versions_of_schema, k_list_describable},
    {verb::get, "/config", rr::get_config, k_global_describe},
    {verb::put, "/config", rr::put_config, k_global_alter},
    {verb::delete_, "/config", rr::delete_config, k_global_alter},
    {verb::get, "/config/{subject}", rr::get_config, k_describe_configs},
    {verb::put, "/config/{subject}", rr::put_config, k_alter_configs},
    {verb::delete_, "/config/{subject}", rr::delete_config, k_alter_configs},
    {verb::get, "/mode", rr::get_mode, k_global_describe},
    {verb::put, "/mode", rr::put_mode, k_global_alter},
    {verb::delete_, "/mode", rr::delete_mode, k_global_alter},
    {verb::get, "/mode/{subject}", rr::get_mode, k_describe_configs},
    {verb::put, "/mode/{subject}", rr::put_mode, k_alter_configs},
    {verb::delete_, "/mode/{subject}", rr::delete_mode, k_alter_configs},
    {verb::post, "/compatibility/subjects/{subject}/versions", rr::check_compatibility, k_read},
    {verb::post, "/compatibility/subjects/{subject}/versions/{version}", rr::check_compatibility,
     k_read},
};

}  // namespace

void add_registry_routes(router& r, registry_source source,
                         std::shared_ptr<identity_model> access) {
    for (const auto& e : k_routes) {
        r.add(e.method, e.pattern, [source, access, fn = e.fn, rule = e.rule](const request& req) {
            auto svc = source();
            if (!svc) return error_response(500, 50001, "The schema registry is not running");
            if (!access) return fn(*svc, req);
            if (auto refused = registry_access::check(*access, rule, req, *svc))
                return std::move(*refused);
            response res = fn(*svc, req);
            registry_access::filter_listing(*access, rule, req, res);
            return res;
        });
    }
    r.add(verb::get, "/", [](const request&) { return json_response(ojson::object()); });
    r.add(verb::get, "/schemas/types", [](const request&) {
        return json_response(ojson::array({"JSON", "PROTOBUF", "AVRO"}));
    });
}

}  // namespace spate::http
