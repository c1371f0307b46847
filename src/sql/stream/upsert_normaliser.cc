#include "sql/stream/upsert_normaliser.h"

#include <algorithm>
#include <cstring>

#include "base/log.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

constexpr char k_upsert_prefix = 'u';
constexpr uint8_t k_value_version = 1;
constexpr size_t k_value_header = 1 + 8 + 8;
// Delivery report tags of the input changelog's records: partition + this
// (the aggregate's changelog uses 1 << 40).
constexpr uint64_t k_input_changelog_tag = uint64_t(1) << 41;

void put_i64(std::string& out, int64_t v) {
    auto u = static_cast<uint64_t>(v);
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

int64_t get_i64(const char* p) {
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i)
        u |= uint64_t(static_cast<uint8_t>(p[i])) << (8 * i);
    return static_cast<int64_t>(u);
}

}  // namespace

upsert_normaliser::upsert_normaliser(std::unique_ptr<task_state> state)
    : _state(std::move(state)) {}

const std::string& upsert_normaliser::state_key(std::string_view record_key) {
    _key_buf.assign(1, k_upsert_prefix);
    _key_buf.append(record_key);
    return _key_buf;
}

sql_status upsert_normaliser::normalise(std::span<const record_view> run,
                                        std::vector<record_view>& retract,
                                        std::vector<uint32_t>& insert) {
    retract.clear();
    insert.clear();
    _order.clear();
    _previous.clear();
    _arena.clear();
    for (uint32_t i = 0; i < run.size(); ++i) {
        if (run[i].key)
            _order.push_back(i);
        else if (run[i].value)
            insert.push_back(i);  // no key: never retracted
    }
    // Each key's records together, in offset order: its last one wins.
    std::sort(_order.begin(), _order.end(), [&](uint32_t a, uint32_t b) {
        int c = run[a].key->compare(*run[b].key);
        return c != 0 ? c < 0 : a < b;
    });
    for (size_t i = 0; i < _order.size(); ++i) {
        uint32_t last = _order[i];
        if (i + 1 < _order.size() && *run[_order[i + 1]].key == *run[last].key) continue;
        const record_view& r = run[last];
        auto found = _state->get_into(state_key(*r.key), _value_buf);
        if (!found.ok()) return found.error();
        if (found.value()) {
            if (_value_buf.size() < k_value_header ||
                static_cast<uint8_t>(_value_buf[0]) != k_value_version)
                return make_error(
                    sql_errc::internal_error,
                    "corrupt upsert input state (" + std::to_string(_value_buf.size()) + " bytes)");
            _previous.push_back({last, _arena.size(), _value_buf.size() - k_value_header,
                                 get_i64(_value_buf.data() + 1), get_i64(_value_buf.data() + 9)});
            _arena.append(_value_buf, k_value_header);
        }
        if (r.value) {
            _value_buf.assign(1, static_cast<char>(k_value_version));
            put_i64(_value_buf, r.offset);
            put_i64(_value_buf, r.timestamp_ms);
            _value_buf.append(*r.value);
            _state->put(_key_buf, _value_buf);
            insert.push_back(last);
        } else if (found.value()) {
            _state->remove(_key_buf);
        }
    }
    std::sort(insert.begin(), insert.end());
    std::sort(_previous.begin(), _previous.end(),
              [](const previous& a, const previous& b) { return a.last < b.last; });
    retract.reserve(_previous.size());
    for (const previous& p : _previous) {
        const record_view& r = run[p.last];
        record_view v;
        v.key = r.key;
        v.value = std::string_view(_arena).substr(p.begin, p.size);
        v.partition = r.partition;
        v.offset = p.offset;
        v.timestamp_ms = p.timestamp_ms;
        v.proctime_micros = r.proctime_micros;
        retract.push_back(v);
    }
    return {};
}

status upsert_inputs::open(int32_t partition) {
    state_options o;
    o.dir = _spec.state_dir + "/input";
    o.changelog_topic = input_changelog_topic(_spec.query_id);
    o.partition = partition;
    o.client = _spec.client;
    _tasks.erase(partition);  // its RocksDB closes first
    auto state = task_state::open(o);
    if (!state.ok())
        return spate::make_error(errc::io_error, "state of " + o.changelog_topic + "[" +
                                                     std::to_string(partition) +
                                                     "]: " + state.error().message);
    logging::get("sql").info("query {}: upsert input {} open ({} state records restored)",
                             _spec.name, partition, state.value()->stats().restored_records);
    _tasks[partition] = std::make_unique<upsert_normaliser>(std::move(state).value());
    return {};
}

status upsert_inputs::normalise(int32_t partition, std::span<const record_view> run,
                                std::vector<record_view>& retract, std::vector<uint32_t>& insert) {
    auto it = _tasks.find(partition);
    if (it == _tasks.end())
        return spate::make_error(
            errc::invalid_argument,
            "upsert input partition " + std::to_string(partition) + " has no state (not assigned)");
    if (auto s = it->second->normalise(run, retract, insert); !s.ok())
        return spate::make_error(errc::io_error, s.error().message);
    return {};
}

status upsert_inputs::log_pending(const std::function<status(const kc::outgoing_record&)>& sink) {
    for (auto& [p, task] : _tasks) {
        if (!task->state().has_pending()) continue;
        int32_t partition = p;
        auto tagged = [&sink, partition](const kc::outgoing_record& r) {
            kc::outgoing_record t = r;
            t.tag = k_input_changelog_tag + static_cast<uint64_t>(partition);
            return sink(t);
        };
        SPATE_TRY(task->state().log_pending(tagged));
    }
    return {};
}

bool upsert_inputs::delivered(const kc::delivery_report& r) {
    if (r.tag < k_input_changelog_tag || r.tag >= 2 * k_input_changelog_tag) return false;
    if (!r.result.ok() || r.offset < 0) return true;
    auto p = static_cast<int32_t>(r.tag - k_input_changelog_tag);
    int64_t& end = _changelog_end[p];
    end = std::max(end, r.offset + 1);
    return true;
}

status upsert_inputs::committed() {
    for (auto& [p, task] : _tasks) {
        auto end = _changelog_end.find(p);
        std::optional<int64_t> at;
        if (end != _changelog_end.end()) at = end->second;
        if (auto s = task->state().commit(at); !s.ok())
            return spate::make_error(errc::io_error, "upsert input state " + std::to_string(p) +
                                                         ": " + s.error().message);
    }
    _changelog_end.clear();
    return {};
}

void upsert_inputs::aborted() {
    for (auto& [p, task] : _tasks)
        task->state().rollback();
    _changelog_end.clear();
}

state_stats upsert_inputs::stats() const {
    state_stats out;
    for (const auto& [p, task] : _tasks) {
        auto s = task->state().stats();
        out.keys += s.keys;
        out.bytes += s.bytes;
    }
    return out;
}

}  // namespace spate::sql::detail
