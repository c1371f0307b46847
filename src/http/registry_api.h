#pragma once

// The Confluent Schema Registry REST API over registry::service, as routes
// at the root of a router: /subjects, /schemas, /config, /mode,
// /compatibility and GET /. Answers are `application/vnd.schemaregistry.v1+json`
// in the shapes Confluent's clients parse; errors carry Confluent's codes
// (HTTP status = error_code / 100 for the registry's 5-digit codes, 409 for
// an incompatible schema, 422 for request bodies that are not the expected
// JSON, 415 for an unsupported Content-Type). docs/architecture.md lists
// the endpoints.

#include <functional>
#include <memory>

#include "http/router.h"
#include "registry/core/service.h"

namespace spate::http {

// The registry to serve, asked per request: nullptr while it is not running
// (then every route answers 500 with error_code 50001).
using registry_source = std::function<std::shared_ptr<registry::service>()>;

void add_registry_routes(router& r, registry_source source);

}  // namespace spate::http
