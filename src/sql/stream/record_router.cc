#include "sql/stream/record_router.h"

#include <utility>

#include "base/log.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

status io_error(std::string what) {
    return spate::make_error(errc::io_error, std::move(what));
}

}  // namespace

sql_status record_router::check_shape(const chunk& out) const {
    const auto& want = _processed;
    bool ok = out.width() == want.size();
    for (size_t i = 0; ok && i < want.size(); ++i)
        ok = out.at(i).type().id == want[i].type.id;
    if (ok) return {};
    return make_error(sql_errc::internal_error,
                      "processor output does not match the query's output columns");
}

record_router::record_router(const query_spec& spec, int32_t output_partitions, query_stats& stats)
    : _spec(spec), _output_partitions(output_partitions), _stats(stats) {}

sql_result<std::unique_ptr<record_router>> record_router::create(
    const query_spec& spec, int32_t output_partitions, query_stats& stats, chunk_output output,
    std::vector<column_def> processed, run_gate gate, run_normaliser normaliser) {
    SPATE_ASSERT(output_partitions >= 1);
    std::unique_ptr<record_router> r(new record_router(spec, output_partitions, stats));
    r->_gate = std::move(gate);
    r->_normalise = std::move(normaliser);
    for (size_t i = 0; i < spec.inputs.size(); ++i) {
        const auto& in = spec.inputs[i];
        if (!r->_input_of_topic.emplace(in.topic, i).second)
            return make_error(sql_errc::invalid_parameter_value,
                              "topic '" + in.topic + "' is read twice by one query");
        if (!in.processor)
            return make_error(sql_errc::internal_error,
                              "input '" + in.topic + "' has no processor");
        auto d = make_decoder(in.format, in.columns, in.decoding, spec.schemas);
        if (!d.ok()) return d.error();
        r->_decoders.push_back(std::move(d).value());
        r->_declared.push_back(in.columns);
        r->_source_types.push_back(source_column_types(in.columns));
        r->_bytes_per_row.emplace_back(r->_source_types.back().size(), 0);
    }
    if (output) {
        r->_output = std::move(output);
        r->_processed = std::move(processed);
        return r;
    }
    r->_processed = spec.output_columns;
    auto e = change_encoder::create(spec, output_partitions);
    if (!e.ok()) return e.error();
    r->_changes = std::move(e).value();
    record_router* raw = r.get();
    r->_output = [raw](const chunk& rows, std::span<const int8_t>, int32_t partition,
                       const record_sink& sink) { return raw->emit(rows, partition, sink); };
    return r;
}

status record_router::route(std::span<const kc::message> batch, int64_t now_micros,
                            const record_sink& sink) {
    std::vector<const kc::message*> all;
    all.reserve(batch.size());
    for (const auto& m : batch)
        all.push_back(&m);
    return route(std::span<const kc::message* const>(all), now_micros, sink);
}

status record_router::route(std::span<const kc::message* const> batch, int64_t now_micros,
                            const record_sink& sink) {
    // Per (input, partition), in poll order: one partition's records stay in
    // offset order and map to one output partition.
    std::map<std::pair<size_t, int32_t>, std::vector<const kc::message*>> runs;
    // Consecutive records of one partition share the lookups.
    std::string_view last_topic;
    int32_t last_partition = -1;
    std::vector<const kc::message*>* current = nullptr;
    for (const kc::message* m : batch) {
        std::string_view topic = m->topic();
        if (current == nullptr || m->partition() != last_partition || topic != last_topic) {
            auto it = _input_of_topic.find(topic);
            if (it == _input_of_topic.end()) {
                logging::get("sql").error("query {}: record from unexpected topic '{}' skipped",
                                          _spec.name, topic);
                current = nullptr;
                continue;
            }
            last_topic = topic;
            last_partition = m->partition();
            current = &runs[{it->second, last_partition}];
        }
        current->push_back(m);
    }
    for (const auto& [where, run] : runs)
        SPATE_TRY(route_run(where.first, run, now_micros, sink));
    return {};
}

