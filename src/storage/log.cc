#include "storage/log.h"

#include <array>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <tuple>

#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "model/records.h"
#include "storage/compactor.h"

namespace spate::storage {

namespace {
constexpr const char* k_partition_meta = "partition.meta";

std::optional<int64_t> parse_segment_base(const std::filesystem::path& p) {
    auto stem = p.stem().string();
    if (stem.size() != 20) return std::nullopt;
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
    if (ec != std::errc() || ptr != stem.data() + stem.size() || v < 0) return std::nullopt;
    return v;
}

// The marker of the control batch of `size` bytes at `pos`; nullopt for a
// control record that is not a transaction marker.
result<std::optional<model::control_marker>> read_marker(const segment& seg, uint64_t pos,
                                                         uint32_t size) {
    std::vector<std::byte> buf(size);
    auto n = seg.data_file()->pread(buf, pos);
    if (!n.ok()) return n.err();
    if (*n != size) return make_error(errc::corrupt, "short control batch");
    auto view = model::record_batch_view::parse_unchecked_crc(buf);
    if (!view.ok()) return view.err();
    std::vector<std::byte> scratch;
    auto reader = model::record_reader::create(*view, scratch);
    if (!reader.ok()) return reader.err();
    model::record_view rec;
    auto got = reader->next(rec);
    if (!got.ok()) return got.err();
    if (!*got) return std::optional<model::control_marker>();
    auto m = model::parse_control_marker(rec);
    if (!m.ok()) {
        if (m.err().code == errc::unsupported) return std::optional<model::control_marker>();
        return m.err();
    }
    return std::optional<model::control_marker>(*m);
}

// The LSO given the producer state and the log end.
int64_t stable_offset(const producer_state& p, int64_t end) {
    auto f = p.first_open_txn_offset();
    return f ? std::min(f->value(), end) : end;
}
}  // namespace

int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

status read_result::copy_to(std::vector<std::byte>& out) const {
    if (!chunk) return {};
    size_t old = out.size();
    out.resize(old + chunk->size);
    auto n = chunk->data_file->pread(std::span<std::byte>(out.data() + old, chunk->size),
                                     chunk->position);
    if (!n.ok()) return n.err();
    if (*n != chunk->size)
        return make_error(errc::io_error, "short read from " + chunk->data_file->path().string());
    return {};
}

log::log(std::filesystem::path dir, topic_config config, clock_fn clock)
    : _dir(std::move(dir))
    , _clock(std::move(clock))
    , _config(std::move(config))
    , _flush_messages(_config.flush_messages)
    , _flush_bytes(_config.flush_bytes)
    , _flush_ms(_config.flush_ms) {}

log::~log() = default;

result<std::shared_ptr<log>> log::open(const std::filesystem::path& dir, topic_config config,
                                       bool clean_shutdown, clock_fn clock) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(errc::io_error, "create " + dir.string() + ": " + ec.message());
    std::shared_ptr<log> l(new log(dir, std::move(config), std::move(clock)));
    SPATE_TRY(l->recover(clean_shutdown));
    return l;
}

status log::persist_start_offset(int64_t start) {
    return write_file_atomic(_dir / k_partition_meta,
                             "log_start_offset=" + std::to_string(start) + "\n");
}

status log::recover(bool clean_shutdown) {
    int64_t now = _clock();
    // Stored log start offset (DeleteRecords / retention), if any.
    int64_t stored_start = 0;
    if (std::filesystem::exists(_dir / k_partition_meta)) {
        auto meta = read_small_file(_dir / k_partition_meta, 4096);
        if (!meta.ok()) return meta.err();
        const std::string prefix = "log_start_offset=";
        std::string s = *meta;
        if (s.rfind(prefix, 0) != 0 || s.empty() || s.back() != '\n') {
            return make_error(errc::corrupt, (_dir / k_partition_meta).string() + ": unreadable");
        }
        auto digits = s.substr(prefix.size(), s.size() - prefix.size() - 1);
        auto [p, e] = std::from_chars(digits.data(), digits.data() + digits.size(), stored_start);
        if (e != std::errc() || p != digits.data() + digits.size() || stored_start < 0) {
            return make_error(errc::corrupt, (_dir / k_partition_meta).string() + ": bad offset");
        }
    }

    // Finish or undo a compaction swap interrupted by a crash.
    SPATE_TRY(compaction::recover(_dir));

    std::vector<int64_t> bases;
    for (const auto& entry : std::filesystem::directory_iterator(_dir)) {
        const auto& p = entry.path();
        auto ext = p.extension().string();
        if (ext == ".tmp") {
            std::filesystem::remove(p);
            continue;
        }
        auto base = parse_segment_base(p);
        if (!base) continue;
        if (ext == ".log") {
            bases.push_back(*base);
        } else if ((ext == ".index" || ext == ".timeindex" || ext == ".txnindex") &&
                   !std::filesystem::exists(_dir /
                                            segment_file_name(model::offset(*base), ".log"))) {
            std::filesystem::remove(p);  // index left behind by a deleted segment
        }
    }
    std::sort(bases.begin(), bases.end());

    int64_t end = stored_start;
    for (size_t i = 0; i < bases.size(); ++i) {
        bool last = i + 1 == bases.size();
        recovery_stats stats;
        auto seg = segment::open(_dir, model::offset(bases[i]), _config.index_interval_bytes,
                                 last && !clean_shutdown, now, stats);
        if (!seg.ok()) return seg.err();
        if (!_segments.empty() && _segments.back()->next_offset() > (*seg)->base_offset()) {
            return make_error(errc::corrupt, _dir.string() + ": segments overlap at offset " +
                                                 std::to_string(bases[i]));
        }
        _segments.push_back(std::move(*seg));
    }
    // Segments wholly below the stored log start were deleted logically before a crash.
    std::vector<std::shared_ptr<segment>> doomed;
    while (_segments.size() > 1 && _segments.front()->next_offset().value() <= stored_start &&
           _segments[1]->base_offset().value() <= stored_start) {
        doomed.push_back(_segments.front());
        _segments.erase(_segments.begin());
    }
    remove_segments(std::move(doomed));

    if (_segments.empty()) {
        auto seg =
            segment::create(_dir, model::offset(stored_start), _config.index_interval_bytes, now);
        if (!seg.ok()) return seg.err();
        _segments.push_back(std::move(*seg));
    }
    end = _segments.back()->next_offset().value();
    int64_t start = std::max(stored_start, _segments.front()->base_offset().value());
    start = std::min(start, end);
    _start = start;
    _end = end;
    if (!clean_shutdown) SPATE_TRY(_segments.back()->sync_data());
    _durable = end;
    _last_sync_ms = now;
    return rebuild_producer_state();
}

