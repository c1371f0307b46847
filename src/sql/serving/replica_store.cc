#include "sql/serving/replica_store.h"

#include <algorithm>

#include "base/log.h"
#include "sql/serving/key_codec.h"

namespace spate::sql {

namespace {

constexpr auto k_cancel_check = std::chrono::milliseconds(100);

}  // namespace

sql_result<size_t> replica_subscription::take(std::vector<change_row>& out, size_t max,
                                              std::chrono::milliseconds wait,
                                              const std::atomic<bool>* cancelled) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(_mu);
    for (;;) {
        if (cancelled && cancelled->load())
            return make_error(sql_errc::query_canceled, "canceling statement due to user request");
        if (!_queue.empty()) break;
        if (_closed) return *_closed;
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return size_t{0};
        _cv.wait_until(lock, std::min(deadline, now + k_cancel_check));
    }
    size_t n = std::min(max, _queue.size());
    for (size_t i = 0; i < n; ++i) {
        out.push_back(std::move(_queue.front()));
        _queue.pop_front();
    }
    return n;
}

void replica_subscription::push(change_row c) {
    std::lock_guard lock(_mu);
    if (_closed) return;
    if (_queue.size() >= k_max_queued) {
        _queue.clear();
        _closed =
            make_error(sql_errc::io_error, "the subscription fell behind its view by more than " +
                                               std::to_string(k_max_queued) + " changes");
        _cv.notify_all();
        return;
    }
    _queue.push_back(std::move(c));
    _cv.notify_all();
}

void replica_subscription::close(const sql_error& e) {
    std::lock_guard lock(_mu);
    if (!_closed) _closed = e;
    _cv.notify_all();
}

replica_store::replica_store(std::string view, std::vector<column_def> key_columns)
    : _view(std::move(view)), _key_columns(std::move(key_columns)) {
    auto d = make_decoder(record_format::json, _key_columns);
    SPATE_ASSERT_MSG(d.ok(), "json decoders take every column type");
    _key_decoder = std::move(d).value();
}

std::vector<std::optional<std::string>> replica_store::encode_keys(
    std::span<const changelog_record> records) {
    std::vector<std::optional<std::string>> keys(records.size());
    std::vector<record_view> views;
    std::vector<size_t> index;  // record of each view
    for (size_t i = 0; i < records.size(); ++i) {
        if (!records[i].key) continue;
        record_view v;
        v.value = records[i].key;
        views.push_back(v);
        index.push_back(i);
    }
    chunk decoded = make_source_chunk(_key_columns);
    std::vector<decode_failure> failures;
    _key_decoder->decode(views, decoded, failures);
    size_t row = 0, next_failure = 0;
    for (size_t v = 0; v < views.size(); ++v) {
        if (next_failure < failures.size() && failures[next_failure].index == v) {
            logging::get("sql").warn("view {}: changelog record {}[{}] skipped: key: {}", _view,
                                     records[index[v]].partition, records[index[v]].offset,
                                     failures[next_failure].reason);
            ++next_failure;
            continue;
        }
        std::string key;
        for (size_t c = 0; c < _key_columns.size(); ++c)
            encode_key_column(decoded.at(c), row, key);
        keys[index[v]] = std::move(key);
        ++row;
    }
    return keys;
}

void replica_store::apply(std::span<const changelog_record> records) {
    auto keys = encode_keys(records);
    std::unique_lock lock(_mu);
    for (size_t i = 0; i < records.size(); ++i) {
        if (!keys[i]) {
            ++_skipped;
            continue;
        }
        apply_one(records[i], std::move(*keys[i]));
    }
    std::erase_if(_subscribers, [](const auto& s) { return s.expired(); });
}

void replica_store::apply_one(const changelog_record& r, std::string key) {
    auto it = _rows.find(key);
    if (!r.value) {
        if (it == _rows.end()) return;
        publish(r.timestamp_ms, -1, it->second);
        _rows.erase(it);
        return;
    }
    if (it != _rows.end() && it->second->value == *r.value) return;
    auto row = std::make_shared<replica_row>();
    row->key = std::string(*r.key);
    row->value = std::string(*r.value);
    row->partition = r.partition;
    row->offset = r.offset;
    row->timestamp_ms = r.timestamp_ms;
    if (it != _rows.end()) {
        publish(r.timestamp_ms, -1, it->second);
        it->second = row;
    } else {
        _rows.emplace(std::move(key), row);
    }
    publish(r.timestamp_ms, 1, row);
}

void replica_store::publish(int64_t ts_ms, int8_t diff, const replica_row_ptr& row) {
    for (const auto& w : _subscribers)
        if (auto s = w.lock()) s->push({ts_ms, diff, row});
}

std::vector<replica_row_ptr> replica_store::rows_in(std::span<const key_range> ranges) const {
    std::vector<replica_row_ptr> out;
    std::shared_lock lock(_mu);
    for (const auto& r : ranges) {
        if (!r.upper.empty() && r.upper <= r.lower) continue;
        auto it = _rows.lower_bound(r.lower);
        auto end = r.upper.empty() ? _rows.end() : _rows.lower_bound(r.upper);
        for (; it != end; ++it)
            out.push_back(it->second);
    }
    return out;
}

std::shared_ptr<replica_subscription> replica_store::subscribe(
    std::vector<replica_row_ptr>& snapshot) {
    auto s = std::make_shared<replica_subscription>();
    std::unique_lock lock(_mu);
    if (_closed) {
        s->close(*_closed);
        return s;
    }
    snapshot.reserve(snapshot.size() + _rows.size());
    for (const auto& [k, row] : _rows)
        snapshot.push_back(row);
    _subscribers.push_back(s);
    return s;
}

void replica_store::close(const sql_error& e) {
    std::unique_lock lock(_mu);
    if (!_closed) _closed = e;
    for (const auto& w : _subscribers)
        if (auto s = w.lock()) s->close(e);
    _subscribers.clear();
}

size_t replica_store::size() const {
    std::shared_lock lock(_mu);
    return _rows.size();
}

int64_t replica_store::skipped() const {
    return _skipped.load();
}

}  // namespace spate::sql
