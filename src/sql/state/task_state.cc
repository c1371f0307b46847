#include "sql/state/task_state.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "base/log.h"
#include "sql/state/change_buffer.h"
#include "sql/state/changelog_restore.h"
#include "sql/state/state_db.h"
#include "sql/state/state_writer.h"

namespace spate::sql {

namespace {

using detail::change_buffer;
using detail::state_db;

// What a set of changes adds to the committed state (stats()).
struct change_totals {
    int64_t puts = 0, removes = 0, bytes = 0;
    change_totals& operator+=(const change_totals& o) {
        puts += o.puts;
        removes += o.removes;
        bytes += o.bytes;
        return *this;
    }
};

class rocks_task_state final : public task_state {
  public:
    rocks_task_state(state_options o, std::unique_ptr<state_db> db, int64_t checkpoint,
                     int64_t restored)
        : _o(std::move(o)), _db(std::move(db)), _checkpoint(checkpoint), _restored(restored) {}

    // The writer (its last write waited for) goes before the database.
    ~rocks_task_state() override { _writer.reset(); }

    sql_result<std::optional<std::string>> get(std::string_view key) const override {
        std::string out;
        auto found = get_into(key, out);
        if (!found.ok()) return found.error();
        if (!found.value()) return std::optional<std::string>();
        return std::optional<std::string>(std::move(out));
    }

    sql_result<bool> get_into(std::string_view key, std::string& out) const override {
        // Then the last commit's changes, while (or since) they are written.
        for (const change_buffer* changes : {&_pending, &_writing}) {
            if (const auto* c = changes->find(key)) {
                if (!c->has_value) return false;
                out.assign(c->value);
                return true;
            }
        }
        return _db->get(key, out);
    }

    void put(std::string_view key, std::string_view value) override { set(key, value, false); }
    void put_new(std::string_view key, std::string_view value) override { set(key, value, true); }

    void remove(std::string_view key) override {
        if (auto* c = _pending.find(key)) {
            if (c->fresh)
                _pending.erase(*c);
            else
                c->has_value = false;
        } else {
            _pending.add(key, false).has_value = false;
        }
        _unlogged = true;
    }

    sql_status scan(
        std::string_view from, std::string_view to,
        const std::function<bool(std::string_view, std::string_view)>& visit) const override;

    bool has_pending() const override { return !_pending.empty(); }

    status log_pending(const state_record_sink& sink) override {
        kafka::client::outgoing_record r;
        r.topic = _o.changelog_topic;
        r.partition = _o.partition;
        change_totals totals;
        // In no particular order: a key is logged once per interval, so the
        // changelog's order within one does not matter (the writer sorts).
        status st;
        _pending.for_each([&](const change_buffer::change& c) {
            if (!st.ok()) return;
            r.key = c.key;
            r.value = c.has_value ? std::optional<std::string_view>(c.value) : std::nullopt;
            st = sink(r);
            count(totals, c);
        });
        SPATE_TRY(st);
        _logged_totals = totals;
        _unlogged = false;
        return {};
    }

    using task_state::commit;
    sql_status commit(std::optional<int64_t> changelog_end) override;

    void rollback() override {
        _pending.clear();
        _unlogged = false;
    }

    state_stats stats() const override;

  private:
    static void count(change_totals& t, const change_buffer::change& c) {
        if (c.has_value) {
            ++t.puts;
            t.bytes += static_cast<int64_t>(c.key.size() + c.value.size());
        } else {
            ++t.removes;
        }
    }

    // A key buffered first by put_new() stays fresh until the commit.
    void set(std::string_view key, std::string_view value, bool fresh) {
        auto* c = _pending.find(key);
        if (c == nullptr) c = &_pending.add(key, fresh);
        c->value.assign(value);
        c->has_value = true;
        _unlogged = true;
    }

