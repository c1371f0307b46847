#pragma once

// Internal to continuous_query: collects a query session's output records
// and hands them to the producer in batches (producer::produce_batch), so a
// polled batch costs a few librdkafka calls instead of one per row.
//
// Contract: records keep the order add() saw them in; add() copies the
// record (its views need only live for the call). Records with headers or
// timestamps flush what is collected and go out at once. Nothing added is
// produced before flush() (or a flush add() triggers at `max_bytes`), so
// the session flushes after each call that wrote through it and discards
// on abort. Threading: the query's thread only.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/client/producer.h"

namespace spate::sql::detail {

class record_batcher {
  public:
    explicit record_batcher(kafka::client::producer& p, size_t max_bytes = 1 << 20)
        : _producer(p), _max_bytes(max_bytes) {}

    status add(const kafka::client::outgoing_record& r);
    // Produces what was collected; an error leaves some of it unproduced
    // (the caller aborts its transaction).
    status flush();
    // Drops what was collected.
    void discard();

  private:
    struct entry {
        size_t topic = 0, topic_len = 0;
        int64_t key = -1, key_len = 0;  // -1: null
        int64_t value = -1, value_len = 0;
        int32_t partition = 0;
        uint64_t tag = 0;
    };
    int64_t append(std::string_view bytes);

    kafka::client::producer& _producer;
    size_t _max_bytes;
    std::string _bytes;  // every entry's topic, key and value
    std::vector<entry> _entries;
    std::vector<kafka::client::outgoing_record> _records;  // flush()'s, reused
};

}  // namespace spate::sql::detail