status record_router::route_run(size_t input, std::span<const kc::message* const> run,
                                int64_t now_micros, const record_sink& sink) {
    const auto& in = _spec.inputs[input];
    // Header storage first (views point into it), then the views. Headers
    // only when the query reads them.
    if (in.read_headers) {
        _owned_headers.resize(run.size());
        _header_views.resize(run.size());
    }
    _views.resize(run.size());
    // The record timestamp only when _timestamp is read (a library call).
    bool timestamps = (in.decoding.hidden_read & 4u) != 0;
    for (size_t i = 0; i < run.size(); ++i) {
        const auto& m = *run[i];
        std::span<const record_header> headers;
        if (in.read_headers) {
            _owned_headers[i] = m.headers();
            _header_views[i].clear();
            for (const auto& h : _owned_headers[i])
                _header_views[i].push_back(
                    {h.key, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt});
            headers = _header_views[i];
        }
        _views[i] = record_view{
            m.key(), m.value(), m.partition(), m.offset(), timestamps ? m.timestamp_ms() : -1,
            headers};
        _views[i].proctime_micros = now_micros;
    }
    std::span<const record_view> views(_views.data(), run.size());
    _stats.records_in += static_cast<int64_t>(run.size());
    if (in.upsert && _normalise) return route_changes(input, run, views, now_micros, sink);
    chunk source = take_source(input, run.size());
    std::vector<decode_failure> failures;
    _decoders[input]->decode(views, source, failures);
    source.sync_rows();
    note_source(input, source);
    for (const auto& f : failures) {
        SPATE_ASSERT(f.index < run.size());
        SPATE_TRY(dead_letter(input, *run[f.index], f.reason, sink));
    }
    if (source.rows() == 0) {
        _pool.give(std::move(source));
        return {};
    }
    if (_gate) {
        // Decoded rows are the run's records without the failed ones, in order.
        const auto row_message = decoded_messages(run.size(), failures);
        SPATE_ASSERT(row_message.size() == source.rows());
        SPATE_TRY(_gate(input, run, row_message, source, sink));
        if (source.rows() == 0) {
            _pool.give(std::move(source));
            return {};
        }
    }
    return process_rows(input, std::move(source), run.front()->partition(), 1, now_micros, sink);
}

status record_router::process_rows(size_t input, chunk source, int32_t partition, int8_t diff,
                                   int64_t now_micros, const record_sink& sink) {
    const auto& in = _spec.inputs[input];
    eval_context ctx;
    ctx.statement_time_micros = now_micros;
    ctx.spare = &_pool;
    size_t source_rows = source.rows();
    auto out = in.processor->process(std::move(source), ctx);
    if (out.ok()) {
        if (auto shape = check_shape(out.value()); !shape.ok()) out = shape.error();
    }
    if (!out.ok()) {
        ++_stats.processor_errors;
        logging::get("sql").error("query {}: {} rows of {}[{}] dropped: {}", _spec.name,
                                  source_rows, in.topic, partition, out.error().message);
        return {};
    }
    status written;
    if (diff == 1 || out.value().rows() == 0) {
        written = _output(out.value(), {}, partition, sink);
    } else {
        _minus.assign(out.value().rows(), diff);
        written = _output(out.value(), _minus, partition, sink);
    }
    _pool.give(std::move(out.value()));
    return written;
}

std::vector<uint32_t> record_router::decoded_messages(size_t records,
                                                      const std::vector<decode_failure>& failures) {
    std::vector<uint32_t> out;
    out.reserve(records - failures.size());
    size_t next_failure = 0;
    for (uint32_t i = 0; i < records; ++i) {
        if (next_failure < failures.size() && failures[next_failure].index == i) {
            ++next_failure;
            continue;
        }
        out.push_back(i);
    }
    return out;
}

chunk record_router::take_source(size_t input, size_t rows) {
    const auto& types = _source_types[input];
    const auto& per_row = _bytes_per_row[input];
    std::vector<column> cols;
    cols.reserve(types.size());
    for (size_t i = 0; i < types.size(); ++i)
        cols.push_back(_pool.take(types[i], rows, per_row[i] * rows));
    return chunk(std::move(cols));
}

void record_router::note_source(size_t input, const chunk& source) {
    if (source.rows() == 0) return;
    auto& per_row = _bytes_per_row[input];
    SPATE_ASSERT(per_row.size() == source.width());
    for (size_t i = 0; i < source.width(); ++i) {
        const auto& raw = source.at(i).raw();
        const auto* s = std::get_if<string_data>(&raw);
        // Rounded up: a run of the same strings then fits without growing.
        per_row[i] = s ? (s->bytes.size() + source.rows() - 1) / source.rows() : 0;
    }
}

status record_router::dead_letter(size_t input, const kc::message& m, const std::string& reason,
                                  const record_sink& sink) {
    const auto& in = _spec.inputs[input];
    ++_stats.dead_letters;
    if (in.dead_letter_topic.empty()) {
        logging::get("sql").warn("query {}: {}[{}]@{} does not decode and is dropped: {}",
                                 _spec.name, in.topic, m.partition(), m.offset(), reason);
        return {};
    }
    std::vector<kc::header> headers = m.headers();
    headers.push_back({"spate.error", reason});
    headers.push_back({"spate.topic", in.topic});
    headers.push_back({"spate.partition", std::to_string(m.partition())});
    headers.push_back({"spate.offset", std::to_string(m.offset())});
    kc::outgoing_record r;
    r.topic = in.dead_letter_topic;
    r.key = m.key();
    r.value = m.value();
    r.headers = &headers;
    if (m.timestamp_ms() >= 0) r.timestamp_ms = m.timestamp_ms();
    if (auto s = sink(r); !s.ok())
        return io_error("dead letter to '" + in.dead_letter_topic + "': " + s.err().message);
    return {};
}

status record_router::emit(const chunk& out, int32_t input_partition, const record_sink& sink) {
    auto n = _changes->encode(out, {}, input_partition, sink);
    if (!n.ok()) return io_error("output to '" + _spec.output_topic + "': " + n.err().message);
    _stats.rows_out += n.value();
    return {};
}

}  // namespace spate::sql::detail
