#pragma once

// The one identity model on the SQL side (issue 14), wired over the local
// broker: pgwire's client authentication against the Kafka users of
// __spate_credentials with every outcome in the audit log, and the SQL
// engine's access_policy over the broker's authorizer (Kafka's ACLs and
// super.users; refusals audited as denied).
//
// Both resolve the broker's parts at each call through `kafka`, which
// yields nullptr before the Kafka service started or without a local
// broker: no users (every login fails) and no ACL checks then.
//
// Threading: every function may be called from any thread.

#include <functional>
#include <memory>

#include "broker/kafka_service.h"
#include "pgwire/auth.h"
#include "sql/engine/access_policy.h"

namespace spate::app {

using kafka_lookup = std::function<broker::kafka_service*()>;

// pgwire's auth_options for `settings` (spate.pgwire.*) over `kafka`'s
// users and audit log; `failed_delay_ms`:
// connection.failed.authentication.delay.ms.
pgwire::auth_options pg_auth_options(const broker::pgwire_settings& settings,
                                     int32_t failed_delay_ms, kafka_lookup kafka);

// The SQL engine's access policy over `kafka`'s authorizer.
std::shared_ptr<sql::access_policy> make_sql_access_policy(kafka_lookup kafka);

}  // namespace spate::app