void log::remove_segments(std::vector<std::shared_ptr<segment>> doomed) {
    for (auto& s : doomed)
        (void)s->remove_files();
}

status log::roll_locked(int64_t now_ms) {
    auto& active = _segments.back();
    active->seal();
    SPATE_TRY(active->flush_indexes(true));
    SPATE_TRY(active->sync_data());
    auto next = active->next_offset();
    {
        std::lock_guard lk(_sync_mu);
        _durable = std::max(_durable.load(), next.value());
    }
    auto seg = segment::create(_dir, next, _config.index_interval_bytes, now_ms);
    if (!seg.ok()) return seg.err();
    _segments.push_back(std::move(*seg));
    // Best effort: a missing snapshot only lengthens the replay on open.
    (void)snapshot_producers_locked();
    return {};
}

status log::snapshot_producers_locked() {
    model::offset end = log_end_offset();
    SPATE_TRY(write_producer_snapshot(_dir, _producers, end));
    return prune_producer_snapshots(_dir, end, 2);
}

status log::rebuild_producer_state() {
    model::offset end = log_end_offset();
    model::offset from = log_start_offset();
    _producers = producer_state();
    auto snap = load_producer_snapshot(_dir, end);
    if (!snap.ok()) return snap.err();
    if (*snap && (*snap)->next_offset >= from) {
        _producers = std::move((*snap)->state);
        from = (*snap)->next_offset;
    }
    SPATE_TRY(prune_producer_snapshots(_dir, end, 2));
    // Transaction index entries past the log end describe truncated log;
    // entries missing from the replayed range (a torn or lost index tail)
    // are re-derived by the replay below.
    size_t first_replayed = segment_index_for(from);
    for (size_t i = first_replayed; i < _segments.size(); ++i)
        SPATE_TRY(_segments[i]->txns().truncate_from(end));
    std::array<std::byte, model::batch_layout::header_size> header;
    for (size_t i = first_replayed; i < _segments.size(); ++i) {
        const auto& seg = _segments[i];
        auto first = seg->find_batch(from);
        if (!first.ok()) return first.err();
        if (!*first) continue;
        for (uint64_t pos = (*first)->position; pos < seg->size();) {
            auto n = seg->data_file()->pread(header, pos);
            if (!n.ok()) return n.err();
            if (*n != header.size())
                return make_error(errc::corrupt, seg->data_file()->path().string() +
                                                     ": short batch header at " +
                                                     std::to_string(pos));
            auto info = producer_batch_info::from_header(header);
            auto base = bytes::load_be<int64_t>(header.data() + model::batch_layout::base_offset);
            auto length =
                bytes::load_be<int32_t>(header.data() + model::batch_layout::batch_length);
            auto delta =
                bytes::load_be<int32_t>(header.data() + model::batch_layout::last_offset_delta);
            uint32_t size = model::batch_layout::log_overhead + static_cast<uint32_t>(length);
            int64_t txn_first = -1;
            if (info.has_producer() && info.control) {
                const auto* e = _producers.find(info.pid);
                if (e && e->txn_first_offset >= 0) {
                    auto m = read_marker(*seg, pos, size);
                    if (!m.ok()) return m.err();
                    if (*m && (*m)->type == model::control_record_type::abort)
                        txn_first = e->txn_first_offset;
                }
            }
            if (info.has_producer())
                _producers.update(info, model::offset(base), model::offset(base + delta));
            // The index holds a prefix of the segment's aborts: add the ones
            // past its last entry.
            const auto& known = seg->txns().entries();
            if (txn_first >= 0 && (known.empty() || known.back().last_offset < base)) {
                SPATE_TRY(seg->txns().append(
                    {info.pid.value(), txn_first, base, stable_offset(_producers, base + 1)}));
            }
            pos += size;
        }
    }
    _producers.drop_below(log_start_offset());
    return {};
}

