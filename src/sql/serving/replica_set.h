#pragma once

// The view replicas of one server, by view name: started on the first read
// of an updating view (its relation has an upsert key), kept while the view
// exists, stopped when it is dropped or the engine stops.
//
// Threading: any thread. Replicas are shared: a reader keeps its replica
// alive after drop() (its subscription then ends with an error).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kafka/client/config.h"
#include "sql/catalog/catalog.h"
#include "sql/serving/view_replica.h"

namespace spate::sql {

class replica_set {
  public:
    explicit replica_set(kafka::client::client_config kafka) : _kafka(std::move(kafka)) {}
    ~replica_set() { stop_all(); }

    // The replica of `view` (a relation with an upsert key), started if
    // needed.
    sql_result<std::shared_ptr<view_replica>> get(const relation_def& view);
    void drop(const std::string& view);
    void stop_all();

  private:
    const kafka::client::client_config _kafka;
    std::mutex _mu;
    std::map<std::string, std::shared_ptr<view_replica>> _replicas;  // guarded by _mu
};

}  // namespace spate::sql
