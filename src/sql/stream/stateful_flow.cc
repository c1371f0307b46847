// The dataflow of a stateful (aggregating) continuous query (dataflow.h,
// stateful_spec.h): sub-topology A over the source partitions this member
// holds, sub-topology B over its repartition partitions, both in the one
// transaction of the session.

#include <algorithm>
#include <limits>

#include "base/log.h"
#include "sql/expr/eval.h"
#include "sql/stream/aggregate_operator.h"
#include "sql/stream/change_encoder.h"
#include "sql/stream/dataflow.h"
#include "sql/stream/repartition.h"
#include "sql/stream/upsert_normaliser.h"
#include "sql/stream/watermark.h"
#include "sql/types/text_io.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

using steady = std::chrono::steady_clock;

// Delivery report tags of changelog records: partition + this.
constexpr uint64_t k_changelog_tag = uint64_t(1) << 40;

// Each key of the output is one group (an upsert output whose primary key
// is exactly the group keys, rows not filtered by HAVING, no SESSION
// window whose bounds in the key move): an update then needs no
// retraction of the row before (aggregate_task::emit_upserts_only()).
bool keyed_by_group(const query_spec& spec, const aggregate_def& def) {
    if (spec.output_type != sink_type::upsert || def.emit_on_window_close || def.has_session ||
        def.post_filters || def.output_key.empty())
        return false;
    std::vector<int> primary = spec.key_columns, groups = def.output_key;
    std::sort(primary.begin(), primary.end());
    std::sort(groups.begin(), groups.end());
    return primary == groups;
}

std::string timestamp_text(int64_t micros, bool with_zone) {
    std::string out;
    format_timestamp(micros, with_zone, out);
    return out;
}

class stateful_dataflow final : public dataflow {
  public:
    stateful_dataflow(const query_spec& spec, query_stats& stats, int32_t source_partitions)
        : _spec(spec)
        , _stats(stats)
        , _def(*spec.aggregate)
        , _in(spec.inputs.front())
        , _source_partitions(source_partitions)
        , _repartition(repartition_topic(spec.query_id))
        , _changelog(changelog_topic(spec.query_id))
        , _clock(_in.event_time)
        , _writer(_def, _repartition, source_partitions) {}

    sql_status init(int32_t output_partitions) {
        auto output = [this](const chunk& rows, std::span<const int8_t> diffs, int32_t,
                             const record_sink& sink) {
            _stats.repartition_rows += static_cast<int64_t>(rows.rows());
            return _writer.write(rows, diffs, sink);
        };
        auto gate = [this](size_t, std::span<const kc::message* const> run,
                           std::span<const uint32_t> row_message, chunk& rows,
                           const record_sink& sink) {
            return late_gate(run, row_message, rows, sink);
        };
        run_normaliser normalise;
        if (_in.upsert) {
            _upserts = std::make_unique<upsert_inputs>(_spec);
            normalise = [this](int32_t p, std::span<const record_view> run,
                               std::vector<record_view>& retract,
                               std::vector<uint32_t>& insert) -> status {
                SPATE_TRY(_upserts->normalise(p, run, retract, insert));
                _stats.normalised_rows += static_cast<int64_t>(retract.size() + insert.size());
                return status{};
            };
        }
        auto r = record_router::create(_spec, output_partitions, _stats, output, _def.pre_columns,
                                       gate, std::move(normalise));
        if (!r.ok()) return r.error();
        _router = std::move(r).value();
        auto e = change_encoder::create(_spec, output_partitions);
        if (!e.ok()) return e.error();
        _encoder = std::move(e).value();
        // Rows of one group fold into one partial per commit interval
        // before they cross the repartition topic (combiner.h).
        if (combinable(_def)) {
            if (auto s = _writer.combine(); !s.ok()) return s;
        }
        return {};
    }

    std::vector<std::string> topics() const override { return {_in.topic, _repartition}; }

    std::vector<std::string> written_topics() const override {
        std::vector<std::string> out{_spec.output_topic, _repartition, _changelog};
        if (!_in.dead_letter_topic.empty()) out.push_back(_in.dead_letter_topic);
        if (!_spec.late_topic.empty()) out.push_back(_spec.late_topic);
        if (_upserts) out.push_back(input_changelog_topic(_spec.query_id));
        return out;
    }

