// record_router over an upsert input (input_spec::upsert; stateful queries
// only): a run goes through the normaliser, then its retractions (diff -1)
// and its insertions (+1) each through decode -> processor -> output.

#include "sql/stream/record_router.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

status record_router::route_changes(size_t input, std::span<const kc::message* const> run,
                                    std::span<const record_view> views, int64_t now_micros,
                                    const record_sink& sink) {
    int32_t partition = run.front()->partition();
    SPATE_TRY(_normalise(partition, views, _retract, _insert));
    if (!_retract.empty()) {
        // A retracted value decoded when it was inserted, or went to the
        // dead letters then and contributed nothing: a failure drops it.
        chunk old = make_source_chunk(_declared[input]);
        std::vector<decode_failure> failures;
        _decoders[input]->decode(_retract, old, failures);
        old.sync_rows();
        if (old.rows() > 0) {
            SPATE_TRY(process_rows(input, std::move(old), partition, -1, now_micros, sink));
        }
    }
    if (_insert.empty()) return {};
    _insert_views.clear();
    for (uint32_t i : _insert)
        _insert_views.push_back(views[i]);
    chunk source = make_source_chunk(_declared[input]);
    std::vector<decode_failure> failures;
    _decoders[input]->decode(_insert_views, source, failures);
    source.sync_rows();
    _insert_message.clear();
    size_t next_failure = 0;
    for (size_t i = 0; i < _insert.size(); ++i) {
        if (next_failure < failures.size() && failures[next_failure].index == i) {
            SPATE_TRY(dead_letter(input, *run[_insert[i]], failures[next_failure].reason, sink));
            ++next_failure;
            continue;
        }
        _insert_message.push_back(_insert[i]);
    }
    SPATE_ASSERT(_insert_message.size() == source.rows());
    if (source.rows() == 0) return {};
    if (_gate) {
        SPATE_TRY(_gate(input, run, _insert_message, source, sink));
        if (source.rows() == 0) return {};
    }
    return process_rows(input, std::move(source), partition, 1, now_micros, sink);
}

}  // namespace spate::sql::detail
