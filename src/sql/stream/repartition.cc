#include "sql/stream/repartition.h"

#include <algorithm>
#include <limits>

#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace kc = kafka::client;
namespace codec = stream_codec;

namespace {

constexpr char k_version = 1;           // rows
constexpr char k_partials_version = 2;  // partial aggregates
constexpr uint8_t k_has_diffs = 1;
// Rows per record, and the value size above which a record is split.
constexpr size_t k_max_rows = 2048;
constexpr size_t k_max_value_bytes = 512 * 1024;
// Groups a combining writer holds before it writes them out.
constexpr size_t k_max_partials = 65536;

sql_error corrupt(const std::string& what) {
    return make_error(sql_errc::internal_error, "corrupt repartition record: " + what);
}

}  // namespace

group_key_layout::group_key_layout(const aggregate_def& def) : _types(def.key_types) {
    if (def.has_session) {
        _start_key = def.session.start_key;
        _end_key = def.session.end_key;
    } else {
        _window_end = def.window_end_key;
    }
    for (int k = 0; k < static_cast<int>(_types.size()); ++k)
        if (k != _start_key && k != _end_key) _encoded.push_back(k);
}

void group_key_layout::encode(const chunk& pre, std::string& bytes,
                              std::vector<uint32_t>& ends) const {
    bytes.clear();
    ends.clear();
    std::vector<const column*> cols;
    cols.reserve(_encoded.size());
    for (int k : _encoded)
        cols.push_back(&pre.at(static_cast<size_t>(k)));
    const column* end = _window_end >= 0 ? &pre.at(static_cast<size_t>(_window_end)) : nullptr;
    for (size_t row = 0; row < pre.rows(); ++row) {
        if (end) {
            int64_t v = end->is_null(row) ? std::numeric_limits<int64_t>::min()
                                          : end->values<int64_t>()[row];
            codec::put_ordered_i64(bytes, v);
        }
        codec::append_key(cols, row, bytes);
        ends.push_back(static_cast<uint32_t>(bytes.size()));
    }
}

int64_t group_key_layout::window_end(std::string_view key) const {
    SPATE_ASSERT(windowed() && key.size() >= 8);
    return codec::get_ordered_i64(key);
}

std::vector<column> group_key_layout::key_columns() const {
    std::vector<column> out;
    out.reserve(_types.size());
    for (const auto& t : _types)
        out.emplace_back(t);
    return out;
}

sql_status group_key_layout::decode(std::string_view key, std::vector<column>& keys, int64_t start,
                                    int64_t end) const {
    if (windowed()) {
        if (key.size() < 8) return corrupt("short windowed key");
        key.remove_prefix(8);
    }
    for (int k : _encoded) {
        auto s = codec::decode_key(key, std::span<column>(&keys[static_cast<size_t>(k)], 1));
        if (!s.ok()) return s;
    }
    if (!key.empty()) return corrupt("trailing key bytes");
    if (_start_key >= 0) {
        keys[static_cast<size_t>(_start_key)].push<int64_t>(start);
        keys[static_cast<size_t>(_end_key)].push<int64_t>(end);
    }
    return {};
}

repartition_writer::repartition_writer(const aggregate_def& def, std::string topic,
                                       int32_t partitions)
    : _def(def), _layout(def), _topic(std::move(topic)), _partitions(partitions) {
    SPATE_ASSERT(partitions >= 1);
    _rows_of.resize(static_cast<size_t>(partitions));
}

sql_status repartition_writer::combine() {
    auto c = combiner::create(_def);
    if (!c.ok()) return c.error();
    _combiner = std::move(c).value();
    return {};
}

status repartition_writer::write(const chunk& pre, std::span<const int8_t> diffs,
                                 const record_sink& sink) {
    if (pre.rows() == 0) return {};
    _layout.encode(pre, _keys, _key_ends);
    if (_combiner) {
        bool retracts = std::find(diffs.begin(), diffs.end(), int8_t{-1}) != diffs.end();
        if (!retracts) {
            if (auto s = _combiner->add(pre, _keys, _key_ends); !s.ok())
                return spate::make_error(errc::invalid_argument, s.error().message);
            if (_combiner->groups() >= k_max_partials) return flush(sink);
            return {};
        }
        SPATE_TRY(flush(sink));
    }
    for (auto& r : _rows_of)
        r.clear();
    uint32_t begin = 0;
    for (uint32_t row = 0; row < pre.rows(); ++row) {
        std::string_view key(_keys.data() + begin, _key_ends[row] - begin);
        begin = _key_ends[row];
        auto p = codec::hash_bytes(key) % static_cast<uint64_t>(_partitions);
        _rows_of[p].push_back(row);
    }
    _value_cols.clear();
    for (size_t c = _def.key_types.size(); c < pre.width(); ++c)
        _value_cols.push_back(&pre.at(c));
    for (int32_t p = 0; p < _partitions; ++p) {
        const auto& rows = _rows_of[static_cast<size_t>(p)];
        for (size_t at = 0; at < rows.size(); at += k_max_rows) {
            size_t n = std::min(k_max_rows, rows.size() - at);
            SPATE_TRY(write_rows(std::span(rows).subspan(at, n), p, diffs, sink));
        }
    }
    return {};
}