    status assigned(const std::vector<kc::topic_partition>& parts, kc::consumer& c) override;
    void revoked(const std::vector<kc::topic_partition>& parts) override {
        for (const auto& tp : parts) {
            if (tp.topic == _in.topic) _clock.revoke(tp.partition);
            if (tp.topic == _in.topic && _upserts) _upserts->close(tp.partition);
            if (tp.topic == _repartition) _tasks.erase(tp.partition);
        }
    }
    status process(std::span<const kc::message> batch, int64_t now_micros,
                   const record_sink& sink) override;
    bool wants_commit(steady::time_point now) const override { return _clock.pending(now); }
    status prepare_commit(int64_t now_micros, const record_sink& sink) override;
    std::string offset_metadata(const kc::topic_partition& tp) const override {
        if (tp.topic != _in.topic || _in.event_time.processing_time) return {};
        return watermark_metadata(_clock.watermark(tp.partition));
    }
    void delivered(const kc::delivery_report& r) override {
        if (_upserts && _upserts->delivered(r)) return;
        if (!r.result.ok() || r.tag < k_changelog_tag || r.offset < 0) return;
        auto p = static_cast<int32_t>(r.tag - k_changelog_tag);
        int64_t& end = _changelog_end[p];
        end = std::max(end, r.offset + 1);
    }
    status committed() override;
    void aborted() override {
        _writer.drop_partials();
        _clock.aborted();
        if (_upserts) _upserts->aborted();
        for (auto& [p, t] : _tasks)
            t->aborted();
        _changelog_end.clear();
    }

  private:
    status late_gate(std::span<const kc::message* const> run, std::span<const uint32_t> row_message,
                     chunk& rows, const record_sink& sink);
    status write_late(const kc::message& m, int64_t time, int64_t watermark,
                      const record_sink& sink);
    status apply_repartition(const kc::message& m);
    void publish_stats();

    const query_spec& _spec;
    query_stats& _stats;
    const aggregate_def& _def;
    const input_spec& _in;
    int32_t _source_partitions;
    std::string _repartition, _changelog;
    source_clock _clock;
    repartition_writer _writer;
    std::unique_ptr<record_router> _router;
    std::unique_ptr<change_encoder> _encoder;
    std::unique_ptr<upsert_inputs> _upserts;  // an upsert input's normalisers
    std::map<int32_t, std::unique_ptr<aggregate_task>> _tasks;
    std::map<int32_t, int64_t> _changelog_end;  // of the open transaction
    // Scratch.
    repartition_rows _rows;
    aggregate_changes _changes;
    std::vector<uint8_t> _late;
    std::vector<int64_t> _late_against;
    std::vector<const kc::message*> _source_batch;
};

status stateful_dataflow::assigned(const std::vector<kc::topic_partition>& parts, kc::consumer& c) {
    std::vector<kc::topic_partition> sources;
    for (const auto& tp : parts) {
        if (tp.topic == _in.topic) sources.push_back(tp);
        if (tp.topic == _in.topic && _upserts) SPATE_TRY(_upserts->open(tp.partition));
        if (tp.topic != _repartition) continue;
        state_options o;
        o.dir = _spec.state_dir;
        o.changelog_topic = _changelog;
        o.partition = tp.partition;
        o.client = _spec.client;
        _tasks.erase(tp.partition);  // its RocksDB closes first
        auto state = task_state::open(o);
        if (!state.ok())
            return spate::make_error(errc::io_error, "state of " + _repartition + "[" +
                                                         std::to_string(tp.partition) +
                                                         "]: " + state.error().message);
        auto task = aggregate_task::create(_def, std::move(state).value(), _source_partitions);
        if (!task.ok()) return spate::make_error(errc::io_error, task.error().message);
        task.value()->emit_upserts_only(keyed_by_group(_spec, _def));
        logging::get("sql").info("query {}: task {} open ({} state records restored)", _spec.name,
                                 tp.partition, task.value()->state().stats().restored_records);
        _tasks[tp.partition] = std::move(task).value();
    }
    if (sources.empty()) return {};
    auto committed = c.committed(sources, _spec.client.timeout_ms);
    if (!committed.ok()) return committed.err();
    auto now = steady::now();
    for (const auto& o : committed.value())
        _clock.assign(o.partition, parse_watermark_metadata(o.metadata), now);
    return {};
}