    // Waits for the last commit's write; on success its changes are in
    // RocksDB and _writing is emptied. A failed write keeps them readable
    // and fails every later commit (the object must be reopened).
    sql_status finish_write() {
        if (!_write_error && _writer && _writer->busy()) {
            auto s = _writer->wait();
            if (!s.ok()) _write_error = s.error();
            if (s.ok() && _writing_checkpoint) _checkpoint = *_writing_checkpoint;
            if (s.ok()) _writing.clear();
            _writing_checkpoint.reset();
        }
        if (_write_error) return *_write_error;
        return {};
    }

    // Stages _writing (and the checkpoint) and writes them in one batch, on
    // the writer's thread. Meanwhile this thread only reads _writing.
    void start_write(std::optional<detail::state_checkpoint> checkpoint) {
        if (!_writer) _writer.emplace();
        _writing_checkpoint.reset();
        if (checkpoint) _writing_checkpoint = checkpoint->offset;
        _writer->start([this, checkpoint]() -> sql_status {
            // In key order: the memtable's inserts then follow each other.
            // (Sorting here, off the query's thread, is safe: find(), which
            // that thread calls meanwhile, does not read the order.)
            for (const auto* c : _writing.ordered()) {
                if (c->has_value)
                    _db->stage_put(c->key, c->value);
                else
                    _db->stage_remove(c->key);
            }
            if (checkpoint) _db->stage_checkpoint(*checkpoint);
            return _db->write_staged();
        });
    }

