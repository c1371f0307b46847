#pragma once

// Internal to continuous_query: what a query session (query_impl.h) runs
// over its consumer and producer. The session owns the group membership,
// the transaction and the input offsets; the dataflow turns records into
// records and keeps whatever state lives between commits.
//
// Call order on the query's thread: assigned()/revoked() after the poll in
// which the group changed (revoked() after the open work was aborted);
// process() per polled batch; at a commit prepare_commit() inside the open
// transaction, then committed() once it committed, or aborted() when the
// open work is thrown away (the input is re-read from the committed
// offsets). An error from any call ends the session (a new one starts from
// the committed offsets).

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/client/admin.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "sql/stream/continuous_query.h"
#include "sql/stream/record_router.h"

namespace spate::sql::detail {

class dataflow {
  public:
    virtual ~dataflow() = default;

    // The topics the session subscribes to, and those it writes (their
    // metadata is primed when the session opens).
    virtual std::vector<std::string> topics() const = 0;
    virtual std::vector<std::string> written_topics() const = 0;

    virtual status assigned(const std::vector<kafka::client::topic_partition>& parts,
                            kafka::client::consumer& c) = 0;
    virtual void revoked(const std::vector<kafka::client::topic_partition>& parts) = 0;

    virtual status process(std::span<const kafka::client::message> batch, int64_t now_micros,
                           const record_sink& sink) = 0;

    // Whether to commit at the commit interval even without input.
    virtual bool wants_commit(std::chrono::steady_clock::time_point now) const = 0;
    virtual status prepare_commit(int64_t now_micros, const record_sink& sink) = 0;
    // The metadata to commit with `tp`'s offset.
    virtual std::string offset_metadata(const kafka::client::topic_partition& tp) const = 0;
    // A delivery report of the session's producer.
    virtual void delivered(const kafka::client::delivery_report& r) = 0;
    // Whether delivered() needs the reports of delivered records; false:
    // only failures are reported (the producer then skips a callback per
    // record).
    virtual bool wants_deliveries() const { return true; }
    virtual status committed() = 0;
    virtual void aborted() = 0;
};

// Part 1's stateless query: the record router over every input.
std::unique_ptr<dataflow> make_stateless_dataflow(const query_spec& spec,
                                                  std::unique_ptr<record_router> router);

// A stateful (aggregating) query: stateful_flow.cc. `source_partitions`: the
// input's partition count (also the internal topics').
sql_result<std::unique_ptr<dataflow>> make_stateful_dataflow(const query_spec& spec,
                                                             query_stats& stats,
                                                             int32_t source_partitions,
                                                             int32_t output_partitions);

// Setup of a stateful query (stateful_setup.cc): a stateful query's consumer starts every partition
// without a committed offset at the beginning (its internal topics must be read whole). A source
// starting `latest` therefore gets the group's first offsets committed here, at its end, when the
// group has none yet.
sql_status init_start_offsets(const query_spec& spec, int32_t source_partitions);

}  // namespace spate::sql::detail
