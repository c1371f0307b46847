#include "storage/log_manager.h"

#include <charconv>
#include <random>
#include <sstream>

#include "base/log.h"
#include "storage/key_registry.h"
#include "storage/sealed_batch.h"

namespace spate::storage {

namespace {
constexpr const char* k_marker = "spate.meta";
constexpr const char* k_marker_content = "format=1\n";
constexpr const char* k_clean = ".clean-shutdown";
constexpr const char* k_topic_ext = ".topic";
constexpr int32_t k_max_partitions = 100000;

std::string hex(const topic_id& id) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto b : id) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::optional<topic_id> parse_hex(const std::string& s) {
    if (s.size() != 32) return std::nullopt;
    topic_id id{};
    for (size_t i = 0; i < 16; ++i) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data() + 2 * i, s.data() + 2 * i + 2, v, 16);
        if (ec != std::errc() || p != s.data() + 2 * i + 2) return std::nullopt;
        id[i] = static_cast<uint8_t>(v);
    }
    return id;
}

// Parses a topics/<name>.topic file (docs/formats/data-dir.md).
result<topic_info> parse_topic_file(const std::filesystem::path& file, const std::string& content) {
    topic_info t;
    t.name = file.stem().string();
    SPATE_TRY(validate_topic_name(t.name));
    std::istringstream in(content);
    std::string line;
    bool have_id = false;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos) return make_error(errc::corrupt, file.string() + ": bad line");
        auto key = line.substr(0, eq);
        auto value = line.substr(eq + 1);
        if (key == "id") {
            auto id = parse_hex(value);
            if (!id) return make_error(errc::corrupt, file.string() + ": bad id");
            t.id = *id;
            have_id = true;
        } else if (key == "partitions") {
            auto [p, err] =
                std::from_chars(value.data(), value.data() + value.size(), t.partitions);
            if (err != std::errc() || p != value.data() + value.size() || t.partitions < 1 ||
                t.partitions > k_max_partitions) {
                return make_error(errc::corrupt, file.string() + ": bad partition count");
            }
        } else if (key.rfind("config.", 0) == 0) {
            t.overrides[key.substr(7)] = value;
        } else {
            return make_error(errc::corrupt, file.string() + ": unknown key " + key);
        }
    }
    if (!have_id || t.partitions < 1)
        return make_error(errc::corrupt, file.string() + ": incomplete");
    return t;
}

topic_id random_topic_id() {
    std::random_device rd;
    topic_id id{};
    for (auto& b : id)
        b = static_cast<uint8_t>(rd());
    return id;
}
}  // namespace

status validate_topic_name(const std::string& name) {
    if (name.empty() || name.size() > 249) {
        return make_error(errc::invalid_argument, "topic name must have 1 to 249 characters");
    }
    if (name == "." || name == "..")
        return make_error(errc::invalid_argument, "topic name cannot be '.' or '..'");
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return make_error(errc::invalid_argument,
                              "topic name '" + name + "' has an illegal character");
    }
    return {};
}

log_manager::log_manager(log_manager_options options)
    : _options(std::move(options)), _cleaner_backoff_ms(_options.cleaner_backoff_ms) {}

config_map log_manager::broker_defaults() const {
    std::lock_guard lk(_mu);
    return _options.broker_defaults;
}

status log_manager::set_broker_defaults(const config_map& defaults) {
    SPATE_TRY(topic_config::resolve(defaults, {}));
    std::lock_guard lk(_mu);
    // Resolve every topic first: all or nothing.
    std::vector<topic_config> configs;
    for (const auto& [_, t] : _topics) {
        auto cfg = topic_config::resolve(defaults, t.info.overrides);
        if (!cfg.ok()) return cfg.err();
        configs.push_back(std::move(*cfg));
    }
    _options.broker_defaults = defaults;
    size_t i = 0;
    for (auto& [_, t] : _topics) {
        t.config = std::move(configs[i++]);
        for (auto& l : t.logs)
            l->set_config(t.config);
    }
    publish_logs_locked();  // flush policies may have changed
    return {};
}