producer_state log::producers() const {
    std::shared_lock lk(_mu);
    return _producers;
}

result<append_result> log::append(std::span<std::byte> data) {
    // Validate every batch before taking the lock: the CRC does not cover the
    // base offset, so it can be checked before offsets are assigned.
    struct pending {
        size_t at;
        uint32_t size;
        int32_t last_delta;
        int64_t max_ts;
    };
    std::vector<pending> batches;
    size_t max_batch;
    bool log_append_time;
    {
        std::shared_lock lk(_mu);
        max_batch =
            static_cast<size_t>(_config.max_message_bytes) + model::batch_layout::log_overhead;
        log_append_time = _config.log_append_time;
    }
    max_batch = std::min<size_t>(max_batch, segment::k_max_batch_bytes);
    for (size_t at = 0; at < data.size();) {
        auto rest = std::span<const std::byte>(data.data() + at, data.size() - at);
        auto size = model::record_batch_view::peek_size(rest, max_batch);
        if (!size.ok()) {
            if (size.err().code == errc::out_of_range)
                return make_error(errc::corrupt, "truncated batch");
            return size.err();
        }
        auto view = model::record_batch_view::parse(rest);
        if (!view.ok()) {
            if (view.err().code == errc::out_of_range)
                return make_error(errc::corrupt, view.err().message);
            return view.err();
        }
        // Markers come from the transaction coordinator (append_marker), never
        // from clients, as in Kafka.
        if (view->is_control())
            return make_error(errc::invalid_argument, "control batches cannot be produced");
        batches.push_back(
            {at, static_cast<uint32_t>(*size), view->last_offset_delta(), view->max_timestamp()});
        at += *size;
    }
    if (batches.empty()) return make_error(errc::invalid_argument, "no record batches to append");
    auto producer = producer_batch_info::from_header(data.subspan(batches.front().at));
    if (producer.has_producer() && batches.size() != 1)
        return make_error(errc::invalid_argument,
                          "a producer id's batches must be appended one at a time");

    std::unique_lock lk(_mu);
    if (_closed) return make_error(errc::shutting_down, "log is closed");
    if (producer.has_producer()) {
        auto c = _producers.check(producer);
        switch (c.verdict) {
            case producer_verdict::append:
                break;
            case producer_verdict::duplicate:
                return append_result{c.first_offset, c.last_offset, -1, true};
            case producer_verdict::out_of_order_sequence:
                return make_error(errc::out_of_order_sequence,
                                  "producer " + std::to_string(producer.pid.value()) +
                                      ": sequence " + std::to_string(producer.first_seq) +
                                      " does not follow the last one");
            case producer_verdict::invalid_producer_epoch:
                return make_error(errc::producer_fenced,
                                  "producer " + std::to_string(producer.pid.value()) + ": epoch " +
                                      std::to_string(producer.epoch.value()) + " is fenced");
        }
    }
    int64_t now = _clock();
    int64_t append_time = log_append_time ? now : -1;
    auto* active = _segments.back().get();
    int64_t first = _end.load();
    int64_t total_delta = 0;
    for (const auto& b : batches)
        total_delta += static_cast<int64_t>(b.last_delta) + 1;
    // A compacted topic also rolls by max.compaction.lag.ms, so that its
    // records become cleanable in time.
    int64_t roll_ms = _config.cleanup_compact
                          ? std::min(_config.segment_ms, _config.max_compaction_lag_ms)
                          : _config.segment_ms;
    if (!active->empty() &&
        (active->size() + data.size() > static_cast<uint64_t>(_config.segment_bytes) ||
         now - active->first_append_ms() >= roll_ms ||
         first + total_delta - active->base_offset().value() > INT32_MAX)) {
        SPATE_TRY(roll_locked(now));
        active = _segments.back().get();
    }
    std::vector<batch_position> positions;
    positions.reserve(batches.size());
    int64_t next = first;
    for (const auto& b : batches) {
        auto bytes = data.subspan(b.at, b.size);
        model::set_base_offset(bytes, model::offset(next));
        int64_t max_ts = b.max_ts;
        if (log_append_time) {
            model::set_log_append_time(bytes, now);
            max_ts = now;
        }
        positions.push_back(
            {model::offset(next), model::offset(next + b.last_delta), max_ts, b.at, b.size});
        next += static_cast<int64_t>(b.last_delta) + 1;
    }
    auto s = active->append(data, positions, now);
    if (!s.ok()) {
        // A failed write may have left a partial batch in the file: cut it off
        // so the log stays a sequence of whole batches.
        (void)active->data_file()->truncate(active->size());
        return s.err();
    }
    _end = next;
    _appended_bytes += data.size();
    mark_dirty();
    if (producer.has_producer())
        _producers.update(producer, model::offset(first), model::offset(next - 1));
    return append_result{model::offset(first), model::offset(next - 1), append_time};
}

