#pragma once

// The Confluent Schema Registry REST API over registry::service, as routes
// at the root of a router: /subjects, /schemas, /config, /mode,
// /compatibility and GET /. Answers are `application/vnd.schemaregistry.v1+json`
// in the shapes Confluent's clients parse; errors carry Confluent's codes
// (HTTP status = error_code / 100 for the registry's 5-digit codes, 409 for
// an incompatible schema, 422 for request bodies that are not the expected
// JSON, 415 for an unsupported Content-Type). docs/architecture.md lists
// the endpoints.
//
// Authorization (with an identity model): Confluent-style subject ACLs on
// resource type SUBJECT, checked for the request's principal before the
// route runs: READ to read a subject's schemas and versions (and lookups and
// compatibility checks), WRITE to register, DELETE to delete,
// DESCRIBE_CONFIGS / ALTER_CONFIGS for /config/{subject} and /mode/{subject};
// the global /config and /mode need DESCRIBE_CONFIGS / ALTER_CONFIGS on the
// cluster. Listings (/subjects, /schemas, a schema's subjects and versions)
// keep only the subjects the principal may DESCRIBE (READ for /schemas); a
// schema by id needs READ on one of its subjects. A refusal answers 403
// (error_code 40301) and is audited as denied.

#include <functional>
#include <memory>

#include "http/auth.h"
#include "http/router.h"
#include "registry/core/service.h"

namespace spate::http {

// The registry to serve, asked per request: nullptr while it is not running
// (then every route answers 500 with error_code 50001).
using registry_source = std::function<std::shared_ptr<registry::service>()>;

// `access` null: no authorization (every request is served).
void add_registry_routes(router& r, registry_source source,
                         std::shared_ptr<identity_model> access = nullptr);

}  // namespace spate::http