void log_manager::set_cleaner_backoff_ms(int64_t ms) {
    _cleaner_backoff_ms = ms;
    std::lock_guard lk(_cleaner_mu);
    _cleaner_cv.notify_all();
}

log_manager::~log_manager() {
    auto s = close();
    if (!s.ok()) {
        logging::get("storage").error("closing the log manager of {} failed: {}",
                                      _options.data_dir.string(), s.err().to_string());
    }
}

result<std::unique_ptr<log_manager>> log_manager::open(log_manager_options options) {
    std::unique_ptr<log_manager> m(new log_manager(std::move(options)));
    SPATE_TRY(topic_config::resolve(m->_options.broker_defaults, {}));
    SPATE_TRY(check_keys_before_open(m->_options.data_dir, m->_options.keys.get()));
    if (m->_options.keys) m->_cipher = std::make_shared<batch_cipher>(m->_options.keys);
    SPATE_TRY(m->load());
    bool any_encrypted = false;
    for (const auto& [name, t] : m->_topics)
        any_encrypted = any_encrypted || t.config.encryption;
    if (any_encrypted) SPATE_TRY(register_active_key(m->_options.data_dir, *m->_options.keys));
    for (int i = 0; i < std::max(1, m->_options.flush_threads); ++i) {
        m->_threads.emplace_back([p = m.get()] { p->flush_worker(); });
    }
    m->_threads.emplace_back([p = m.get()] { p->ticker(); });
    if (m->_options.cleaner_enable) m->_threads.emplace_back([p = m.get()] { p->cleaner(); });
    return m;
}

std::filesystem::path log_manager::partition_dir(const std::string& topic, int32_t p) const {
    return _options.data_dir / (topic + "-" + std::to_string(p));
}

status log_manager::load() {
    namespace fs = std::filesystem;
    const auto& dir = _options.data_dir;
    std::error_code ec;
    fs::create_directories(dir / "topics", ec);
    if (ec) return make_error(errc::io_error, "create " + dir.string() + ": " + ec.message());
    if (!fs::exists(dir / k_marker)) {
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.path().filename() != "topics") {
                return make_error(errc::invalid_argument,
                                  dir.string() + " is not empty and is not a Spate data directory");
            }
        }
        SPATE_TRY(write_file_atomic(dir / k_marker, std::string(k_marker_content)));
        _was_clean = true;
    } else {
        auto marker = read_small_file(dir / k_marker, 1024);
        if (!marker.ok()) return marker.err();
        if (*marker != k_marker_content) {
            return make_error(errc::unsupported, dir.string() + ": unknown data directory format");
        }
        _was_clean = fs::exists(dir / k_clean);
    }
    // From here on a crash must look unclean.
    if (fs::exists(dir / k_clean)) {
        fs::remove(dir / k_clean);
        SPATE_TRY(fsync_dir(dir));
    }

    for (const auto& e : fs::directory_iterator(dir / "topics")) {
        if (e.path().extension() == ".tmp") {
            fs::remove(e.path());
            continue;
        }
        if (e.path().extension() != k_topic_ext) continue;
        SPATE_TRY(load_topic(e.path()));
    }
    publish_logs_locked();
    remove_unknown_partition_dirs();
    return {};
}

status log_manager::load_topic(const std::filesystem::path& file) {
    auto content = read_small_file(file, 1 << 20);
    if (!content.ok()) return content.err();
    auto t = parse_topic_file(file, *content);
    if (!t.ok()) return t.err();
    auto cfg = topic_config::resolve(_options.broker_defaults, t->overrides);
    if (!cfg.ok()) return cfg.err();
    topic_entry entry{*t, *cfg, {}};
    for (int32_t p = 0; p < t->partitions; ++p) {
        auto l = open_log(t->name, p, *cfg);
        if (!l.ok()) return l.err();
        entry.logs.push_back(std::move(*l));
    }
    _topics.emplace(t->name, std::move(entry));
    return {};
}

