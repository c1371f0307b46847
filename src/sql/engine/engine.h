#pragma once

// The SQL engine: the catalog (mirrored in `__spate_catalog`), the running
// continuous queries, and sessions for front ends (session.h). Reaches
// Kafka only through kafka/client, so it runs the same against the
// embedded broker or any Kafka cluster (`spate serve --bootstrap`).
//
// start() loads the catalog topic and resumes every view and sink where its
// last committed transaction ended. Thread-safe: sessions on many threads
// share one engine; DDL is serialised by the engine's lock.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kafka/client/config.h"
#include "registry/core/service.h"
#include "sql/catalog/catalog.h"
#include "sql/catalog/catalog_log.h"
#include "sql/engine/access_policy.h"
#include "sql/engine/registry_ddl.h"
#include "sql/engine/session.h"
#include "sql/parse/parser.h"
#include "sql/serving/replica_set.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

struct engine_options {
    kafka::client::client_config kafka;
    std::string node_id = "0";  // distinguishes this server's transactional ids
    int default_commit_interval_ms = 100;
    // The schema registry behind the avro, protobuf and json_sr formats;
    // null: those formats are refused.
    std::shared_ptr<registry::service> registry;
    // Where stateful queries keep their tasks' RocksDB: <state_dir>/<query
    // id>/p<partition>. Their state is also in Kafka (a changelog topic per
    // query), so the directory may be wiped: it is rebuilt from there.
    std::string state_dir = "spate-sql-state";
    // Who may read and write which topics (access_policy.h); null: every
    // session may read and write every topic.
    std::shared_ptr<access_policy> access;
};

struct statement_outcome;

class engine : public session_factory, public std::enable_shared_from_this<engine> {
  public:
    static sql_result<std::shared_ptr<engine>> start(engine_options o);
    ~engine() override;

    sql_result<std::unique_ptr<session>> open(const session_options& o) override;
    // Stops every continuous query (their open transactions abort).
    void stop();

    const engine_options& options() const { return _options; }
    const catalog& objects() const { return _catalog; }
    // Writer schemas by id for decoders; null without a registry.
    const std::shared_ptr<schema_lookup>& schemas() const { return _registry.lookup; }

    // DDL, called by sessions (serialised here). `who` must be allowed to
    // read the sources the object reads (and a sink to write its topic);
    // otherwise insufficient_privilege and nothing changes.
    sql_status create_source(const parsed_statement& s, const access_subject& who);
    sql_status create_view(const parsed_statement& s, const access_subject& who);
    sql_status create_sink(const parsed_statement& s, const access_subject& who);
    // The access policy (null: everything allowed).
    access_policy* access() const { return _options.access.get(); }
    // Drops `names` of `kind`; `cascade` drops dependents first.
    sql_status drop(catalog_kind kind, const std::vector<std::string>& names, bool if_exists,
                    bool cascade);
    // Status of a view's or sink's query ("running", or its last error).
    std::string query_status(const std::string& name) const;
    // Per-operator figures of a running view's or sink's query on this
    // server (EXPLAIN ANALYZE). Errors: undefined_object when none runs.
    sql_result<std::vector<operator_stats>> query_operators(const std::string& name) const;
    // This server's replicas of updating views (ad-hoc reads, SUBSCRIBE).
    replica_set& replicas() { return _replicas; }

  private:
    explicit engine(engine_options o);
    sql_status resume(const catalog_object& o);
    sql_status start_query(const catalog_object& o);
    sql_status drop_one(const std::string& name, bool cascade);
    void discard_view_topic(const catalog_object& o) const;
    sql_status persist_and_start(catalog_object o);
    // CREATE SINK's topic: WRITE, and CREATE when it does not exist yet.
    sql_status authorize_sink_topic(const parsed_statement& s, const access_subject& who);

    engine_options _options;
    schema_registry_ref _registry;
    catalog _catalog;
    std::unique_ptr<catalog_log> _log;
    mutable std::mutex _ddl;
    std::map<std::string, std::unique_ptr<continuous_query>> _queries;
    replica_set _replicas;
};

}  // namespace spate::sql
