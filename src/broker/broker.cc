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
          [] {
              return std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                  .count();
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

status broker::load_groups() {
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
        });
    return {};
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