status repartition_writer::write_rows(std::span<const uint32_t> rows, int32_t partition,
                                      std::span<const int8_t> diffs, const record_sink& sink) {
    _value.clear();
    _value.push_back(k_version);
    _value.push_back(static_cast<char>(diffs.empty() ? 0 : k_has_diffs));
    codec::put_varint(_value, rows.size());
    for (uint32_t r : rows) {
        uint32_t begin = r == 0 ? 0 : _key_ends[r - 1];
        codec::put_varint(_value, _key_ends[r] - begin);
        _value.append(_keys, begin, _key_ends[r] - begin);
    }
    codec::encode_batch(_value_cols, rows, _value);
    for (uint32_t r : rows)
        if (!diffs.empty()) _value.push_back(static_cast<char>(diffs[r]));
    if (_value.size() > k_max_value_bytes && rows.size() > 1) {
        size_t half = rows.size() / 2;
        SPATE_TRY(write_rows(rows.first(half), partition, diffs, sink));
        return write_rows(rows.subspan(half), partition, diffs, sink);
    }
    return produce(partition, sink);
}

status repartition_writer::flush(const record_sink& sink) {
    if (!_combiner || _combiner->groups() == 0) return {};
    for (auto& r : _rows_of)
        r.clear();
    for (uint32_t g = 0; g < _combiner->groups(); ++g)
        _rows_of[_combiner->hash(g) % static_cast<uint64_t>(_partitions)].push_back(g);
    for (int32_t p = 0; p < _partitions; ++p) {
        const auto& groups = _rows_of[static_cast<size_t>(p)];
        for (size_t at = 0; at < groups.size(); at += k_max_rows) {
            size_t n = std::min(k_max_rows, groups.size() - at);
            SPATE_TRY(write_partials(std::span(groups).subspan(at, n), p, sink));
        }
    }
    _combiner->clear();
    return {};
}

void repartition_writer::drop_partials() {
    if (_combiner) _combiner->clear();
}

status repartition_writer::write_partials(std::span<const uint32_t> groups, int32_t partition,
                                          const record_sink& sink) {
    _value.clear();
    _value.push_back(k_partials_version);
    _value.push_back(0);
    codec::put_varint(_value, groups.size());
    for (uint32_t g : groups) {
        std::string_view key = _combiner->key(g);
        codec::put_varint(_value, key.size());
        _value.append(key);
    }
    for (uint32_t g : groups) {
        _body.clear();
        _combiner->save(g, _body);
        codec::put_varint(_value, _body.size());
        _value.append(_body);
    }
    if (_value.size() > k_max_value_bytes && groups.size() > 1) {
        size_t half = groups.size() / 2;
        SPATE_TRY(write_partials(groups.first(half), partition, sink));
        return write_partials(groups.subspan(half), partition, sink);
    }
    return produce(partition, sink);
}

status repartition_writer::produce(int32_t partition, const record_sink& sink) {
    kc::outgoing_record rec;
    rec.topic = _topic;
    rec.partition = partition;
    rec.value = _value;
    if (auto s = sink(rec); !s.ok())
        return spate::make_error(s.err().code,
                                 "repartition to '" + _topic + "': " + s.err().message);
    return {};
}

status repartition_writer::write_markers(std::span<const watermark_marker> markers,
                                         const record_sink& sink) {
    std::vector<kc::header> headers(1);
    headers[0].key = k_watermark_header;
    for (const auto& m : markers) {
        headers[0].value = format_marker(m);
        for (int32_t p = 0; p < _partitions; ++p) {
            kc::outgoing_record rec;
            rec.topic = _topic;
            rec.partition = p;
            rec.headers = &headers;
            if (auto s = sink(rec); !s.ok())
                return spate::make_error(s.err().code,
                                         "watermark to '" + _topic + "': " + s.err().message);
        }
    }
    return {};
}

namespace {

// n × (varint length, bytes) into `out` (cleared first).
sql_status decode_views(std::string_view& in, uint64_t n, std::vector<std::string_view>& out) {
    out.clear();
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t len = 0;
        if (!codec::get_varint(in, len) || len > in.size()) return corrupt("bad key or partial");
        out.push_back(in.substr(0, len));
        in.remove_prefix(len);
    }
    return {};
}

}  // namespace

sql_status decode_repartition(std::string_view in, const aggregate_def& def,
                              repartition_rows& out) {
    if (in.size() < 2 || (in[0] != k_version && in[0] != k_partials_version))
        return corrupt("unknown version");
    bool partials = in[0] == k_partials_version;
    auto flags = static_cast<uint8_t>(in[1]);
    in.remove_prefix(2);
    uint64_t n = 0;
    if (!codec::get_varint(in, n) || n > in.size()) return corrupt("bad row count");
    if (auto s = decode_views(in, n, out.keys); !s.ok()) return s;
    out.partials.clear();
    if (partials) {
        if (n == 0 || flags != 0) return corrupt("bad partials record");
        if (auto s = decode_views(in, n, out.partials); !s.ok()) return s;
        if (!in.empty()) return corrupt("trailing bytes");
        out.values = chunk();
        out.diffs.clear();
        return {};
    }
    std::vector<column> cols;
    for (size_t c = def.key_types.size(); c < def.pre_columns.size(); ++c)
        cols.emplace_back(def.pre_columns[c].type);
    if (auto s = codec::decode_batch(in, n, cols); !s.ok()) return s;
    out.values = chunk(std::move(cols));
    out.values.set_rows(n);
    out.diffs.clear();
    if (flags & k_has_diffs) {
        if (in.size() != n) return corrupt("bad diffs");
        for (char d : in)
            out.diffs.push_back(static_cast<int8_t>(d));
    } else if (!in.empty()) {
        return corrupt("trailing bytes");
    }
    return {};
}

}  // namespace spate::sql::detail
