#include "sql/engine/subscribe.h"

#include <algorithm>

#include "base/log.h"
#include "sql/engine/engine.h"

namespace spate::sql {

namespace {

constexpr size_t k_default_batch = 4096;
// FETCH ALL of a subscription: at most this many rows per call.
constexpr size_t k_max_take = 1'000'000;

}  // namespace

std::vector<column_def> subscribe_columns(const relation_def& r) {
    std::vector<column_def> out{{"ts", data_type::of(type_id::int64)},
                                {"diff", data_type::of(type_id::int64)}};
    out.insert(out.end(), r.columns.begin(), r.columns.end());
    return out;
}

subscribe_cursor::subscribe_cursor(const relation_def& r, std::unique_ptr<change_feed> feed,
                                   std::unique_ptr<record_decoder> decoder)
    : _columns(r.columns), _feed(std::move(feed)), _decoder(std::move(decoder)) {}

sql_result<std::optional<chunk>> subscribe_cursor::next(size_t max_rows) {
    auto c = take(max_rows, std::chrono::milliseconds(0));
    if (!c.ok()) return c.error();
    return std::optional<chunk>(std::move(c.value()));
}

std::string subscribe_cursor::command_tag() const {
    return "SUBSCRIBE " + std::to_string(_rows);
}

sql_result<chunk> subscribe_cursor::take(size_t max_rows, std::chrono::milliseconds wait) {
    _changes.clear();
    size_t limit = max_rows == 0 ? k_max_take : max_rows;
    auto n = _feed->poll(_changes, std::min(limit, k_default_batch), wait);
    if (!n.ok()) return n.error();
    // Then what is already there, without waiting.
    while (n.value() > 0 && _changes.size() < limit) {
        n = _feed->poll(_changes, std::min(limit - _changes.size(), k_default_batch),
                        std::chrono::milliseconds(0));
        if (!n.ok()) return n.error();
    }
    return to_rows(_changes);
}

chunk subscribe_cursor::to_rows(std::vector<change_row>& changes) {
    std::vector<record_view> views;
    views.reserve(changes.size());
    for (const auto& c : changes) {
        const replica_row& r = *c.row;
        views.push_back({r.key, r.value, r.partition, r.offset, r.timestamp_ms, {}});
    }
    chunk decoded = make_source_chunk(_columns);
    std::vector<decode_failure> failures;
    _decoder->decode(views, decoded, failures);
    if (!failures.empty())
        logging::get("sql").warn("subscription: {} rows did not decode and were skipped: {}",
                                 failures.size(), failures.front().reason);
    std::vector<column> cols;
    column ts(data_type::of(type_id::int64)), diff(data_type::of(type_id::int64));
    size_t next_failure = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
        if (next_failure < failures.size() && failures[next_failure].index == i) {
            ++next_failure;
            continue;
        }
        ts.push<int64_t>(changes[i].ts_ms);
        diff.push<int64_t>(changes[i].diff);
    }
    cols.push_back(std::move(ts));
    cols.push_back(std::move(diff));
    for (size_t c = 0; c < _columns.size(); ++c)
        cols.push_back(std::move(decoded.at(c)));
    chunk out(std::move(cols));
    out.set_rows(decoded.rows());
    _rows += decoded.rows();
    return out;
}

sql_result<std::unique_ptr<subscribe_cursor>> open_subscription(
    engine& e, const relation_def& r, const std::vector<with_option>& options,
    const std::atomic<bool>* cancelled) {
    feed_options o;
    o.cancelled = cancelled;
    for (const auto& opt : options) {
        if (opt.key != "snapshot")
            return make_error(sql_errc::invalid_parameter_value,
                              "unknown SUBSCRIBE option \"" + opt.key + "\"", opt.position + 1);
        if (opt.value != "true" && opt.value != "false")
            return make_error(sql_errc::invalid_parameter_value,
                              "SUBSCRIBE option snapshot must be true or false", opt.position + 1);
        o.snapshot = opt.value == "true";
    }
    auto d = make_decoder(r.format, r.columns, r.decoding, e.schemas());
    if (!d.ok()) return d.error();
    auto feed = open_change_feed(r, e.options().kafka, e.replicas(), o);
    if (!feed.ok()) return feed.error();
    return std::make_unique<subscribe_cursor>(r, std::move(feed).value(), std::move(d).value());
}

}  // namespace spate::sql
