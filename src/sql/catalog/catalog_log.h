#pragma once

// The durable side of the SQL catalog: a compacted internal topic
// (`__spate_catalog`, 1 partition) holding one record per catalog object,
// key = "<kind>/<name>" (e.g. "source/bid"), value = the object's definition
// as JSON (opaque here), a tombstone when the object is dropped.
//
// `load()` reads the topic from its start to its end offset at the time of
// the call and returns the live objects in the order they were last written.
// `put`/`remove` return once the write is acknowledged by all in-sync
// replicas (acks=all, idempotent producer). Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "kafka/client/config.h"
#include "sql/types/error.h"

namespace spate::sql {

inline constexpr const char* k_catalog_topic = "__spate_catalog";

struct catalog_record {
    std::string key;
    std::string definition;
};

class catalog_log {
  public:
    // Creates the topic if missing (1 partition, cleanup.policy=compact,
    // replication as the cluster allows).
    static sql_result<std::unique_ptr<catalog_log>> open(const kafka::client::client_config& c);
    ~catalog_log();

    sql_result<std::vector<catalog_record>> load();
    sql_status put(const catalog_record& r);
    sql_status remove(const std::string& key);

    struct impl;

  private:
    explicit catalog_log(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

}  // namespace spate::sql
