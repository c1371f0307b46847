#include <chrono>
#include <map>
#include <random>

#include "base/log.h"
#include "kafka/client/consumer.h"
#include "sql/exec/batch.h"
#include "sql/exec/transform.h"
#include "sql/format/format.h"

namespace spate::sql {

namespace {

namespace kc = kafka::client;

sql_error kafka_error(const std::string& what, const error& e) {
    return make_error(sql_errc::io_error, what + ": " + e.message);
}

std::string adhoc_group() {
    std::random_device rd;
    return "spate-sql-adhoc-" + std::to_string(rd()) + std::to_string(rd());
}

class history_scan final : public batch_operator {
  public:
    history_scan(const plan_node& scan, const batch_env& env, kc::consumer c,
                 std::map<int32_t, int64_t> ends, std::unique_ptr<record_decoder> d)
        : _env(env)
        , _consumer(std::move(c))
        , _ends(std::move(ends))
        , _decoded(decoded_declared_columns(scan))
        , _decoder(std::move(d))
        , _select(make_scan_select(scan, _decoded))
        , _topic(scan.relation.topic) {
        for (int c : _decoded)
            _declared.push_back(scan.relation.columns[static_cast<size_t>(c)]);
    }

    sql_result<std::optional<chunk>> next() override {
        while (!_ends.empty()) {
            if (_env.cancelled && _env.cancelled->load())
                return make_error(sql_errc::query_canceled,
                                  "canceling statement due to user request");
            auto batch = _consumer.poll_batch(_env.chunk_rows, 100);
            if (!batch.ok()) return kafka_error("reading " + _topic, batch.err());
            chunk out = make_source_chunk(_declared);
            decode(batch.value(), out);
            if (auto s = retire_finished(); !s.ok()) return s.error();
            if (out.rows() == 0) continue;
            auto selected = _select->apply(std::move(out), _env.ctx);
            if (!selected.ok()) return selected.error();
            return std::optional<chunk>(std::move(selected.value()));
        }
        return std::optional<chunk>();
    }

  private:
    void decode(std::vector<kc::message>& batch, chunk& out) {
        _views.clear();
        _headers.clear();
        _header_store.clear();
        _header_store.reserve(batch.size());
        for (auto& m : batch) {
            auto end = _ends.find(m.partition());
            if (end == _ends.end() || m.offset() >= end->second) continue;
            _header_store.push_back(m.headers());
            record_view v;
            v.key = m.key();
            v.value = m.value();
            v.partition = m.partition();
            v.offset = m.offset();
            v.timestamp_ms = m.timestamp_ms();
            _views.push_back(v);
            if (m.offset() + 1 >= end->second) _ends.erase(end);
        }
        // Header views point into _header_store, stable from here on.
        for (size_t i = 0; i < _views.size(); ++i) {
            size_t first = _headers.size();
            for (const auto& h : _header_store[i])
                _headers.push_back(
                    {h.key, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt});
            _spans.emplace_back(first, _headers.size() - first);
        }
        for (size_t i = 0; i < _views.size(); ++i)
            _views[i].headers =
                std::span<const record_header>(_headers.data() + _spans[i].first, _spans[i].second);
        _spans.clear();
        _failures.clear();
        _decoder->decode(_views, out, _failures);
        if (!_failures.empty())
            logging::get("sql").debug("ad-hoc scan of {}: {} records did not decode", _topic,
                                      _failures.size());
    }

    // Partitions whose position reached the end offset (aborted records and
    // markers advance the position without delivering records) are done.
    sql_status retire_finished() {
        if (_ends.empty()) return {};
        std::vector<kc::topic_partition> tps;
        for (const auto& [p, end] : _ends)
            tps.push_back({_topic, p});
        auto pos = _consumer.positions(tps);
        if (!pos.ok()) return kafka_error("positions of " + _topic, pos.err());
        for (const auto& po : pos.value()) {
            auto it = _ends.find(po.partition);
            if (it != _ends.end() && po.offset >= 0 && po.offset >= it->second) _ends.erase(it);
        }
        return {};
    }

    const batch_env& _env;
    kc::consumer _consumer;
    std::map<int32_t, int64_t> _ends;  // partition -> end offset, while unfinished
    std::vector<int> _decoded;
    std::vector<column_def> _declared;
    std::unique_ptr<record_decoder> _decoder;
    transform_ptr _select;
    std::string _topic;
    std::vector<record_view> _views;
    std::vector<record_header> _headers;
    std::vector<std::vector<kc::header>> _header_store;
    std::vector<std::pair<size_t, size_t>> _spans;
    std::vector<decode_failure> _failures;
};

}  // namespace

sql_result<batch_ptr> make_history_scan(const plan_node& scan, const batch_env& env) {
    kc::consumer_options o;
    o.client = env.kafka;
    o.group_id = adhoc_group();
    o.isolation = kc::isolation::read_committed;
    o.reset = kc::offset_reset::earliest;
    auto c = kc::consumer::create(o);
    if (!c.ok()) return kafka_error("consumer", c.err());
    const std::string& topic = scan.relation.topic;
    auto parts = c.value().partitions_of(topic);
    if (!parts.ok()) return kafka_error("partitions of " + topic, parts.err());
    std::map<int32_t, int64_t> ends;
    std::vector<kc::partition_offset> assign;
    for (int32_t p : parts.value()) {
        auto w = c.value().query_watermarks({topic, p}, env.kafka.timeout_ms);
        if (!w.ok()) return kafka_error("offsets of " + topic, w.err());
        if (w.value().high <= w.value().low) continue;
        ends[p] = w.value().high;
        assign.push_back({topic, p, w.value().low, {}});
    }
    std::vector<int> decoded = decoded_declared_columns(scan);
    std::vector<column_def> declared;
    for (int i : decoded)
        declared.push_back(scan.relation.columns[static_cast<size_t>(i)]);
    auto d = make_decoder(scan.relation.format, declared, scan.relation.decoding, env.schemas);
    if (!d.ok()) return d.error();
    if (!assign.empty()) {
        if (auto s = c.value().assign(assign); !s.ok())
            return kafka_error("assign " + topic, s.err());
    }
    return batch_ptr(std::make_unique<history_scan>(scan, env, std::move(c.value()),
                                                    std::move(ends), std::move(d.value())));
}

}  // namespace spate::sql