void log_manager::remove_unknown_partition_dirs() {
    namespace fs = std::filesystem;
    for (const auto& e : fs::directory_iterator(_options.data_dir)) {
        if (!e.is_directory() || e.path().filename() == "topics") continue;
        auto name = e.path().filename().string();
        auto dash = name.rfind('-');
        bool known = false;
        if (dash != std::string::npos) {
            int32_t p = -1;
            auto tail = name.substr(dash + 1);
            auto [ptr, err] = std::from_chars(tail.data(), tail.data() + tail.size(), p);
            auto it = _topics.find(name.substr(0, dash));
            known = err == std::errc() && ptr == tail.data() + tail.size() && it != _topics.end() &&
                    p >= 0 && p < it->second.info.partitions;
        }
        if (!known) fs::remove_all(e.path());
    }
}

result<std::shared_ptr<log>> log_manager::open_log(const std::string& topic, int32_t p,
                                                   const topic_config& c) {
    auto l = log::open(partition_dir(topic, p), c, _was_clean, _options.clock, _cipher);
    if (!l.ok()) return l.err();
    (*l)->set_sync_scheduler([this](std::shared_ptr<log> lg) { schedule_sync(std::move(lg)); });
    (*l)->set_dirty_notifier([this](std::shared_ptr<log> lg) {
        std::lock_guard g(_dirty_mu);
        _dirty.push_back(std::move(lg));
    });
    return l;
}

status log_manager::write_topic_file(const topic_info& t) {
    std::string s = "id=" + hex(t.id) + "\npartitions=" + std::to_string(t.partitions) + "\n";
    for (const auto& [k, v] : t.overrides) {
        if (v.find('\n') != std::string::npos)
            return make_error(errc::invalid_argument, "newline in config value");
        s += "config." + k + "=" + v + "\n";
    }
    return write_file_atomic(_options.data_dir / "topics" / (t.name + k_topic_ext), s);
}

result<topic_info> log_manager::create_topic(const std::string& name, int32_t partitions,
                                             const config_map& overrides) {
    SPATE_TRY(validate_topic_name(name));
    if (partitions < 1 || partitions > k_max_partitions) {
        return make_error(errc::invalid_argument, "partition count must be between 1 and " +
                                                      std::to_string(k_max_partitions));
    }
    std::lock_guard lk(_mu);
    // Both read the broker defaults, which change at run time under _mu.
    const config_map pinned = creation_overrides(name, overrides);
    auto cfg = topic_config::resolve(_options.broker_defaults, pinned);
    if (!cfg.ok()) return cfg.err();
    if (cfg->encryption && !_cipher)
        return make_error(errc::invalid_argument,
                          std::string(k_encryption_config) +
                              "=true needs an encryption key (spate.encryption.key.file or "
                              "SPATE_ENCRYPTION_KEY)");
    if (_closed) return make_error(errc::shutting_down, "log manager closed");
    if (_topics.count(name))
        return make_error(errc::already_exists, "topic '" + name + "' already exists");
    if (cfg->encryption) SPATE_TRY(register_active_key(_options.data_dir, *_options.keys));
    topic_info t{name, random_topic_id(), partitions, pinned};
    topic_entry entry{t, *cfg, {}};
    for (int32_t p = 0; p < partitions; ++p) {
        std::filesystem::remove_all(partition_dir(name, p));
        auto l = open_log(name, p, *cfg);
        if (!l.ok()) return l.err();
        entry.logs.push_back(std::move(*l));
    }
    SPATE_TRY(fsync_dir(_options.data_dir));
    SPATE_TRY(write_topic_file(t));  // the commit point
    _topics.emplace(name, std::move(entry));
    publish_logs_locked();
    return t;
}