status stateful_dataflow::process(std::span<const kc::message> batch, int64_t now_micros,
                                  const record_sink& sink) {
    _source_batch.clear();
    for (const auto& m : batch) {
        if (m.topic() == _in.topic) {
            _source_batch.push_back(&m);
            continue;
        }
        SPATE_TRY(apply_repartition(m));
    }
    if (_source_batch.empty()) return {};
    return _router->route(std::span<const kc::message* const>(_source_batch), now_micros, sink);
}

status stateful_dataflow::apply_repartition(const kc::message& m) {
    auto it = _tasks.find(m.partition());
    if (it == _tasks.end())
        return spate::make_error(errc::invalid_argument, "record of unassigned partition " +
                                                             _repartition + "[" +
                                                             std::to_string(m.partition()) + "]");
    aggregate_task& task = *it->second;
    if (!m.value()) {
        for (const auto& h : m.headers()) {
            if (h.key != k_watermark_header || !h.value) continue;
            auto marker = parse_marker(*h.value);
            if (!marker)
                return spate::make_error(errc::corrupt, "bad watermark marker '" + *h.value + "'");
            task.apply_marker(*marker);
        }
        return {};
    }
    if (auto s = decode_repartition(*m.value(), _def, _rows); !s.ok())
        return spate::make_error(errc::corrupt, s.error().message);
    auto before = task.stats();
    auto s = task.apply(_rows);
    _stats.aggregate_rows_in += task.stats().rows_in - before.rows_in;
    _stats.aggregate_late_rows += task.stats().late_rows - before.late_rows;
    if (!s.ok()) return spate::make_error(errc::invalid_argument, s.error().message);
    return {};
}

status stateful_dataflow::late_gate(std::span<const kc::message* const> run,
                                    std::span<const uint32_t> row_message, chunk& rows,
                                    const record_sink& sink) {
    int32_t partition = run.front()->partition();
    _clock.touch(partition, steady::now());
    const event_time_def& et = _in.event_time;
    if (!et.time) return {};
    eval_context ctx;
    auto time = evaluate(*et.time, rows, ctx);
    auto wm = time.ok() ? evaluate(*et.watermark, rows, ctx) : time;
    if (!wm.ok()) {
        // The rows go on; the watermark does not move over them.
        logging::get("sql").error("query {}: watermark of {}[{}] not computed: {}", _spec.name,
                                  _in.topic, partition, wm.error().message);
        return {};
    }
    size_t late = _clock.observe(partition, time.value(), wm.value(), _late, _late_against);
    if (late == 0) return {};
    size_t k = 0;
    for (size_t i = 0; i < _late.size(); ++i) {
        if (!_late[i]) continue;
        SPATE_TRY(write_late(*run[row_message[i]], time.value().values<int64_t>()[i],
                             _late_against[k++], sink));
    }
    _stats.late_rows += static_cast<int64_t>(late);
    for (auto& f : _late)
        f = !f;
    rows = rows.filter(_late);
    return {};
}

status stateful_dataflow::write_late(const kc::message& m, int64_t time, int64_t watermark,
                                     const record_sink& sink) {
    if (_spec.late_topic.empty()) return {};
    bool zone = _in.event_time.time->type.id == type_id::timestamptz;
    std::vector<kc::header> headers = m.headers();
    headers.push_back(
        {"spate.late.reason", "event time " + timestamp_text(time, zone) +
                                  " is before the watermark " + timestamp_text(watermark, zone) +
                                  " of " + _in.topic + "[" + std::to_string(m.partition()) + "]"});
    headers.push_back({"spate.topic", _in.topic});
    headers.push_back({"spate.partition", std::to_string(m.partition())});
    headers.push_back({"spate.offset", std::to_string(m.offset())});
    kc::outgoing_record r;
    r.topic = _spec.late_topic;
    r.key = m.key();
    r.value = m.value();
    r.headers = &headers;
    if (m.timestamp_ms() >= 0) r.timestamp_ms = m.timestamp_ms();
    if (auto s = sink(r); !s.ok())
        return spate::make_error(s.err().code,
                                 "late row to '" + _spec.late_topic + "': " + s.err().message);
    return {};
}

