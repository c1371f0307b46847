#include "sql/stream/watermark.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace {

template <typename T>
std::optional<T> parse_int(std::string_view s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::string format_marker(const watermark_marker& m) {
    return std::to_string(m.source_partition) + ":" +
           (m.idle ? std::string("idle") : std::to_string(m.micros));
}

std::optional<watermark_marker> parse_marker(std::string_view header) {
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto p = parse_int<int32_t>(header.substr(0, colon));
    if (!p || *p < 0) return std::nullopt;
    watermark_marker m;
    m.source_partition = *p;
    std::string_view rest = header.substr(colon + 1);
    if (rest == "idle") {
        m.idle = true;
        return m;
    }
    auto v = parse_int<int64_t>(rest);
    if (!v) return std::nullopt;
    m.micros = *v;
    return m;
}

std::string watermark_metadata(std::optional<int64_t> wm) {
    return wm ? "wm=" + std::to_string(*wm) : std::string();
}

std::optional<int64_t> parse_watermark_metadata(std::string_view metadata) {
    if (metadata.substr(0, 3) != "wm=") return std::nullopt;
    return parse_int<int64_t>(metadata.substr(3));
}

void source_clock::assign(int32_t partition, std::optional<int64_t> committed, steady_time now) {
    part& p = _parts[partition];
    p = part{};
    p.wm = p.committed_wm = committed;
    p.last_record = now;
}

void source_clock::revoke(int32_t partition) {
    _parts.erase(partition);
}

size_t source_clock::observe(int32_t partition, const column& time, const column& watermark,
                             std::vector<uint8_t>& late, std::vector<int64_t>& late_against) {
    part& p = _parts[partition];
    const auto& t = time.values<int64_t>();
    const auto& w = watermark.values<int64_t>();
    late.assign(time.size(), 0);
    late_against.clear();
    std::optional<int64_t> wm = p.wm;
    for (size_t i = 0; i < time.size(); ++i) {
        if (!time.is_null(i) && wm && t[i] < *wm) {
            late[i] = 1;
            late_against.push_back(*wm);
            continue;
        }
        if (!watermark.is_null(i) && (!wm || w[i] > *wm)) wm = w[i];
    }
    p.wm = wm;
    return late_against.size();
}

void source_clock::touch(int32_t partition, steady_time now) {
    auto it = _parts.find(partition);
    if (it != _parts.end()) it->second.last_record = now;
}

std::optional<int64_t> source_clock::watermark(int32_t partition) const {
    auto it = _parts.find(partition);
    if (it == _parts.end()) return std::nullopt;
    return it->second.wm;
}

std::optional<watermark_marker> source_clock::marker_of(int32_t id, const part& p,
                                                        steady_time now) const {
    watermark_marker m;
    m.source_partition = id;
    if (_def.idle_timeout_ms > 0 && !_def.processing_time &&
        now - p.last_record >= std::chrono::milliseconds(_def.idle_timeout_ms)) {
        m.idle = true;
        return m;
    }
    if (!p.wm) return std::nullopt;
    m.micros = *p.wm;
    return m;
}

std::vector<watermark_marker> source_clock::due(steady_time now, int64_t now_micros) {
    std::vector<watermark_marker> out;
    for (auto& [id, p] : _parts) {
        // Processing time: the wall clock, never going back.
        if (_def.processing_time) p.wm = std::max(p.wm.value_or(now_micros), now_micros);
        auto m = marker_of(id, p, now);
        if (!m || (p.sent && *p.sent == *m)) continue;
        p.sent = m;
        p.sent_at = now;
        out.push_back(*m);
    }
    return out;
}

bool source_clock::pending(steady_time now) const {
    for (const auto& [id, p] : _parts) {
        if (_def.processing_time) {
            if (!p.sent || now - p.sent_at >= std::chrono::seconds(1)) return true;
            continue;
        }
        auto m = marker_of(id, p, now);
        if (m && !(p.sent && *p.sent == *m)) return true;
    }
    return false;
}

std::optional<int64_t> source_clock::low() const {
    std::optional<int64_t> out;
    for (const auto& [id, p] : _parts)
        if (p.wm && (!out || *p.wm < *out)) out = p.wm;
    return out;
}

void source_clock::committed() {
    for (auto& [id, p] : _parts) {
        p.committed_wm = p.wm;
        p.committed_sent = p.sent;
    }
}

void source_clock::aborted() {
    for (auto& [id, p] : _parts) {
        p.wm = p.committed_wm;
        p.sent = p.committed_sent;
    }
}

bool watermark_merger::apply(const watermark_marker& m) {
    auto at = static_cast<size_t>(m.source_partition);
    if (at >= _parts.size()) _parts.resize(at + 1);
    entry& e = _parts[at];
    e.reported = true;
    e.idle = m.idle;
    if (!m.idle) e.wm = std::max(e.wm, m.micros);
    std::optional<int64_t> low, high;
    for (const entry& p : _parts) {
        if (!p.reported) return false;
        if (p.wm != std::numeric_limits<int64_t>::min() && (!high || p.wm > *high)) high = p.wm;
        if (p.idle) continue;
        if (!low || p.wm < *low) low = p.wm;
    }
    // Every partition idle: all they had is in, up to the latest watermark.
    if (!low) low = high;
    if (!low || (_value && *low <= *_value)) return false;
    _value = low;
    return true;
}

// Layout: varint count, then per partition a flags byte (1 reported, 2 idle)
// and the watermark (8 bytes, ordered), then a flags byte (1: value set)
// and the value.
std::string watermark_merger::save() const {
    std::string out;
    stream_codec::put_varint(out, _parts.size());
    for (const entry& e : _parts) {
        out.push_back(static_cast<char>((e.reported ? 1 : 0) | (e.idle ? 2 : 0)));
        stream_codec::put_ordered_i64(out, e.wm);
    }
    out.push_back(_value ? '\1' : '\0');
    stream_codec::put_ordered_i64(out, _value.value_or(0));
    return out;
}

sql_status watermark_merger::load(std::string_view in) {
    auto bad = make_error(sql_errc::internal_error, "corrupt watermark state");
    uint64_t n = 0;
    if (!stream_codec::get_varint(in, n) || in.size() != n * 9 + 9) return bad;
    std::vector<entry> parts(n);
    for (auto& e : parts) {
        auto flags = static_cast<uint8_t>(in[0]);
        e.reported = flags & 1;
        e.idle = flags & 2;
        e.wm = stream_codec::get_ordered_i64(in.substr(1));
        in.remove_prefix(9);
    }
    if (parts.size() < _parts.size()) parts.resize(_parts.size());
    _parts = std::move(parts);
    if (in[0] == '\1')
        _value = stream_codec::get_ordered_i64(in.substr(1));
    else
        _value.reset();
    return {};
}

}  // namespace spate::sql::detail