    state_options _o;
    std::unique_ptr<state_db> _db;
    change_buffer _pending;
    // The last commit's changes: read by the writer's thread while it
    // writes them (then by this thread only), emptied by finish_write().
    change_buffer _writing;
    std::optional<int64_t> _writing_checkpoint;   // its checkpoint offset
    change_totals _logged_totals;                 // of _pending at log_pending()
    change_totals _writing_totals;                // of _writing
    std::optional<sql_error> _write_error;        // a failed write: sticky
    std::optional<detail::state_writer> _writer;  // started at the first commit
    bool _unlogged = false;                       // a change since the last log_pending()
    int64_t _checkpoint = 0;
    int64_t _restored = 0;
};

sql_status rocks_task_state::scan(
    std::string_view from, std::string_view to,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
    // RocksDB holds the last commit's changes once their write ended.
    if (_writer && _writer->busy()) {
        if (auto s = const_cast<rocks_task_state*>(this)->finish_write(); !s.ok()) return s;
    }
    const auto& order = _pending.ordered();
    auto by_key = [](const change_buffer::change* c, std::string_view k) { return c->key < k; };
    auto p = std::lower_bound(order.begin(), order.end(), from, by_key);
    auto p_end =
        to.empty() ? order.end() : std::lower_bound(order.begin(), order.end(), to, by_key);
    auto c = _db->scan(from, to);
    for (;;) {
        bool have_db = c->valid(), have_pending = p != p_end;
        if (!have_db && !have_pending) break;
        int order_of = !have_db ? 1 : !have_pending ? -1 : c->key().compare((*p)->key);
        bool go_on = true;
        if (order_of < 0) {
            go_on = visit(c->key(), c->value());
            c->next();
        } else {
            // A buffered change hides the committed value of its key.
            if (order_of == 0) c->next();
            if ((*p)->has_value) go_on = visit((*p)->key, (*p)->value);
            ++p;
        }
        if (!go_on) return {};
    }
    return c->status();
}

sql_status rocks_task_state::commit(std::optional<int64_t> changelog_end) {
    // (Fresh keys put and removed again leave nothing to log.)
    SPATE_ASSERT_MSG(!_unlogged || _pending.empty(),
                     "task_state::commit() of changes log_pending() did not produce");
    // One write at a time, in commit order; on failure the changes stay
    // buffered (reads still see them) and a reopened object replays them
    // from the changelog.
    if (auto s = finish_write(); !s.ok()) return s;
    bool advance = changelog_end && *changelog_end > _checkpoint;
    if (_pending.empty() && !advance) return {};
    std::optional<detail::state_checkpoint> checkpoint;
    if (advance) {
        auto now = std::chrono::system_clock::now().time_since_epoch();
        checkpoint = detail::state_checkpoint{
            *changelog_end, std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
    }
    // (_pending is empty unless log_pending() counted it.)
    _writing_totals = _pending.empty() ? change_totals{} : _logged_totals;
    std::swap(_writing, _pending);  // _writing was empty
    start_write(checkpoint);
    return {};
}

state_stats rocks_task_state::stats() const {
    change_totals t;
    _pending.for_each([&t](const change_buffer::change& c) { count(t, c); });
    // Changes still being written are not in RocksDB's estimates yet.
    if (_writer && _writer->busy() && !_writer->done()) t += _writing_totals;
    state_stats s;
    s.keys = std::max<int64_t>(0, _db->estimated_keys() + t.puts - t.removes);
    s.bytes = _db->estimated_bytes() + t.bytes;
    s.restored_records = _restored;
    return s;
}

sql_status check_options(const state_options& o) {
    std::string bad;
    if (o.dir.empty()) bad = "no state directory";
    if (o.changelog_topic.empty()) bad = "no changelog topic";
    if (o.partition < 0) bad = "negative partition";
    if (o.timeout_ms <= 0) bad = "timeout_ms must be positive";
    if (bad.empty()) return {};
    return make_error(sql_errc::invalid_parameter_value, "state: " + bad);
}

// Why the directory's content cannot be completed by a replay from its
// checkpoint (it is wiped and rebuilt from the log start); empty: it can.
std::string rebuild_reason(const detail::state_meta& m, const detail::changelog_ends& ends,
                           const std::string& identity, const state_options& o) {
    if (m.empty) return "new directory";
    if (m.format != detail::k_state_format) return "unknown format";
    if (m.changelog != identity) return "directory of changelog " + m.changelog.value_or("?");
    if (!m.checkpoint) return "no checkpoint";
    const auto& cp = *m.checkpoint;
    if (cp.offset < ends.low) return "checkpoint below the log start";
    if (cp.offset > ends.high) return "checkpoint beyond the log end (topic recreated?)";
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    if (now - cp.wall_ms > o.max_checkpoint_age_ms)
        return "checkpoint older than " + std::to_string(o.max_checkpoint_age_ms) + " ms";
    return {};
}

}  // namespace

sql_result<std::unique_ptr<task_state>> task_state::open(const state_options& o) {
    if (auto s = check_options(o); !s.ok()) return s.error();
    auto started = std::chrono::steady_clock::now();
    std::string path = o.dir + "/p" + std::to_string(o.partition);
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return make_error(sql_errc::io_error, "state: create " + path + ": " + ec.message());
    auto db = state_db::open(path);
    if (!db.ok()) return db.error();
    auto meta = db.value()->read_meta();
    if (!meta.ok()) return meta.error();
    auto ends = detail::read_changelog_ends(o);
    if (!ends.ok()) return ends.error();
    std::string identity = o.changelog_topic + "/" + std::to_string(o.partition);
    std::string why = rebuild_reason(meta.value(), ends.value(), identity, o);
    int64_t from = ends.value().low;
    if (why.empty()) {
        from = meta.value().checkpoint->offset;
    } else if (!meta.value().empty) {
        if (auto s = db.value()->wipe(); !s.ok()) return s.error();
    }
    auto replayed = detail::replay_changelog(o, *db.value(), from, ends.value().high,
                                             why.empty() ? std::string_view() : identity);
    if (!replayed.ok()) return replayed.error();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    logging::get("sql").info("state: {}[{}]: restored {} records (offsets {} to {}) in {} ms, {}",
                             o.changelog_topic, o.partition, replayed.value().records, from,
                             replayed.value().position, ms,
                             why.empty() ? "from its checkpoint" : "rebuilt: " + why);
    return std::unique_ptr<task_state>(new rocks_task_state(
        o, std::move(db).value(), replayed.value().position, replayed.value().records));
}

}  // namespace spate::sql
