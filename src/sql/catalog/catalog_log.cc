#include "sql/catalog/catalog_log.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "base/log.h"
#include "kafka/client/admin.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

sql_error io_error(const std::string& what, const error& e) {
    return make_error(sql_errc::io_error, what + ": " + e.message);
}

// Creates the catalog topic unless it exists; a concurrent creator winning
// the race is success.
sql_status ensure_topic(const kc::client_config& c) {
    auto admin = kc::admin::connect(c);
    if (!admin.ok()) return io_error("catalog: admin client", admin.err());
    auto md = admin->topic(k_catalog_topic);
    if (md.ok()) return {};
    if (md.err().code != errc::not_found) return io_error("catalog: topic metadata", md.err());
    kc::new_topic t{k_catalog_topic, 1, 1, {{"cleanup.policy", "compact"}}};
    auto s = admin->create_topic(t);
    if (!s.ok() && s.err().code != errc::already_exists)
        return io_error("catalog: create topic", s.err());
    return {};
}

}  // namespace

struct catalog_log::impl {
    kc::client_config config;
    std::mutex mu;  // serialises writes; the producer is used by one thread at a time
    std::optional<kc::producer> producer;
    // The delivery outcome of write number `tag` (reports of earlier,
    // timed-out writes are ignored); set by the callback, under mu.
    uint64_t tag = 0;
    status last_delivery;

    void on_delivery(const kc::delivery_report& d) {
        if (d.tag == tag) last_delivery = d.result;
    }

    sql_status write(const std::string& key, std::optional<std::string_view> value) {
        std::lock_guard lock(mu);
        last_delivery = make_error(errc::io_error, "no delivery report");
        kc::outgoing_record r;
        r.tag = ++tag;
        r.topic = k_catalog_topic;
        r.partition = 0;
        r.key = key;
        r.value = value;
        if (auto s = producer->produce(r); !s.ok()) return io_error("catalog: produce", s.err());
        if (auto s = producer->flush(config.timeout_ms); !s.ok())
            return io_error("catalog: flush", s.err());
        if (!last_delivery.ok())
            return io_error("catalog: write of '" + key + "'", last_delivery.err());
        return {};
    }
};

catalog_log::catalog_log(std::unique_ptr<impl> p) : _impl(std::move(p)) {}
catalog_log::~catalog_log() = default;

sql_result<std::unique_ptr<catalog_log>> catalog_log::open(const kc::client_config& c) {
    if (auto s = ensure_topic(c); !s.ok()) return s.error();
    auto p = std::make_unique<impl>();
    p->config = c;
    kc::producer_options po;
    po.client = c;
    po.acks = kc::acks::all;
    po.idempotent = true;
    po.linger_ms = 0;
    impl* raw = p.get();
    auto prod =
        kc::producer::create(po, [raw](const kc::delivery_report& d) { raw->on_delivery(d); });
    if (!prod.ok()) return io_error("catalog: producer", prod.err());
    p->producer.emplace(std::move(*prod));
    return std::unique_ptr<catalog_log>(new catalog_log(std::move(p)));
}

sql_status catalog_log::put(const catalog_record& r) {
    return _impl->write(r.key, std::string_view(r.definition));
}

sql_status catalog_log::remove(const std::string& key) {
    return _impl->write(key, std::nullopt);
}

sql_result<std::vector<catalog_record>> catalog_log::load() {
    const auto& c = _impl->config;
    kc::consumer_options co;
    co.client = c;
    co.group_id = "spate-catalog-loader";  // never joined nor committed (assign only)
    co.isolation = kc::isolation::read_committed;
    co.reset = kc::offset_reset::earliest;
    auto cons = kc::consumer::create(co);
    if (!cons.ok()) return io_error("catalog: consumer", cons.err());
    kc::topic_partition tp{k_catalog_topic, 0};
    auto wm = cons->query_watermarks(tp, c.timeout_ms);
    if (!wm.ok()) return io_error("catalog: watermarks", wm.err());
    // Last write per key wins; `order` ranks keys by their last write.
    std::map<std::string, std::pair<int64_t, std::string>> live;
    if (wm->high > wm->low) {
        if (auto s = cons->assign({{k_catalog_topic, 0, kc::k_offset_beginning}}); !s.ok())
            return io_error("catalog: assign", s.err());
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(c.timeout_ms);
        int64_t next = wm->low;
        while (next < wm->high) {
            if (std::chrono::steady_clock::now() > deadline)
                return make_error(sql_errc::io_error,
                                  "catalog: timed out reading " + std::string(k_catalog_topic));
            auto batch = cons->poll_batch(1024, 100);
            if (!batch.ok()) return io_error("catalog: read", batch.err());
            for (const auto& m : *batch) {
                next = m.offset() + 1;
                if (m.offset() >= wm->high) continue;
                auto key = m.key();
                if (!key) {
                    logging::get("sql").warn("catalog: record at offset {} has no key; skipped",
                                             m.offset());
                    continue;
                }
                if (auto v = m.value())
                    live[std::string(*key)] = {m.offset(), std::string(*v)};
                else
                    live.erase(std::string(*key));
            }
            // Transaction markers and compacted-away offsets are never
            // delivered; the position covers them.
            if (batch->empty()) {
                auto pos = cons->positions({tp});
                if (pos.ok() && !pos->empty() && (*pos)[0].offset >= 0)
                    next = std::max(next, (*pos)[0].offset);
            }
        }
    }
    cons->close();
    std::map<int64_t, catalog_record> ordered;
    for (auto& [key, v] : live)
        ordered[v.first] = catalog_record{key, std::move(v.second)};
    std::vector<catalog_record> out;
    out.reserve(ordered.size());
    for (auto& [offset, r] : ordered)
        out.push_back(std::move(r));
    return out;
}

}  // namespace spate::sql
