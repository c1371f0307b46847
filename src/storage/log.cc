#include "storage/log.h"

#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "base/log.h"
#include "storage/log_append.h"
#include "storage/log_cleaner.h"
#include "storage/log_read.h"
#include "storage/log_recovery.h"
#include "storage/log_retention.h"
#include "storage/log_state.h"

namespace spate::storage {

int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

log::log(std::filesystem::path dir, topic_config config, clock_fn clock)
    : _state(std::make_unique<log_state>(std::move(dir), std::move(config), std::move(clock)))
    , _cleaner(std::make_unique<log_cleaner>()) {}

log::~log() = default;

result<std::shared_ptr<log>> log::open(const std::filesystem::path& dir, topic_config config,
                                       bool clean_shutdown, clock_fn clock,
                                       std::shared_ptr<const batch_cipher> cipher) {
    if (config.encryption && !cipher)
        return make_error(errc::invalid_argument,
                          dir.filename().string() +
                              ": the topic is encrypted (spate.encryption=true) but no encryption "
                              "key is configured");
    if (!config.encryption) cipher.reset();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(errc::io_error, "create " + dir.string() + ": " + ec.message());
    std::shared_ptr<log> l(new log(dir, std::move(config), std::move(clock)));
    l->_state->cipher = std::move(cipher);
    SPATE_TRY(recover_log(*l->_state, clean_shutdown));
    return l;
}

result<append_result> log::append(std::span<std::byte> batches) {
    return append_batches(*_state, batches);
}

result<append_result> log::append_marker(model::producer_id pid, model::producer_epoch epoch,
                                         bool commit, int32_t coordinator_epoch) {
    return append_txn_marker(*_state, pid, epoch, commit, coordinator_epoch);
}

model::offset log::last_stable_offset() const {
    return last_stable_offset_of(*_state);
}

result<std::vector<aborted_transaction>> log::aborted_transactions(model::offset from,
                                                                   model::offset upto) const {
    return aborted_in_range(*_state, from, upto);
}

result<read_result> log::read(model::offset from, size_t max_bytes,
                              std::optional<model::offset> limit) const {
    return read_batches(*_state, from, max_bytes, limit);
}

result<std::optional<model::offset>> log::offset_for_timestamp(int64_t ts) const {
    return offset_at_timestamp(*_state, ts);
}

model::offset log::log_start_offset() const {
    return model::offset(_state->start.load());
}
model::offset log::log_end_offset() const {
    return model::offset(_state->end.load());
}
model::offset log::durable_offset() const {
    return model::offset(_state->durability.durable());
}

status log::sync() {
    return _state->durability.sync();
}

std::chrono::steady_clock::time_point log::last_sync_start() const {
    return _state->durability.last_sync_start();
}

status log::wait_durable(model::offset o) {
    return _state->durability.wait_durable(o.value());
}

void log::when_durable(model::offset o, std::function<void(status)> done) {
    _state->durability.when_durable(o.value(), std::move(done));
}

void log::set_sync_scheduler(sync_scheduler s) {
    std::function<void()> schedule;
    if (s) schedule = [this, s = std::move(s)] { s(shared_from_this()); };
    _state->durability.set_scheduler(std::move(schedule));
}

void log::set_dirty_notifier(dirty_notifier n) {
    std::function<void()> notify;
    if (n) notify = [this, n = std::move(n)] { n(shared_from_this()); };
    _state->durability.set_dirty_notifier(std::move(notify));
}

bool log::still_dirty() {
    return _state->durability.still_dirty();
}

log::flush_policy log::policy() const {
    flush_policy p;
    p.messages = _state->durability.flush_messages();
    p.by_time_or_size = _state->durability.flushes_by_time_or_size();
    p.any = p.by_time_or_size || p.messages != INT64_MAX;
    return p;
}

bool log::flush_due(int64_t now_ms) const {
    return _state->durability.flush_due(now_ms);
}

status log::delete_records_before(model::offset o) {
    return move_log_start(*_state, o);
}

result<size_t> log::enforce_retention(int64_t now_ms) {
    return apply_retention(*_state, now_ms);
}

result<compaction_result> log::compact(int64_t now_ms, const compaction_options& o) {
    return _cleaner->compact(*_state, now_ms, o);
}

void log::stop_compaction() {
    _cleaner->stop();
}

producer_state log::producers() const {
    std::shared_lock lk(_state->mu);
    return _state->producers;
}

void log::set_config(topic_config c) {
    std::unique_lock lk(_state->mu);
    _state->durability.set_policy(c);
    c.encryption = _state->config.encryption;  // fixed at creation
    _state->config = std::move(c);
}

topic_config log::config() const {
    std::shared_lock lk(_state->mu);
    return _state->config;
}

uint64_t log::size_bytes() const {
    std::shared_lock lk(_state->mu);
    uint64_t total = 0;
    for (const auto& s : _state->segments)
        total += s->size();
    return total;
}

const std::filesystem::path& log::dir() const {
    return _state->dir;
}

status log::close() {
    // Stop a running compaction pass and wait for it.
    _cleaner->stop_and_wait();
    {
        std::unique_lock lk(_state->mu);
        if (_state->closed) return {};
        _state->closed = true;
        auto& active = _state->segments.back();
        active->seal();
        SPATE_TRY(active->flush_indexes(true));
        // A missing snapshot only lengthens the replay on the next open.
        auto s = _state->snapshot_producers_locked();
        if (!s.ok()) {
            logging::get("storage").warn("{}: producer snapshot at close failed: {}", _state->name,
                                         s.err().to_string());
        }
    }
    return sync();
}

}  // namespace spate::storage
