#pragma once

// Opens the registry over a Kafka cluster's `_schemas` topic (through
// kafka/client only). The topic is created when missing (1 partition,
// cleanup.policy=compact); records use Confluent's key/value JSON layout
// (docs/formats/schemas.md), so a Confluent registry and Spate read each
// other's topic.
//
// open_store() returns once the state has read the topic to its end; a
// background thread keeps following it (writes of other servers appear
// within milliseconds). Writes are serialized across servers sharing the
// topic. The returned service stays valid until the last reference goes;
// its destructor stops the follower thread.

#include <memory>
#include <string>

#include "base/result.h"
#include "registry/core/service.h"

namespace spate::registry {

struct store_options {
    std::string bootstrap;           // HOST:PORT of the cluster
    std::string topic = "_schemas";  // Confluent's kafkastore.topic default
    // Names this server in client ids and the writers' transactional id.
    std::string node_name = "spate";
    int timeout_ms = 30000;  // bound on start-up reads and on each write
};

result<std::shared_ptr<service>> open_store(const store_options& o);

}  // namespace spate::registry
