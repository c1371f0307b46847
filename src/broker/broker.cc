#include "broker/broker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "broker/handlers/handlers.h"

namespace spate::broker {

broker::broker(broker_config config, storage::log_manager& logs, std::string cluster_id)
    : _config(std::move(config))
    , _logs(logs)
    , _cluster_id(std::move(cluster_id))
    , _sessions(static_cast<size_t>(_config.max_fetch_sessions))
    , _groups(std::make_unique<coordinator::group_coordinator>(
          coordinator::group_coordinator::options{
              .initial_rebalance_delay_ms = _config.group_initial_rebalance_delay_ms,
              .min_session_timeout_ms = _config.group_min_session_timeout_ms,
              .max_session_timeout_ms = _config.group_max_session_timeout_ms,
              .offsets_retention_ms = _config.offsets_retention_ms,
              .offsets_retention_check_interval_ms = _config.offsets_retention_check_interval_ms,
          },
          storage::system_now_ms))
    , _txns(std::make_unique<coordinator::txn_coordinator>(
          coordinator::txn_coordinator::options{
              .max_timeout_ms = _config.transaction_max_timeout_ms,
              .id_expiration_ms = _config.transactional_id_expiration_ms,
          },
          storage::system_now_ms,
          [this]() -> result<int64_t> {
              if (!_producer_ids)
                  return make_error(errc::shutting_down, "producer ids are not loaded");
              auto id = _producer_ids->next();
              if (!id.ok()) return id.err();
              return id->value();
          },
          [this](const coordinator::marker_request& req, std::function<void(status)> done) {
              write_markers(req, std::move(done));
          }))
    , _advertised_host(_config.advertised_host.empty() ? _config.listen_host
                                                       : _config.advertised_host)
    , _advertised_port(_config.advertised_port ? _config.advertised_port : _config.listen_port) {}

void broker::set_advertised(std::string host, uint16_t port) {
    std::lock_guard lk(_mu);
    _advertised_host = std::move(host);
    _advertised_port = port;
}

std::string broker::advertised_host() const {
    std::lock_guard lk(_mu);
    return _advertised_host;
}

uint16_t broker::advertised_port() const {
    std::lock_guard lk(_mu);
    return _advertised_port;
}

status broker::load_coordinators() {
    auto ids = coordinator::producer_id_allocator::open(_config.data_dir / "producer-ids");
    if (!ids.ok()) return ids.err();
    _producer_ids = std::move(*ids);
    auto store = std::make_unique<coordinator::offset_store>(_logs);
    SPATE_TRY(store->load_into(*_groups));
    _offsets = std::move(store);
    auto* offsets = _offsets.get();
    _groups->set_persistence(
        [offsets](const std::string& g, const std::vector<coordinator::offset_change>& changes) {
            return offsets->append_offsets(g, changes);
        },
        [offsets](const std::string& g, const std::optional<coordinator::group_snapshot>& snap) {
            return offsets->append_group(g, snap);
        },
        [offsets](const std::string& g, int64_t pid, int16_t epoch,
                  const std::vector<coordinator::offset_change>& changes) {
            return offsets->append_txn_offsets(g, pid, epoch, changes);
        });
    auto txns = std::make_unique<coordinator::txn_store>(_logs);
    SPATE_TRY(txns->load_into(*_txns));
    _txn_store = std::move(txns);
    auto* ts = _txn_store.get();
    _txns->set_persistence(
        [ts](const std::string& id, const std::optional<coordinator::txn_metadata>& md) {
            return ts->append(id, md);
        });
    _txns->resume_pending();
    return {};
}

void broker::write_markers(const coordinator::marker_request& req,
                           std::function<void(status)> done) {
    std::vector<std::pair<std::shared_ptr<storage::log>, model::offset>> written;
    for (const auto& tp : req.partitions) {
        bool offsets_topic = tp.topic == coordinator::k_offsets_topic;
        std::shared_ptr<storage::log> l;
        if (offsets_topic) {
            if (!_offsets) return done(make_error(errc::shutting_down, "offsets not loaded"));
            auto p = _offsets->topic().partition(true);
            if (!p.ok()) return done(p.err());
            l = std::move(*p);
        } else {
            l = _logs.get(tp.topic, tp.partition);
        }
        if (!l) continue;  // the topic was deleted: nothing left to mark
        auto r = l->append_marker(model::producer_id(req.producer_id),
                                  model::producer_epoch(req.producer_epoch), req.commit, 0);
        if (!r.ok()) {
            // A newer epoch of the producer already wrote here, so this
            // transaction has ended on this partition.
            if (r.err().code == errc::producer_fenced) continue;
            return done(r.err());
        }
        if (offsets_topic) _groups->complete_txn(req.producer_id, req.commit);
        _appends.notify(tp.topic, tp.partition);
        written.emplace_back(std::move(l), r->last_offset + 1);
    }
    if (written.empty()) return done({});
    struct countdown {
        std::mutex mu;
        size_t left = 0;
        status first_error;
        std::function<void(status)> done;
    };
    auto cd = std::make_shared<countdown>();
    cd->left = written.size();
    cd->done = std::move(done);
    for (auto& [l, end] : written) {
        l->when_durable(end, [cd](status s) {
            status result;
            {
                std::lock_guard lk(cd->mu);
                if (!s.ok() && cd->first_error.ok()) cd->first_error = s;
                if (--cd->left > 0) return;
                result = cd->first_error;
            }
            cd->done(result);
        });
    }
}

std::span<const handler_spec> broker::handlers() {
    static const std::vector<handler_spec> table = [] {
        std::vector<handler_spec> t = {
            handlers::produce,
            handlers::fetch,
            handlers::list_offsets,
            handlers::metadata,
            handlers::api_versions,
            handlers::create_topics,
            handlers::delete_topics,
            handlers::delete_records,
            handlers::offset_for_leader_epoch,
            handlers::describe_configs,
            handlers::alter_configs,
            handlers::describe_log_dirs,
            handlers::create_partitions,
            handlers::incremental_alter_configs,
            handlers::describe_cluster,
            handlers::find_coordinator,
            handlers::join_group,
            handlers::sync_group,
            handlers::heartbeat,
            handlers::leave_group,
            handlers::offset_commit,
            handlers::offset_fetch,
            handlers::list_groups,
            handlers::describe_groups,
            handlers::delete_groups,
            handlers::offset_delete,
            handlers::init_producer_id,
            handlers::describe_producers,
            handlers::add_partitions_to_txn,
            handlers::add_offsets_to_txn,
            handlers::end_txn,
            handlers::txn_offset_commit,
            handlers::describe_transactions,
            handlers::list_transactions,
        };
        std::sort(t.begin(), t.end(),
                  [](const handler_spec& a, const handler_spec& b) { return a.key < b.key; });
        return t;
    }();
    return table;
}

const handler_spec* broker::find_handler(int16_t api_key) {
    for (const auto& h : handlers())
        if (static_cast<int16_t>(h.key) == api_key) return &h;
    return nullptr;
}

result<std::optional<storage::topic_info>> broker::find_or_create_topic(const std::string& name,
                                                                        bool allow_create) {
    if (auto t = _logs.describe(name)) return std::optional<storage::topic_info>(std::move(*t));
    if (!allow_create || !_config.auto_create_topics) return std::optional<storage::topic_info>();
    auto created = _logs.create_topic(name, _config.num_partitions, {});
    if (!created.ok()) {
        // Lost a race with another creator: fine, use theirs.
        if (created.err().code == errc::already_exists) {
            if (auto t = _logs.describe(name))
                return std::optional<storage::topic_info>(std::move(*t));
        }
        return created.err();
    }
    return std::optional<storage::topic_info>(std::move(*created));
}

kafka::protocol::uuid to_uuid(const storage::topic_id& id) {
    kafka::protocol::uuid u;
    for (int i = 0; i < 8; ++i) {
        u.hi = (u.hi << 8) | id[i];
        u.lo = (u.lo << 8) | id[8 + i];
    }
    return u;
}

namespace {

bool valid_cluster_id(const std::string& s) {
    if (s.size() != 22) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

std::string random_cluster_id() {
    static const char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::random_device rd;
    std::vector<uint8_t> b(16);
    for (auto& x : b)
        x = static_cast<uint8_t>(rd());
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t x : b) {
        acc = (acc << 8) | x;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(k_alphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(k_alphabet[(acc << (6 - bits)) & 0x3f]);
    return out;  // 22 characters
}

}  // namespace

result<std::string> load_or_create_cluster_id(const std::filesystem::path& data_dir) {
    namespace fs = std::filesystem;
    const auto path = data_dir / "cluster.id";
    if (fs::exists(path)) {
        std::ifstream in(path);
        std::string id;
        std::getline(in, id);
        if (!valid_cluster_id(id))
            return make_error(errc::corrupt, path.string() + ": not a cluster id");
        return id;
    }
    std::string id = random_cluster_id();
    const auto tmp = data_dir / "cluster.id.tmp";
    std::string content = id + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno_error("create " + tmp.string(), errno);
    bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
              ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok) return errno_error("write " + tmp.string(), saved);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        return errno_error("rename " + tmp.string(), errno);
    int dfd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return id;
}

}  // namespace spate::broker
