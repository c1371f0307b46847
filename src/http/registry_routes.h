#pragma once

// Internal to the registry routes: one function per endpoint, each answering
// a request against the running registry (registry_api.cc binds them to
// paths; the path parameters are named `subject`, `version` and `id`).

#include "http/message.h"
#include "registry/core/service.h"

namespace spate::http::registry_routes {

using registry::service;

// registry_subjects.cc
response list_subjects(service& svc, const request& req);
response lookup_schema(service& svc, const request& req);
response delete_subject(service& svc, const request& req);
response list_versions(service& svc, const request& req);
response register_schema(service& svc, const request& req);
response get_version(service& svc, const request& req);
response get_version_schema(service& svc, const request& req);
response referenced_by(service& svc, const request& req);
response delete_version(service& svc, const request& req);

// registry_schemas.cc
response get_schema(service& svc, const request& req);
response get_schema_text(service& svc, const request& req);
response subjects_of_schema(service& svc, const request& req);
response versions_of_schema(service& svc, const request& req);
response list_schemas(service& svc, const request& req);

// registry_config.cc: /config and /mode, global (no `subject` parameter) or
// per subject; /compatibility (with or without `version`).
response get_config(service& svc, const request& req);
response put_config(service& svc, const request& req);
response delete_config(service& svc, const request& req);
response get_mode(service& svc, const request& req);
response put_mode(service& svc, const request& req);
response delete_mode(service& svc, const request& req);
response check_compatibility(service& svc, const request& req);

}  // namespace spate::http::registry_routes
