#pragma once

// Owns every partition log under one data directory, the topics' metadata and
// configs, and the background threads that apply the flush policy (group
// commit) and retention.
//
// Flush ticker (every flush_check_interval_ms): looks only at the dirty set,
// the logs an append left with unsynced offsets (log::set_dirty_notifier
// adds a log once per clean-to-dirty change; the ticker keeps it until it is
// clean), so clean logs cost nothing however many there are. Of those it
// evaluates the flush policy (flush.messages / flush.bytes / flush.ms) of
// logs that have one; flush.messages alone is decided from two atomic loads,
// without the log's sync mutex. Logs of topics without a flush policy are
// synced for acks=all waiters, which schedule their own sync (when_durable ->
// sync scheduler -> flush workers, group commit); as a backstop the ticker
// runs log::flush_due() on them every k_flush_sweep_interval_ms.
//
// Data directory layout (docs/formats/data-dir.md):
//   spate.meta                 marks the directory as Spate's (format version)
//   .clean-shutdown            present only between a clean close and the next open
//   topics/<topic>.topic       topic id, partition count, config overrides
//   <topic>-<partition>/       one log directory per partition
//
// Threading: all public methods are thread-safe. Topic changes are serialised
// by one mutex; logs handed out stay valid (shared_ptr) after deletion.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "storage/config.h"
#include "storage/encryption.h"
#include "storage/log.h"

namespace spate::storage {

using topic_id = std::array<uint8_t, 16>;

struct topic_info {
    std::string name;
    topic_id id{};
    int32_t partitions = 0;
    config_map overrides;
};

struct log_manager_options {
    std::filesystem::path data_dir;
    config_map broker_defaults;  // topic config defaults for this broker
    int flush_threads = 2;       // threads running group-commit syncs
    // Shortest time from the start of one group-commit sync of a log to the
    // start of the next (spate.group.commit.interval.us): durability waiters
    // that arrive meanwhile share the next fdatasync. 0: sync at once.
    std::chrono::microseconds sync_min_interval{0};
    int64_t flush_check_interval_ms = 1;  // how often flush policies are evaluated
    int64_t retention_check_interval_ms = 300000;
    // The log cleaner: a thread that runs log::compact() on every log of a
    // compacted topic every cleaner_backoff_ms (Kafka's log.cleaner.enable,
    // log.cleaner.backoff.ms, log.cleaner.dedupe.buffer.size).
    bool cleaner_enable = true;
    int64_t cleaner_backoff_ms = 15000;
    size_t cleaner_map_bytes = size_t{128} << 20;
    clock_fn clock = system_now_ms;
    // Encryption at rest (docs/formats/encryption.md). `keys`: the key ring
    // (null: none configured; then encrypted topics cannot be created and a
    // directory holding some is refused). `encrypted_topics`: topics created
    // with spate.encryption=true unless their creation says otherwise, when
    // keys are configured (internal topics holding credentials).
    std::shared_ptr<const key_ring> keys;
    std::set<std::string> encrypted_topics;
};

// Topic names: 1-249 characters of [A-Za-z0-9._-], not "." or "..".
status validate_topic_name(const std::string& name);

class log_manager {
  public:
    // With a wrong or missing encryption key (key_registry.h) fails before
    // anything in the data directory changes.
    static result<std::unique_ptr<log_manager>> open(log_manager_options options);
    ~log_manager();

    // spate.encryption: the override, else true for `encrypted_topics` (with
    // keys) or when the broker default says so; recorded as an override, so
    // it never changes for the topic. An encrypted topic without keys is
    // errc::invalid_argument.
    result<topic_info> create_topic(const std::string& name, int32_t partitions,
                                    const config_map& overrides);
    status delete_topic(const std::string& name);
    // Grows a topic to `total` partitions (never shrinks).
    status create_partitions(const std::string& name, int32_t total);
    // Replaces the topic's whole override set; spate.encryption is kept when
    // absent and errc::invalid_argument when changed.
    status set_topic_config(const std::string& name, const config_map& overrides);