status stateful_dataflow::prepare_commit(int64_t now_micros, const record_sink& sink) {
    auto markers = _clock.due(steady::now(), now_micros);
    // The interval's partials go ahead of the markers that may close their windows.
    SPATE_TRY(_writer.flush(sink));
    SPATE_TRY(_writer.write_markers(markers, sink));
    if (_upserts) SPATE_TRY(_upserts->log_pending(sink));
    eval_context ctx;
    ctx.statement_time_micros = now_micros;
    for (auto& [p, task] : _tasks) {
        if (auto s = task->flush(ctx, _changes); !s.ok())
            return spate::make_error(errc::invalid_argument, s.error().message);
        if (!_changes.diffs.empty()) {
            auto n = _encoder->encode(_changes.rows, _changes.diffs, p, sink);
            if (!n.ok()) return n.err();
            _stats.rows_out += n.value();
            _stats.aggregate_rows_out += static_cast<int64_t>(_changes.diffs.size());
        }
        if (!task->state().has_pending()) continue;
        int32_t partition = p;
        auto tagged = [&sink, partition](const kc::outgoing_record& r) {
            kc::outgoing_record t = r;
            t.tag = k_changelog_tag + static_cast<uint64_t>(partition);
            return sink(t);
        };
        SPATE_TRY(task->state().log_pending(tagged));
    }
    return {};
}

status stateful_dataflow::committed() {
    _clock.committed();
    if (_upserts) SPATE_TRY(_upserts->committed());
    for (auto& [p, task] : _tasks) {
        // The changelog end becomes the task's checkpoint (a restore replays
        // only what follows it).
        auto end = _changelog_end.find(p);
        std::optional<int64_t> at;
        if (end != _changelog_end.end()) at = end->second;
        if (auto s = task->state().commit(at); !s.ok())
            return spate::make_error(
                errc::io_error, "state of task " + std::to_string(p) + ": " + s.error().message);
        task->committed();
    }
    _changelog_end.clear();
    publish_stats();
    return {};
}

void stateful_dataflow::publish_stats() {
    int64_t keys = 0, bytes = 0, memory = 0;
    std::optional<int64_t> low;
    for (const auto& [p, task] : _tasks) {
        auto st = task->state().stats();
        // RocksDB's key count is an estimate (it can read 0 after many
        // deletions); the groups in memory are in the state too.
        keys += std::max<int64_t>(st.keys, static_cast<int64_t>(task->groups_in_memory()));
        bytes += st.bytes;
        memory += static_cast<int64_t>(task->memory_bytes());
        auto wm = task->watermark();
        if (wm && (!low || *wm < *low)) low = wm;
    }
    if (_upserts) {
        auto in = _upserts->stats();
        _stats.input_state_keys = in.keys;
        _stats.input_state_bytes = in.bytes;
    }
    _stats.state_keys = keys;
    _stats.state_bytes = bytes;
    _stats.memory_bytes = memory;
    constexpr int64_t none = std::numeric_limits<int64_t>::min();
    _stats.aggregate_watermark_us = low.value_or(none);
    _stats.source_watermark_us = _clock.low().value_or(none);
}

}  // namespace

sql_result<std::unique_ptr<dataflow>> make_stateful_dataflow(const query_spec& spec,
                                                             query_stats& stats,
                                                             int32_t source_partitions,
                                                             int32_t output_partitions) {
    auto flow = std::make_unique<stateful_dataflow>(spec, stats, source_partitions);
    if (auto s = flow->init(output_partitions); !s.ok()) return s.error();
    return std::unique_ptr<dataflow>(std::move(flow));
}

}  // namespace spate::sql::detail