result<append_result> log::append_marker(model::producer_id pid, model::producer_epoch epoch,
                                         bool commit, int32_t coordinator_epoch) {
    if (pid.value() < 0) return make_error(errc::invalid_argument, "marker without producer id");
    std::unique_lock lk(_mu);
    if (_closed) return make_error(errc::shutting_down, "log is closed");
    const producer_entry* e = _producers.find(pid);
    if (e && epoch < e->epoch) {
        return make_error(errc::producer_fenced,
                          "producer " + std::to_string(pid.value()) + ": marker epoch " +
                              std::to_string(epoch.value()) + " is older than " +
                              std::to_string(e->epoch.value()));
    }
    int64_t txn_first = e ? e->txn_first_offset : -1;
    int64_t now = _clock();
    int64_t offset = _end.load();
    auto type = commit ? model::control_record_type::commit : model::control_record_type::abort;
    auto data =
        model::build_control_batch(type, coordinator_epoch, now, pid, epoch, model::offset(offset));
    if (_config.log_append_time) model::set_log_append_time(data, now);
    auto* active = _segments.back().get();
    int64_t roll_ms = _config.cleanup_compact
                          ? std::min(_config.segment_ms, _config.max_compaction_lag_ms)
                          : _config.segment_ms;
    if (!active->empty() &&
        (active->size() + data.size() > static_cast<uint64_t>(_config.segment_bytes) ||
         now - active->first_append_ms() >= roll_ms ||
         offset - active->base_offset().value() >= INT32_MAX)) {
        SPATE_TRY(roll_locked(now));
        active = _segments.back().get();
    }
    batch_position pos{model::offset(offset), model::offset(offset), now, 0,
                       static_cast<uint32_t>(data.size())};
    auto s = active->append(data, std::span(&pos, 1), now);
    if (!s.ok()) {
        (void)active->data_file()->truncate(active->size());
        return s.err();
    }
    _end = offset + 1;
    _appended_bytes += data.size();
    mark_dirty();
    auto view = model::record_batch_view::parse_unchecked_crc(data);
    SPATE_ASSERT(view.ok());
    _producers.update(producer_batch_info::from(*view), model::offset(offset),
                      model::offset(offset));
    if (!commit && txn_first >= 0) {
        // The marker is in the log: an index entry that fails to be written
        // is re-derived by the replay on the next open.
        auto st = active->txns().append(
            {pid.value(), txn_first, offset, stable_offset(_producers, offset + 1)});
        if (!st.ok()) return st.err();
    }
    return append_result{model::offset(offset), model::offset(offset),
                         _config.log_append_time ? now : -1};
}

model::offset log::last_stable_offset() const {
    std::shared_lock lk(_mu);
    return model::offset(std::max(stable_offset(_producers, _end.load()), _start.load()));
}

result<std::vector<aborted_transaction>> log::aborted_transactions(model::offset from,
                                                                   model::offset upto) const {
    std::shared_lock lk(_mu);
    std::vector<aborted_transaction> out;
    // A crash during a compaction swap can leave an entry in two indexes.
    std::set<std::pair<int64_t, int64_t>> seen;
    if (upto <= from) return out;
    for (size_t i = segment_index_for(from); i < _segments.size(); ++i) {
        for (const auto& e : _segments[i]->txns().entries()) {
            if (e.last_offset >= from.value() && e.first_offset < upto.value() &&
                seen.emplace(e.producer_id, e.first_offset).second) {
                out.push_back({model::producer_id(e.producer_id), model::offset(e.first_offset)});
            }
            // No transaction open at this point started below `upto`: every
            // later abort began at or after it.
            if (e.last_stable_offset >= upto.value()) return out;
        }
    }
    return out;
}

size_t log::segment_index_for(model::offset o) const {
    auto it = std::upper_bound(
        _segments.begin(), _segments.end(), o,
        [](model::offset v, const std::shared_ptr<segment>& s) { return v < s->base_offset(); });
    return it == _segments.begin() ? 0
                                   : static_cast<size_t>(std::distance(_segments.begin(), it) - 1);
}

result<read_result> log::read(model::offset from, size_t max_bytes,
                              std::optional<model::offset> limit) const {
    std::shared_lock lk(_mu);
    read_result r;
    r.log_start_offset = log_start_offset();
    r.log_end_offset = log_end_offset();
    if (from < r.log_start_offset || from > r.log_end_offset) {
        return make_error(errc::out_of_range,
                          "offset " + std::to_string(from.value()) + " outside [" +
                              std::to_string(r.log_start_offset.value()) + ", " +
                              std::to_string(r.log_end_offset.value()) + "]");
    }
    model::offset upper = limit ? std::min(*limit, r.log_end_offset) : r.log_end_offset;
    if (from >= upper) return r;
    for (size_t i = segment_index_for(from); i < _segments.size(); ++i) {
        const auto& seg = _segments[i];
        auto b = seg->find_batch(from);
        if (!b.ok()) return b.err();
        if (!*b) continue;
        auto end = seg->read_end((*b)->position, max_bytes, upper);
        if (!end.ok()) return end.err();
        if (*end > (*b)->position) {
            r.chunk = read_chunk{seg->data_file(), (*b)->position,
                                 static_cast<size_t>(*end - (*b)->position)};
        }
        break;
    }
    return r;
}

