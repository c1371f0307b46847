#include "broker/storage_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <vector>

#include "base/log.h"
#include "broker/config_keys_encryption.h"
#include "broker/config_text.h"
#include "storage/fd_cache.h"
#include "storage/segment.h"

namespace spate::broker {

status storage_service::start(net::runtime&) {
    // Sockets and segment files share the descriptor limit: take the hard
    // limit, and give the segment fd cache its share of it.
    const uint64_t fd_limit = storage::raise_fd_limit();
    storage::fd_cache::global().set_capacity(storage::fd_cache::default_capacity());
    logging::get("storage").info("open file limit {}, segment fd cache {}", fd_limit,
                                 storage::fd_cache::global().capacity());
    storage::set_writeback_bytes(static_cast<uint64_t>(_config.log_writeback_bytes));
    storage::log_manager_options opts;
    opts.data_dir = _config.data_dir;
    opts.broker_defaults = _config.topic_defaults;
    opts.cleaner_enable = _config.log_cleaner_enable;
    opts.sync_min_interval = std::chrono::microseconds(_config.group_commit_interval_us);
    opts.cleaner_backoff_ms = _config.log_cleaner_backoff_ms;
    opts.retention_check_interval_ms = _config.log_retention_check_interval_ms;
    opts.cleaner_map_bytes = _config.log_cleaner_dedupe_buffer_size;
    auto keys = load_encryption_keys(_config);
    if (!keys.ok()) return keys.err();
    opts.keys = *keys;
    for (const auto& t : split_list(_config.encryption.encrypted_topics))
        opts.encrypted_topics.insert(t);
    if (opts.keys)
        logging::get("storage").info("encryption at rest: {} key(s), active key '{}'",
                                     opts.keys->size(), opts.keys->active().id);
    auto mgr = storage::log_manager::open(opts);
    if (!mgr.ok())
        return make_error(mgr.err().code,
                          "cannot open " + _config.data_dir.string() + ": " + mgr.err().message);
    auto id = load_or_create_cluster_id(_config.data_dir);
    if (!id.ok()) {
        if (auto s = (*mgr)->close(); !s.ok())
            logging::get("storage").error("close after a failed start: {}", s.err().to_string());
        return id.err();
    }
    _logs = std::move(*mgr);
    _cluster_id = std::move(*id);
    _topics.emplace(*_logs, _config);
    return {};
}

void storage_service::stop() {
    _close_status = _logs->close();
    if (!_close_status.ok())
        logging::get("storage").error("close failed: {}", _close_status.err().to_string());
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