status log_manager::delete_topic(const std::string& name) {
    std::vector<std::shared_ptr<log>> logs;
    {
        std::lock_guard lk(_mu);
        auto it = _topics.find(name);
        if (it == _topics.end()) return make_error(errc::not_found, "unknown topic '" + name + "'");
        std::filesystem::remove(_options.data_dir / "topics" / (name + k_topic_ext));
        SPATE_TRY(fsync_dir(_options.data_dir / "topics"));  // the commit point
        logs = std::move(it->second.logs);
        _topics.erase(it);
        publish_logs_locked();
    }
    for (auto& l : logs) {
        // The topic is gone either way; its files go next.
        auto s = l->close();
        if (!s.ok()) {
            logging::get("storage").warn("deleting topic {}: closing {} failed: {}", name,
                                         l->dir().filename().string(), s.err().to_string());
        }
        std::filesystem::remove_all(l->dir());
    }
    return {};
}

status log_manager::create_partitions(const std::string& name, int32_t total) {
    std::lock_guard lk(_mu);
    auto it = _topics.find(name);
    if (it == _topics.end()) return make_error(errc::not_found, "unknown topic '" + name + "'");
    auto& entry = it->second;
    if (total <= entry.info.partitions) {
        return make_error(
            errc::invalid_argument,
            "topic already has " + std::to_string(entry.info.partitions) + " partitions");
    }
    if (total > k_max_partitions) return make_error(errc::invalid_argument, "too many partitions");
    std::vector<std::shared_ptr<log>> added;
    for (int32_t p = entry.info.partitions; p < total; ++p) {
        std::filesystem::remove_all(partition_dir(name, p));
        auto l = open_log(name, p, entry.config);
        if (!l.ok()) return l.err();
        added.push_back(std::move(*l));
    }
    topic_info updated = entry.info;
    updated.partitions = total;
    SPATE_TRY(fsync_dir(_options.data_dir));
    SPATE_TRY(write_topic_file(updated));
    entry.info = updated;
    for (auto& l : added)
        entry.logs.push_back(std::move(l));
    publish_logs_locked();
    return {};
}

config_map log_manager::creation_overrides(const std::string& name,
                                           const config_map& overrides) const {
    config_map pinned = overrides;
    if (pinned.contains(k_encryption_config)) return pinned;
    auto d = _options.broker_defaults.find(k_encryption_config);
    if ((_options.keys && _options.encrypted_topics.contains(name)) ||
        (d != _options.broker_defaults.end() && d->second == "true"))
        pinned[k_encryption_config] = "true";
    return pinned;
}

status log_manager::set_topic_config(const std::string& name, const config_map& requested) {
    config_map overrides = requested;
    std::lock_guard lk(_mu);
    auto it = _topics.find(name);
    if (it == _topics.end()) return make_error(errc::not_found, "unknown topic '" + name + "'");
    const auto& now = it->second.info.overrides;
    auto cur = now.find(k_encryption_config);
    auto req = overrides.find(k_encryption_config);
    if (req == overrides.end()) {
        if (cur != now.end()) overrides[k_encryption_config] = cur->second;
    } else if ((req->second == "true") != it->second.config.encryption) {
        return make_error(errc::invalid_argument,
                          std::string(k_encryption_config) +
                              " is fixed when a topic is created and cannot be changed");
    }
    auto cfg = topic_config::resolve(_options.broker_defaults, overrides);
    if (!cfg.ok()) return cfg.err();
    topic_info updated = it->second.info;
    updated.overrides = overrides;
    SPATE_TRY(write_topic_file(updated));
    it->second.info = updated;
    it->second.config = *cfg;
    for (auto& l : it->second.logs)
        l->set_config(*cfg);
    publish_logs_locked();  // the flush policy may have changed
    return {};
}