result<std::optional<model::offset>> log::offset_for_timestamp(int64_t ts) const {
    std::shared_lock lk(_mu);
    std::vector<std::byte> buf;
    std::vector<std::byte> scratch;
    for (const auto& seg : _segments) {
        if (seg->empty() || seg->max_timestamp() < ts) continue;
        auto found = seg->find_by_timestamp(ts);
        if (!found.ok()) return found.err();
        if (!*found) continue;
        // Later batches of the segment may hold the record: a compacted batch
        // can be empty (header only) while its max timestamp is >= ts.
        for (auto b = **found; b.position < seg->size();) {
            if (b.max_timestamp >= ts) {
                buf.resize(b.size);
                auto n = seg->data_file()->pread(buf, b.position);
                if (!n.ok()) return n.err();
                if (*n != buf.size()) return make_error(errc::io_error, "short read of batch");
                auto view = model::record_batch_view::parse_unchecked_crc(buf);
                if (!view.ok()) return view.err();
                auto o = model::first_offset_with_timestamp_at_least(*view, ts, scratch);
                if (!o.ok()) return o.err();
                if (*o) return std::optional<model::offset>(std::max(**o, log_start_offset()));
            }
            if (b.position + b.size >= seg->size()) break;
            auto next = seg->header_at(b.position + b.size);
            if (!next.ok()) return next.err();
            b = *next;
        }
    }
    return std::optional<model::offset>();
}

status log::sync() {
    std::unique_lock lk(_sync_mu);
    int64_t target = _end.load();
    while (_durable.load() < target) {
        if (_sync_in_progress) {
            _sync_cv.wait(lk);
            continue;
        }
        _sync_in_progress = true;
        lk.unlock();
        std::shared_ptr<segment> active;
        int64_t end;
        uint64_t bytes;
        {
            std::shared_lock l(_mu);
            active = _segments.back();
            end = _end.load();
            bytes = _appended_bytes.load();
        }
        status s = active->sync_data();
        int64_t now = _clock();
        lk.lock();
        _sync_in_progress = false;
        if (s.ok()) {
            _durable = std::max(_durable.load(), end);
            _durable_bytes = std::max(_durable_bytes, bytes);
            _last_sync_ms = now;
        }
        _sync_cv.notify_all();
        lk.unlock();
        complete_waiters(s);
        if (!s.ok()) return s;
        lk.lock();
    }
    return {};
}

void log::complete_waiters(status s) {
    std::vector<std::function<void(status)>> ready;
    {
        std::lock_guard lk(_sync_mu);
        int64_t durable = _durable.load();
        auto stop = s.ok() ? _waiters.upper_bound(durable - 1) : _waiters.end();
        for (auto it = _waiters.begin(); it != stop;) {
            ready.push_back(std::move(it->second));
            it = _waiters.erase(it);
        }
    }
    for (auto& f : ready)
        f(s);
}

status log::wait_durable(model::offset o) {
    while (_durable.load() < o.value()) {
        if (o.value() > _end.load()) return make_error(errc::out_of_range, "offset beyond log end");
        SPATE_TRY(sync());
    }
    return {};
}

void log::when_durable(model::offset o, std::function<void(status)> done) {
    sync_scheduler scheduler;
    {
        std::lock_guard lk(_sync_mu);
        if (_durable.load() < o.value()) {
            _waiters.emplace(o.value() - 1, std::move(done));
            scheduler = _scheduler ? _scheduler : [](std::shared_ptr<log> l) { (void)l->sync(); };
        }
    }
    if (!scheduler) {
        done({});
        return;
    }
    scheduler(shared_from_this());
}

void log::set_sync_scheduler(sync_scheduler s) {
    std::lock_guard lk(_sync_mu);
    _scheduler = std::move(s);
}

void log::set_dirty_notifier(dirty_notifier n) {
    std::unique_lock lk(_mu);
    _dirty_notifier = std::move(n);
}

void log::mark_dirty() {
    // The load keeps the common case (already marked) free of a locked
    // instruction. Ordering (all seq_cst): the caller stored _end before;
    // still_dirty() clears the mark before it reads _end, so either it sees
    // this append's end or this exchange sees the cleared mark.
    if (_dirty_marked.load() || _dirty_marked.exchange(true)) return;
    if (_dirty_notifier) _dirty_notifier(shared_from_this());
}

bool log::still_dirty() {
    _dirty_marked.store(false);
    if (_end.load() <= _durable.load()) return false;
    return !_dirty_marked.exchange(true);
}

