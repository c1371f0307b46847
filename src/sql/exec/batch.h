#pragma once

// Batch (ad-hoc) execution of a logical plan: pull-based operators that
// yield chunks. Scans read every partition of the relation's topic from the
// log start to the end offsets taken when the scan opens (read_committed),
// so a query sees a consistent batch of stored data; LIMIT stops pulling
// (and reading) early.
//
// Threading: one thread drives an operator tree; `cancelled` may be set
// from any thread and makes the next pull fail with query_canceled.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "kafka/client/config.h"
#include "sql/expr/functions.h"
#include "sql/plan/logical_plan.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql {

class replica_set;

struct batch_env {
    kafka::client::client_config kafka;
    const std::atomic<bool>* cancelled = nullptr;
    eval_context ctx;  // ctx.parameters views parameter_values
    std::vector<value> parameter_values;
    size_t chunk_rows = 4096;
    std::shared_ptr<schema_lookup> schemas;  // registry formats' writer schemas
    // Updating views (relation.upsert_key set) are read from these replicas,
    // waiting up to replica_sync_timeout for them to catch up; null: refused.
    replica_set* replicas = nullptr;
    std::chrono::milliseconds replica_sync_timeout{30000};
};

class batch_operator {
  public:
    virtual ~batch_operator() = default;
    // The next non-empty chunk, or nothing at the end.
    virtual sql_result<std::optional<chunk>> next() = 0;
};
using batch_ptr = std::unique_ptr<batch_operator>;

sql_result<batch_ptr> build_batch(const plan_ptr& plan, const batch_env& env);

// A scan of `scan` (a plan_kind::scan node) over the topic's history.
sql_result<batch_ptr> make_history_scan(const plan_node& scan, const batch_env& env);

// A scan of an updating view from this server's replica (replica_scan.cc).
// `filter`, a predicate over the scan's output directly above it (or null),
// narrows the rows read to the key ranges it implies; it must still run.
sql_result<batch_ptr> make_replica_scan(const plan_node& scan, const expr* filter,
                                        const batch_env& env);

}  // namespace spate::sql
