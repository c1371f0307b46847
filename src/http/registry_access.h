#pragma once

// Internal to the registry routes: the subject ACL each endpoint checks
// (registry_api.h states the rules) and the filtering of listings.

#include <optional>

#include "http/auth.h"
#include "http/message.h"
#include "registry/core/service.h"
#include "security/acl.h"

namespace spate::http::registry_access {

enum class scope : uint8_t {
    open,       // no check (GET /, /schemas/types)
    subject,    // `op` on the request's {subject}
    cluster,    // `op` on the cluster (global /config and /mode)
    schema_id,  // `op` on one of the subjects holding the request's {id}
    listing,    // the answer keeps the subjects `who` may `op`
};

struct rule {
    scope where = scope::open;
    security::acl_operation op = security::acl_operation::unknown;
};

// 403, error_code 40301, naming the operation and the resource.
response forbidden(security::acl_operation op, security::resource_type type, std::string_view name);

// nullopt: the route may run; otherwise the refusal to answer (audited).
std::optional<response> check(identity_model& access, const rule& r, const request& req,
                              registry::service& svc);

// A listing's answer (a 200 JSON array of subject names, or of objects with
// a "subject"), keeping the entries whose subject `req.peer` may `r.op`.
// Other answers are left as they are.
void filter_listing(identity_model& access, const rule& r, const request& req, response& res);

}  // namespace spate::http::registry_access