std::shared_ptr<log> log_manager::get(const std::string& topic, int32_t partition) const {
    std::lock_guard lk(_mu);
    auto it = _topics.find(topic);
    if (it == _topics.end() || partition < 0 ||
        partition >= static_cast<int32_t>(it->second.logs.size())) {
        return nullptr;
    }
    return it->second.logs[static_cast<size_t>(partition)];
}

std::optional<topic_info> log_manager::describe(const std::string& name) const {
    std::lock_guard lk(_mu);
    auto it = _topics.find(name);
    if (it == _topics.end()) return std::nullopt;
    return it->second.info;
}

std::vector<topic_info> log_manager::list_topics() const {
    std::lock_guard lk(_mu);
    std::vector<topic_info> out;
    for (const auto& [_, t] : _topics)
        out.push_back(t.info);
    return out;
}

void log_manager::publish_logs_locked() {
    auto p = std::make_shared<published_logs>();
    for (const auto& [_, t] : _topics)
        p->all.insert(p->all.end(), t.logs.begin(), t.logs.end());
    _published = std::move(p);
}

std::vector<std::shared_ptr<log>> log_manager::every_log() const {
    std::lock_guard lk(_mu);
    return _published ? _published->all : std::vector<std::shared_ptr<log>>();
}

std::vector<std::shared_ptr<log>> log_manager::compacted_logs() const {
    std::vector<std::shared_ptr<log>> logs;
    std::lock_guard lk(_mu);
    for (const auto& [_, t] : _topics) {
        if (t.config.cleanup_compact) logs.insert(logs.end(), t.logs.begin(), t.logs.end());
    }
    return logs;
}

void log_manager::cleaner() {
    compaction_options o;
    o.map_memory_bytes = _options.cleaner_map_bytes;
    std::unique_lock lk(_cleaner_mu);
    while (!_stopping.load()) {
        _cleaner_cv.wait_for(
            lk, std::chrono::milliseconds(std::max<int64_t>(1, _cleaner_backoff_ms.load())));
        if (_stopping.load()) break;
        lk.unlock();
        for (auto& l : compacted_logs()) {
            if (_stopping.load()) break;
            auto r = l->compact(_options.clock(), o);
            if (!r.ok() && r.err().code != errc::shutting_down) {
                // The next pass retries from the same checkpoint.
                logging::get("storage").warn("{}: compaction failed: {}",
                                             l->dir().filename().string(), r.err().to_string());
            }
        }
        lk.lock();
    }
}

void log_manager::schedule_sync(std::shared_ptr<log> l) {
    {
        std::lock_guard lk(_queue_mu);
        if (!_queued.insert(l.get()).second) return;  // already waiting for a worker
        _sync_queue.push_back(std::move(l));
    }
    _queue_cv.notify_one();
}

std::shared_ptr<log> log_manager::next_sync() {
    using clock = std::chrono::steady_clock;
    std::unique_lock lk(_queue_mu);
    for (;;) {
        _queue_cv.wait(lk, [&] { return _stopping.load() || !_sync_queue.empty(); });
        if (_sync_queue.empty()) return nullptr;
        const auto now = clock::now();
        auto earliest = clock::time_point::max();
        for (auto it = _sync_queue.begin(); it != _sync_queue.end(); ++it) {
            const auto due =
                _stopping.load() ? now : (*it)->last_sync_start() + _options.sync_min_interval;
            if (due <= now) {
                auto l = std::move(*it);
                _sync_queue.erase(it);
                _queued.erase(l.get());
                return l;
            }
            earliest = std::min(earliest, due);
        }
        _queue_cv.wait_until(lk, earliest);
    }
}

void log_manager::flush_worker() {
    for (;;) {
        auto l = next_sync();
        if (!l) return;
        auto s = l->sync();
        if (!s.ok()) {
            // Waiters got the error; the data stays dirty for the next sync.
            logging::get("storage").warn("{}: background sync at offset {} failed: {}",
                                         l->dir().filename().string(), l->log_end_offset().value(),
                                         s.err().to_string());
        }
    }
}