log::flush_policy log::policy() const {
    flush_policy p;
    p.messages = _flush_messages.load();
    p.by_time_or_size = _flush_ms.load() != INT64_MAX || _flush_bytes.load() != INT64_MAX;
    p.any = p.by_time_or_size || p.messages != INT64_MAX;
    return p;
}

bool log::has_durability_waiters() const {
    std::lock_guard lk(_sync_mu);
    return !_waiters.empty();
}

bool log::flush_due(int64_t now_ms) const {
    int64_t end = _end.load();
    int64_t durable = _durable.load();
    if (end <= durable) return false;
    std::lock_guard lk(_sync_mu);
    if (!_waiters.empty()) return true;
    return end - durable >= _flush_messages.load() ||
           _appended_bytes.load() - _durable_bytes >= static_cast<uint64_t>(_flush_bytes.load()) ||
           now_ms - _last_sync_ms >= _flush_ms.load();
}

status log::delete_records_before(model::offset o) {
    std::vector<std::shared_ptr<segment>> doomed;
    {
        std::unique_lock lk(_mu);
        if (_closed) return make_error(errc::shutting_down, "log is closed");
        if (o.value() > _end.load() || o.value() < 0) {
            return make_error(errc::out_of_range, "delete offset " + std::to_string(o.value()) +
                                                      " beyond log end " +
                                                      std::to_string(_end.load()));
        }
        if (o.value() <= _start.load()) return {};
        if (o.value() == _end.load() && !_segments.back()->empty())
            SPATE_TRY(roll_locked(_clock()));
        SPATE_TRY(persist_start_offset(o.value()));
        _start = o.value();
        _producers.drop_below(o);
        while (_segments.size() > 1 && _segments.front()->next_offset() <= o) {
            doomed.push_back(_segments.front());
            _segments.erase(_segments.begin());
        }
    }
    remove_segments(std::move(doomed));
    return {};
}

result<size_t> log::enforce_retention(int64_t now_ms) {
    std::vector<std::shared_ptr<segment>> doomed;
    {
        std::unique_lock lk(_mu);
        if (_closed) return size_t{0};
        _producers.expire(now_ms, k_producer_id_expiration_ms);
        if (!_config.cleanup_delete) return size_t{0};
        uint64_t total = 0;
        for (const auto& s : _segments)
            total += s->size();
        auto expired_by_time = [&](const segment& s) {
            return _config.retention_ms >= 0 && !s.empty() && s.max_timestamp() >= 0 &&
                   s.max_timestamp() < now_ms - _config.retention_ms;
        };
        auto over_size = [&](const segment& s) {
            return _config.retention_bytes >= 0 &&
                   total - s.size() >= static_cast<uint64_t>(_config.retention_bytes);
        };
        // An expired active segment is rolled so that it can be deleted too.
        bool all_closed_expire = std::all_of(_segments.begin(), _segments.end() - 1,
                                             [&](const auto& s) { return expired_by_time(*s); });
        if (all_closed_expire && expired_by_time(*_segments.back())) SPATE_TRY(roll_locked(now_ms));
        size_t n = 0;
        while (n + 1 < _segments.size() &&
               (expired_by_time(*_segments[n]) || over_size(*_segments[n]))) {
            total -= _segments[n]->size();
            ++n;
        }
        if (n == 0) return size_t{0};
        int64_t new_start = std::max(_start.load(), _segments[n]->base_offset().value());
        SPATE_TRY(persist_start_offset(new_start));
        _start = new_start;
        _producers.drop_below(model::offset(new_start));
        doomed.assign(_segments.begin(), _segments.begin() + static_cast<ptrdiff_t>(n));
        _segments.erase(_segments.begin(), _segments.begin() + static_cast<ptrdiff_t>(n));
    }
    size_t n = doomed.size();
    remove_segments(std::move(doomed));
    return n;
}

std::optional<size_t> log::locate_sources(std::span<const std::shared_ptr<segment>> sources) const {
    auto it = std::find(_segments.begin(), _segments.end(), sources.front());
    if (it == _segments.end()) return std::nullopt;
    auto at = static_cast<size_t>(std::distance(_segments.begin(), it));
    if (at + sources.size() >= _segments.size()) return std::nullopt;  // reaches the active one
    for (size_t i = 0; i < sources.size(); ++i) {
        if (_segments[at + i] != sources[i]) return std::nullopt;
    }
    return at;
}

