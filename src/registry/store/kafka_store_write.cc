// kafka_store::commit: writes serialized across servers by a shared
// transactional id (see kafka_store.h).

#include <algorithm>
#include <random>

#include "base/log.h"
#include "kafka/client/producer.h"
#include "registry/store/kafka_store.h"

namespace spate::registry {

namespace kc = kafka::client;

namespace {

// Shared by every server writing the same topic (suffixed with its name).
constexpr const char* k_writer_id = "spate-schema-registry-writer";
// Kafka's default transaction.timeout.ms; deliveries must not take longer.
constexpr int k_transaction_timeout_ms = 60000;

// Randomized, growing pause between attempts, so that two servers fencing
// each other stop colliding.
std::chrono::milliseconds backoff(int attempt) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(5, 25);
    return std::chrono::milliseconds(jitter(rng) * std::min(attempt, 10));
}

// Produces `records` to partition 0 of `topic` in one transaction and
// commits it; on failure aborts it, since an open transaction would hold
// back every reader of the topic until the next writer's init or its
// timeout.
status transact(kc::producer& producer, const std::string& topic,
                const std::vector<store_record>& records, kafka_store::clock::time_point deadline) {
    std::vector<encoded_record> encoded;
    for (const auto& r : records)
        encoded.push_back(encode_record(r));
    status s = producer.begin_transaction();
    for (size_t i = 0; s.ok() && i < encoded.size(); ++i) {
        kc::outgoing_record out;
        out.topic = topic;
        out.partition = 0;
        out.key = encoded[i].key;
        if (encoded[i].value) out.value = *encoded[i].value;
        s = producer.produce(out);
    }
    if (s.ok()) s = producer.commit_transaction(std::max(1, kafka_store::ms_left(deadline)));
    if (s.ok()) return s;
    const int abort_ms = std::max(1, std::min(1000, kafka_store::ms_left(deadline)));
    if (auto a = producer.abort_transaction(abort_ms); !a.ok())
        logging::get("registry").debug("registry: abort after a failed write: {}", a.err().message);
    return s;
}

}  // namespace

outcome<kafka_store::committed> kafka_store::commit(const planner& plan) {
    std::lock_guard lock(_writer_mu);
    auto& log = logging::get("registry");
    const auto deadline = clock::now() + std::chrono::milliseconds(_opts.timeout_ms);
    std::string last_failure;
    for (int n = 1;; ++n) {
        attempt a = try_commit(plan, deadline);
        if (a.refused) return *a.refused;
        if (!a.failed) return committed{};
        last_failure = a.failed->message;
        log.info("registry: write attempt {} to {} failed: {}", n, _opts.topic, last_failure);
        auto pause = std::min(backoff(n), std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - clock::now()));
        if (pause.count() <= 0)
            return make_registry_error(registry_errc::timeout,
                                       "Write to the registry's topic " + _opts.topic +
                                           " timed out after " + std::to_string(n) +
                                           " attempts; last error: " + last_failure);
        std::this_thread::sleep_for(pause);
    }
}

kafka_store::attempt kafka_store::try_commit(const planner& plan, clock::time_point deadline) {
    // Filled by delivery reports, which run inside this function's producer
    // calls on this thread; declared before the producer, which outlives it
    // otherwise.
    int64_t last_offset = -1;
    kc::producer_options po;
    po.client = client(_opts, "writer");
    po.acks = kc::acks::all;
    po.linger_ms = 0;
    po.transactional_id = std::string(k_writer_id) + "-" + _opts.topic;
    po.delivery_timeout_ms = std::clamp(_opts.timeout_ms, 1000, k_transaction_timeout_ms);
    auto producer = kc::producer::create(po, [&](const kc::delivery_report& d) {
        if (d.result.ok()) last_offset = std::max(last_offset, d.offset);
    });
    if (!producer.ok())
        return {make_registry_error(registry_errc::store_error,
                                    "registry writer: " + producer.err().message),
                std::nullopt};
    // Without the topic's metadata first, librdkafka holds a new producer's
    // first AddPartitionsToTxn back by about a second.
    if (auto n = producer->partition_count(_opts.topic); !n.ok()) return {std::nullopt, n.err()};
    // Fences every other writer; from here until commit, no one else commits.
    if (auto s = producer->init_transactions(std::max(1, ms_left(deadline))); !s.ok())
        return {std::nullopt, s.err()};
    auto end = end_offset(deadline);
    if (!end.ok()) return {std::nullopt, end.err()};
    if (!wait_applied(*end, deadline))
        return {std::nullopt, make_error(errc::timed_out, "state behind the end of the topic")};
    auto records = plan_now(plan);
    if (!records) return {records.err(), std::nullopt};
    if (records->empty()) return {};

    if (auto s = transact(*producer, _opts.topic, *records, deadline); !s.ok())
        return {std::nullopt, s.err()};
    // Written: from here on the write is not retried.
    if (last_offset < 0) {
        auto after = end_offset(deadline);
        if (after.ok()) last_offset = *after - 1;
    }
    if (last_offset < 0 || !wait_applied(last_offset + 1, deadline))
        return {make_registry_error(
                    registry_errc::timeout,
                    "Written to " + _opts.topic + " but not read back before the timeout"),
                std::nullopt};
    return {};
}

}  // namespace spate::registry