void log_manager::flush_tick(int64_t now, bool sweep) {
    std::vector<std::shared_ptr<log>> dirty;
    {
        std::lock_guard g(_dirty_mu);
        dirty.swap(_dirty);
    }
    uint64_t checks = 0;
    uint64_t swept = 0;
    uint64_t scheduled = 0;
    size_t kept = 0;
    for (auto& l : dirty) {
        if (!l->still_dirty()) continue;
        auto p = l->policy();
        bool due = false;
        if (p.any) {
            ++checks;
            due = p.by_time_or_size
                      ? l->flush_due(now)
                      : l->log_end_offset().value() - l->durable_offset().value() >= p.messages;
        } else if (sweep) {
            // Backstop for durability waiters of logs without a flush policy
            // (they schedule their own sync; flush_due() also answers true
            // for them).
            ++swept;
            due = l->flush_due(now);
        }
        if (due) {
            schedule_sync(l);
            ++scheduled;
        }
        dirty[kept++] = std::move(l);
    }
    dirty.resize(kept);
    if (!dirty.empty()) {
        std::lock_guard g(_dirty_mu);
        _dirty.insert(_dirty.end(), std::make_move_iterator(dirty.begin()),
                      std::make_move_iterator(dirty.end()));
    }
    _policy_checks += checks;
    _sweep_checks += swept;
    _ticker_syncs += scheduled;
    ++_ticks;
}

void log_manager::enforce_retention(log& l, int64_t now) {
    auto r = l.enforce_retention(now);
    if (!r.ok()) {
        // The next retention check retries.
        logging::get("storage").warn("{}: retention at log start {} failed: {}",
                                     l.dir().filename().string(), l.log_start_offset().value(),
                                     r.err().to_string());
    }
}

void log_manager::ticker() {
    int64_t next_retention = _options.clock() + _options.retention_check_interval_ms;
    int64_t next_sweep = _options.clock() + k_flush_sweep_interval_ms;
    std::unique_lock lk(_tick_mu);
    while (!_stopping.load()) {
        _tick_cv.wait_for(
            lk, std::chrono::milliseconds(std::max<int64_t>(1, _options.flush_check_interval_ms)));
        if (_stopping.load()) break;
        lk.unlock();
        int64_t now = _options.clock();
        bool sweep = now >= next_sweep;
        if (sweep) next_sweep = now + k_flush_sweep_interval_ms;
        flush_tick(now, sweep);
        if (now >= next_retention) {
            std::shared_ptr<const published_logs> logs;
            {
                std::lock_guard g(_mu);
                logs = _published;
            }
            if (logs) {
                for (const auto& l : logs->all)
                    enforce_retention(*l, now);
            }
            next_retention = now + _options.retention_check_interval_ms;
        }
        lk.lock();
    }
}

status log_manager::close() {
    {
        std::lock_guard lk(_mu);
        if (_closed) return {};
        _closed = true;
    }
    {
        std::scoped_lock lk(_queue_mu, _tick_mu, _cleaner_mu);
        _stopping = true;
    }
    _queue_cv.notify_all();
    _tick_cv.notify_all();
    _cleaner_cv.notify_all();
    for (auto& l : compacted_logs())
        l->stop_compaction();
    for (auto& t : _threads)
        t.join();
    _threads.clear();
    status result;
    std::lock_guard lk(_mu);
    for (auto& [_, t] : _topics) {
        for (auto& l : t.logs) {
            auto s = l->close();
            if (s.ok()) continue;
            // The first error is returned; the shutdown is then not marked clean.
            logging::get("storage").error("{}: close failed: {}", l->dir().filename().string(),
                                          s.err().to_string());
            if (result.ok()) result = s;
        }
    }
    if (!result.ok()) return result;
    return write_file_atomic(_options.data_dir / k_clean, std::string("clean\n"));
}

}  // namespace spate::storage
