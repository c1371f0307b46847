#pragma once

// Internal to the module: the librdkafka handle behind a consumer, for the
// producer's send_offsets_to_transaction.

#include <librdkafka/rdkafka.h>

#include "kafka/client/consumer.h"

namespace spate::kafka::client {

rd_kafka_t* native_handle(const consumer& c);

}  // namespace spate::kafka::client
