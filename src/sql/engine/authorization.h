#pragma once

// The engine's use of access_policy.h (internal to engine/): which source
// topics a statement reads, and the checks with their refusals.

#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/engine/access_policy.h"
#include "sql/plan/logical_plan.h"
#include "sql/types/error.h"

namespace spate::sql {

// The names of the relations `plan` scans (subqueries included), in order,
// without repeats.
std::vector<std::string> scanned_relations(const plan_ptr& plan);

// The topics of the sources `relations` read: a source's own topic, a
// view's sources through its definition (transitively). Sorted, unique.
std::vector<std::string> source_topics(const std::vector<std::string>& relations,
                                       const catalog& cat);

// insufficient_privilege: `permission denied for topic "t"` (ACCESS needed).
sql_error permission_denied(const std::string& topic, topic_access access);

// READ on every source topic `relations` reach; the first refused topic is
// the error. `policy` null: allowed.
sql_status authorize_reads(access_policy* policy, const access_subject& who,
                           const std::vector<std::string>& relations, const catalog& cat,
                           std::string_view statement);

// READ on one topic (CREATE SOURCE).
sql_status authorize_topic(access_policy* policy, const access_subject& who,
                           const std::string& topic, topic_access access,
                           std::string_view statement);

}  // namespace spate::sql