    std::shared_ptr<log> get(const std::string& topic, int32_t partition) const;
    std::optional<topic_info> describe(const std::string& name) const;
    std::vector<topic_info> list_topics() const;
    // The topic config defaults every topic's config is resolved over (a
    // copy: dynamic broker configs change them at run time).
    config_map broker_defaults() const;
    // Replaces the broker defaults at run time (dynamic broker configs):
    // every topic's config is re-resolved over them and its logs use it at
    // once (retention, segment size, max message bytes, flush policy, ...);
    // a topic's own overrides still win. Errors: invalid_argument for a
    // default no topic config accepts; nothing changes then.
    status set_broker_defaults(const config_map& defaults);
    // The cleaner's sleep between passes (log.cleaner.backoff.ms), from its
    // next sleep on.
    void set_cleaner_backoff_ms(int64_t ms);
    // Whether the last shutdown was clean (no recovery scan was needed).
    bool opened_after_clean_shutdown() const { return _was_clean; }

    // How often the ticker's backstop sweep runs flush_due() over logs
    // without a flush policy (see the top of this file).
    static constexpr int64_t k_flush_sweep_interval_ms = 100;

    // Stops background work, closes every log and marks the shutdown clean.
    status close();

  private:
    friend struct log_manager_test_access;  // storage/testing.h

    struct topic_entry {
        topic_info info;
        topic_config config;
        std::vector<std::shared_ptr<log>> logs;
    };

    explicit log_manager(log_manager_options options);
    status load();
    status write_topic_file(const topic_info& t);
    // During load(): reads topics/<name>.topic and opens the topic's logs.
    status load_topic(const std::filesystem::path& file);
    // During load(): removes partition directories not backed by a topic
    // file (left-overs of a deletion or creation interrupted by a crash).
    void remove_unknown_partition_dirs();
    result<std::shared_ptr<log>> open_log(const std::string& topic, int32_t p,
                                          const topic_config& c);
    std::filesystem::path partition_dir(const std::string& topic, int32_t p) const;
    void schedule_sync(std::shared_ptr<log> l);
    void flush_worker();
    // The first queued log whose pacing interval has passed (every queued log
    // once stopping), waiting for one; null when stopping with none queued.
    std::shared_ptr<log> next_sync();
    void ticker();
    // Runs retention on `l`, logging a failure (the next check retries).
    static void enforce_retention(log& l, int64_t now);
    void cleaner();
    std::vector<std::shared_ptr<log>> every_log() const;
    std::vector<std::shared_ptr<log>> compacted_logs() const;  // of cleanup.policy=compact topics

    // The overrides a new topic gets: `overrides` with spate.encryption pinned.
    config_map creation_overrides(const std::string& name, const config_map& overrides) const;

    log_manager_options _options;
    bool _was_clean = false;
    std::shared_ptr<const batch_cipher> _cipher;  // when keys are configured

    struct published_logs {
        std::vector<std::shared_ptr<log>> all;  // every open log
    };

    // Rebuilds _published from _topics; requires _mu. Called after every
    // change to the set of logs or to a topic's config, so the 1 ms ticker
    // reads a ready list.
    void publish_logs_locked();
    // One tick of the flush policy over the dirty logs; `sweep`: also run
    // the backstop for those without a policy.
    void flush_tick(int64_t now, bool sweep);

    mutable std::mutex _mu;  // guards _topics, _published, _options.broker_defaults
    std::map<std::string, topic_entry> _topics;
    // Replaced (never mutated) when topics or their configs change.
    std::shared_ptr<const published_logs> _published;

    // Logs with unsynced appends (log::set_dirty_notifier), each once; the
    // ticker takes the set, keeps what is still dirty.
    std::mutex _dirty_mu;
    std::vector<std::shared_ptr<log>> _dirty;

    std::mutex _queue_mu;
    std::condition_variable _queue_cv;
    std::deque<std::shared_ptr<log>> _sync_queue;
    std::unordered_set<const log*> _queued;  // logs in _sync_queue
    std::mutex _tick_mu;                     // the ticker's sleep
    std::condition_variable _tick_cv;
    std::mutex _cleaner_mu;  // the cleaner's sleep
    std::condition_variable _cleaner_cv;
    std::atomic<int64_t> _cleaner_backoff_ms{15000};
    std::atomic<bool> _stopping{false};
    std::atomic<uint64_t> _ticks{0};
    std::atomic<uint64_t> _policy_checks{0};
    std::atomic<uint64_t> _sweep_checks{0};
    std::atomic<uint64_t> _ticker_syncs{0};
    std::vector<std::thread> _threads;
    bool _closed = false;
};

}  // namespace spate::storage