result<compaction_result> log::compact(int64_t now_ms, const compaction_options& o) {
    std::lock_guard cl(_compact_mu);
    compaction_result r;
    if (_compaction_abort.load()) return r;
    if (_first_dirty < 0) _first_dirty = compaction::read_checkpoint(_dir).value_or(0);

    // Snapshot the cleanable segments: sealed, and (with min.compaction.lag.ms)
    // holding no record newer than the lag.
    std::vector<compaction::source_segment> cleanable;
    topic_config cfg;
    int64_t first_dirty = 0;
    uint64_t clean_bytes = 0;
    uint64_t dirty_bytes = 0;
    int64_t first_dirty_ts = -1;
    compaction::aborted_ranges aborted;
    {
        std::shared_lock lk(_mu);
        if (_closed || !_config.cleanup_compact) return r;
        cfg = _config;
        // Nothing at or past the last stable offset is cleaned: records of
        // open transactions (and all after them) stay as they are, and every
        // transaction with records in the cleaned range is decided.
        const int64_t lso = stable_offset(_producers, _end.load());
        for (size_t i = 0; i + 1 < _segments.size(); ++i) {
            const auto& s = _segments[i];
            if (s->next_offset().value() > lso) break;
            if (cfg.min_compaction_lag_ms > 0 &&
                s->max_timestamp() > now_ms - cfg.min_compaction_lag_ms) {
                break;
            }
            cleanable.push_back({s, s->size(), s->base_offset(), s->next_offset()});
        }
        if (cleanable.empty()) return r;
        aborted = compaction::aborted_ranges::collect(_segments, cleanable.front().base,
                                                      cleanable.back().next);
        first_dirty = std::clamp(_first_dirty, cleanable.front().base.value(),
                                 std::max(cleanable.front().base.value(), _end.load()));
        for (const auto& c : cleanable) {
            if (c.next.value() <= first_dirty) {
                clean_bytes += c.size;
                continue;
            }
            uint64_t pos = 0;
            if (c.base.value() < first_dirty) {
                auto b = c.seg->find_batch(model::offset(first_dirty));
                if (!b.ok()) return b.err();
                if (*b) pos = (*b)->position;
            }
            if (first_dirty_ts < 0 && pos < c.size) {
                auto h = c.seg->header_at(pos);
                if (!h.ok()) return h.err();
                first_dirty_ts = h->max_timestamp;
            }
            clean_bytes += pos;
            dirty_bytes += c.size - pos;
        }
    }
    r.first_dirty = first_dirty;
    r.cleaned_to = first_dirty;
    double ratio = dirty_bytes == 0 ? 0.0
                                    : static_cast<double>(dirty_bytes) /
                                          static_cast<double>(dirty_bytes + clean_bytes);
    bool lag_exceeded = cfg.max_compaction_lag_ms < INT64_MAX && dirty_bytes > 0 &&
                        first_dirty_ts >= 0 && first_dirty_ts < now_ms - cfg.max_compaction_lag_ms;
    bool due = o.force || (dirty_bytes > 0 && ratio >= cfg.min_cleanable_dirty_ratio) ||
               lag_exceeded || _delete_horizon.load() <= now_ms;
    if (!due) return r;

    // Latest offset of every key in the dirty section, as far as memory allows.
    compaction::offset_map map;
    int64_t map_end = cleanable.back().next.value();
    {
        std::vector<std::byte> scratch;
        bool full = false;
        for (const auto& c : cleanable) {
            if (full) break;
            if (c.next.value() <= first_dirty) continue;
            compaction::batch_scanner sc(c.seg->data_file(), c.size);
            for (;;) {
                if (_compaction_abort.load())
                    return make_error(errc::shutting_down, "compaction aborted");
                auto b = sc.next();
                if (!b.ok()) return b.err();
                if (!*b) break;
                const auto& v = **b;
                // Aborted records never count as a key's latest value.
                if (v.last_offset().value() < first_dirty || v.is_control() || aborted.contains(v))
                    continue;
                auto reader = model::record_reader::create(v, scratch);
                if (!reader.ok()) return reader.err();
                auto st = reader->for_each([&](const model::record_view& rec) {
                    if (rec.key) map.put(*rec.key, reader->offset_of(rec).value());
                });
                if (!st.ok()) return st.err();
                if (map.memory_bytes() >= o.map_memory_bytes &&
                    v.last_offset().value() + 1 < map_end) {
                    map_end = v.last_offset().value() + 1;
                    full = true;
                    break;
                }
            }
        }
    }

    // Rewrite every cleanable segment that starts below the map's end, in
    // groups that fit one segment.
    std::vector<compaction::source_segment> rewrite;
    for (const auto& c : cleanable) {
        if (c.base.value() < map_end) rewrite.push_back(c);
    }
    auto last_of_pid = compaction::last_batch_per_producer(rewrite);
    if (!last_of_pid.ok()) return last_of_pid.err();
    compaction::retention_rule rule{&map, map_end, now_ms, cfg.delete_retention_ms, &aborted};
    int64_t min_horizon = INT64_MAX;
    uint64_t removed_bytes = 0;
    for (size_t first = 0; first < rewrite.size();) {
        size_t last = first + 1;
        uint64_t bytes = rewrite[first].size;
        while (last < rewrite.size() &&
               bytes + rewrite[last].size <= static_cast<uint64_t>(cfg.segment_bytes) &&
               rewrite[last].next.value() - 1 - rewrite[first].base.value() <= INT32_MAX) {
            bytes += rewrite[last].size;
            ++last;
        }
        std::span<const compaction::source_segment> group(rewrite.data() + first, last - first);
        first = last;
        auto base = group.front().base;
        auto gr = compaction::write_cleaned_group(_dir, group, rule, *last_of_pid,
                                                  cfg.index_interval_bytes, _compaction_abort);
        if (!gr.ok()) return gr.err();
        min_horizon = std::min(min_horizon, gr->min_delete_horizon);
        if (!gr->changed) {
            compaction::remove_cleaned(_dir, base);
            continue;
        }
        if (o.simulate_crash == compaction::stop_point::after_cleaned)
            return make_error(errc::io_error, "simulated crash");
        std::vector<std::shared_ptr<segment>> sources;
        std::vector<model::offset> bases;
        for (const auto& g : group) {
            sources.push_back(g.seg);
            bases.push_back(g.base);
        }
        std::unique_lock lk(_mu);
        auto at = _closed ? std::nullopt : locate_sources(sources);
        if (!at) {
            // Retention, DeleteRecords or close changed the log meanwhile.
            lk.unlock();
            compaction::remove_cleaned(_dir, base);
            continue;
        }
        // The cleaned segment keeps the aborted-transaction entries of the
        // segments it replaces (its index file is the first source's, so
        // the merge is written there before the swap is committed).
        status st;
        if (std::any_of(sources.begin() + 1, sources.end(),
                        [](const auto& src) { return !src->txns().entries().empty(); })) {
            std::vector<aborted_txn_entry> carried;
            for (const auto& src : sources)
                carried.insert(carried.end(), src->txns().entries().begin(),
                               src->txns().entries().end());
            std::stable_sort(carried.begin(), carried.end(), [](const auto& a, const auto& b) {
                return a.last_offset < b.last_offset;
            });
            carried.erase(std::unique(carried.begin(), carried.end()), carried.end());
            st = sources.front()->txns().rewrite(std::move(carried));
            if (!st.ok()) {
                lk.unlock();
                compaction::remove_cleaned(_dir, base);
                return st.err();
            }
        }
        st = compaction::commit_cleaned(_dir, base);
        if (!st.ok()) {
            lk.unlock();
            compaction::remove_cleaned(_dir, base);
            return st.err();
        }
        // Committed: from here the files are the truth; a failure leaves the
        // in-memory view stale, so the log stops taking appends.
        st = compaction::finish_swap(_dir, base, bases, o.simulate_crash);
        if (!st.ok()) {
            _closed = true;
            return st.err();
        }
        recovery_stats stats;
        auto seg = segment::open(_dir, base, cfg.index_interval_bytes, false, now_ms, stats);
        if (!seg.ok()) {
            _closed = true;
            return seg.err();
        }
        for (size_t k = 1; k < sources.size(); ++k)
            (void)sources[k]->txns().remove();  // carried over; orphans are removed on open
        _segments.erase(_segments.begin() + static_cast<ptrdiff_t>(*at),
                        _segments.begin() + static_cast<ptrdiff_t>(*at + sources.size()));
        _segments.insert(_segments.begin() + static_cast<ptrdiff_t>(*at), std::move(*seg));
        lk.unlock();
        r.records_removed += gr->records_removed;
        r.bytes_before += gr->bytes_in;
        r.bytes_after += gr->bytes_out;
        removed_bytes += gr->bytes_in > gr->bytes_out ? gr->bytes_in - gr->bytes_out : 0;
        r.segments_replaced += sources.size();
        ++r.segments_written;
    }
    int64_t cleaned_to = std::max(first_dirty, map_end);
    SPATE_TRY(compaction::write_checkpoint(_dir, cleaned_to));
    _first_dirty = cleaned_to;
    _delete_horizon = min_horizon;
    r.ran = true;
    r.cleaned_to = cleaned_to;
    {
        std::lock_guard lk(_counters_mu);
        ++_counters.passes;
        _counters.bytes_removed += removed_bytes;
        _counters.records_removed += r.records_removed;
        _counters.last_clean_ms = now_ms;
    }
    return r;
}

compaction_counters log::compaction_stats() const {
    std::lock_guard lk(_counters_mu);
    return _counters;
}

void log::set_config(topic_config c) {
    std::unique_lock lk(_mu);
    _flush_messages = c.flush_messages;
    _flush_bytes = c.flush_bytes;
    _flush_ms = c.flush_ms;
    _config = std::move(c);
}

topic_config log::config() const {
    std::shared_lock lk(_mu);
    return _config;
}

uint64_t log::size_bytes() const {
    std::shared_lock lk(_mu);
    uint64_t total = 0;
    for (const auto& s : _segments)
        total += s->size();
    return total;
}

size_t log::segment_count() const {
    std::shared_lock lk(_mu);
    return _segments.size();
}

status log::close() {
    // Stop a running compaction pass and wait for it.
    _compaction_abort = true;
    { std::lock_guard cl(_compact_mu); }
    {
        std::unique_lock lk(_mu);
        if (_closed) return {};
        _closed = true;
        auto& active = _segments.back();
        active->seal();
        SPATE_TRY(active->flush_indexes(true));
        (void)snapshot_producers_locked();
    }
    return sync();
}

}  // namespace spate::storage
