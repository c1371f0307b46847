// open_store: the `_schemas` topic, and the follower that applies it.

#include "registry/store/kafka_store.h"

#include <algorithm>

#include "base/log.h"
#include "kafka/client/admin.h"

namespace spate::registry {

namespace kc = kafka::client;

namespace {

constexpr int k_poll_ms = 50;
constexpr int k_batch = 512;
constexpr int k_fetch_wait_ms = 50;

error with_context(const std::string& what, const error& e) {
    return make_error(e.code, what + ": " + e.message);
}

// Creates the topic unless it exists (a concurrent creator winning the race
// is success); an existing one must have one partition.
status ensure_topic(const store_options& o) {
    auto admin = kc::admin::connect(kafka_store::client(o, "admin"));
    if (!admin.ok()) return with_context("registry: admin client", admin.err());
    auto md = admin->topic(o.topic);
    if (md.ok()) {
        if (md->partitions.size() != 1)
            return make_error(errc::invalid_argument,
                              "registry: topic " + o.topic + " has " +
                                  std::to_string(md->partitions.size()) +
                                  " partitions; the registry needs exactly 1");
        auto configs = admin->describe_configs(kc::resource_type::topic, o.topic);
        if (!configs.ok()) return with_context("registry: topic configs", configs.err());
        for (const auto& c : *configs) {
            if (c.name == "cleanup.policy" && c.value != "compact")
                logging::get("registry")
                    .warn(
                        "registry: topic {} has cleanup.policy={}, not compact: old schemas may be "
                        "deleted",
                        o.topic, c.value.value_or(""));
        }
        return {};
    }
    if (md.err().code != errc::not_found) return with_context("registry: topic metadata", md.err());
    kc::new_topic t{o.topic, 1, 1, {{"cleanup.policy", "compact"}}};
    auto s = admin->create_topic(t);
    if (!s.ok() && s.err().code != errc::already_exists)
        return with_context("registry: create topic " + o.topic, s.err());
    logging::get("registry").info("registry: created topic {}", o.topic);
    return {};
}

}  // namespace

kc::client_config kafka_store::client(const store_options& o, const char* role) {
    kc::client_config c;
    c.bootstrap = o.bootstrap;
    c.client_id = o.node_name + "-registry-" + role;
    c.timeout_ms = o.timeout_ms;
    return c;
}

int kafka_store::ms_left(clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
}

kafka_store::kafka_store(const store_options& o, kc::consumer consumer, provider_lookup providers)
    : state_service(std::move(providers)), _opts(o), _consumer(std::move(consumer)) {}

kafka_store::~kafka_store() {
    {
        std::lock_guard lock(_progress_mu);
        _stop = true;
    }
    _progress_cv.notify_all();
    if (_follower.joinable()) _follower.join();
}

status kafka_store::start(clock::time_point deadline) {
    _follower = std::thread([this] { follow(); });
    auto end = end_offset(deadline);
    if (!end.ok()) return end.err();
    if (!wait_applied(*end, deadline))
        return make_error(errc::timed_out, "registry: reading " + _opts.topic + " to offset " +
                                               std::to_string(*end) + " took longer than " +
                                               std::to_string(_opts.timeout_ms) + " ms");
    logging::get("registry").info("registry: read {} to offset {}", _opts.topic, *end);
    return {};
}

result<int64_t> kafka_store::end_offset(clock::time_point deadline) {
    // A topic created a moment ago may not have a leader yet: ask again.
    for (;;) {
        auto wm = _consumer.query_watermarks({_opts.topic, 0}, std::max(1, ms_left(deadline)));
        if (wm.ok()) return wm->high;
        if (clock::now() >= deadline)
            return with_context("registry: end of " + _opts.topic, wm.err());
        std::unique_lock lock(_progress_mu);
        _progress_cv.wait_for(lock, std::chrono::milliseconds(k_poll_ms),
                              [&] { return _stop.load(); });
        if (_stop) return make_error(errc::shutting_down, "registry: store closing");
    }
}

bool kafka_store::wait_applied(int64_t offset, clock::time_point deadline) {
    std::unique_lock lock(_progress_mu);
    return _progress_cv.wait_until(lock, deadline, [&] { return _applied_to >= offset; });
}

void kafka_store::follow() {
    auto& log = logging::get("registry");
    const kc::topic_partition tp{_opts.topic, 0};
    while (!_stop) {
        auto batch = _consumer.poll_batch(k_batch, k_poll_ms);
        if (!batch.ok()) {
            log.error("registry: reading {} failed: {}; retrying", _opts.topic,
                      batch.err().message);
            std::unique_lock lock(_progress_mu);
            _progress_cv.wait_for(lock, std::chrono::seconds(1), [&] { return _stop.load(); });
            continue;
        }
        apply_messages(*batch);
        int64_t next = batch->empty() ? -1 : batch->back().offset() + 1;
        // Transaction markers and compacted-away offsets are never delivered;
        // the position moves past them.
        auto pos = _consumer.positions({tp});
        if (pos.ok() && !pos->empty()) next = std::max(next, (*pos)[0].offset);
        if (next < 0) continue;
        {
            std::lock_guard lock(_progress_mu);
            if (next <= _applied_to) continue;
            _applied_to = next;
        }
        _progress_cv.notify_all();
    }
}

void kafka_store::apply_messages(const std::vector<kc::message>& batch) {
    auto& log = logging::get("registry");
    std::vector<store_record> records;
    records.reserve(batch.size());
    for (const auto& m : batch) {
        auto r = decode_record(m.key(), m.value());
        if (!r.ok()) {
            log.warn("registry: {} offset {}: malformed record skipped: {}", _opts.topic,
                     m.offset(), r.err().message);
        } else if (!r->has_value()) {
            log.debug("registry: {} offset {}: record of a kind not used here skipped", _opts.topic,
                      m.offset());
        } else {
            records.push_back(std::move(**r));
        }
    }
    apply(records);
}

result<std::shared_ptr<service>> open_store(const store_options& o) {
    return open_kafka_store(o, &provider_for);
}

result<std::shared_ptr<service>> open_kafka_store(const store_options& o,
                                                  provider_lookup providers) {
    const auto deadline = kafka_store::clock::now() + std::chrono::milliseconds(o.timeout_ms);
    SPATE_TRY(ensure_topic(o));
    kc::consumer_options co;
    co.client = kafka_store::client(o, "reader");
    // A writer waits until the follower has passed the end of the topic,
    // which after a commit is a transaction marker the consumer only moves
    // past with its next fetch: keep idle fetches short.
    co.client.properties.emplace_back("fetch.wait.max.ms", std::to_string(k_fetch_wait_ms));
    co.group_id = "spate-schema-registry-" + o.node_name;  // assign only: never joined
    co.isolation = kc::isolation::read_committed;
    co.reset = kc::offset_reset::earliest;
    auto consumer = kc::consumer::create(co);
    if (!consumer.ok()) return with_context("registry: consumer", consumer.err());
    if (auto s = consumer->assign({{o.topic, 0, kc::k_offset_beginning}}); !s.ok())
        return with_context("registry: assign " + o.topic, s.err());
    auto store = std::make_shared<kafka_store>(o, std::move(*consumer), std::move(providers));
    SPATE_TRY(store->start(deadline));
    return std::shared_ptr<service>(std::move(store));
}

}  // namespace spate::registry
