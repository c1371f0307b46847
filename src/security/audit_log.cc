#include "security/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/log.h"

namespace spate::security {

const char* audit_kind_name(audit_kind k) {
    switch (k) {
        case audit_kind::authentication:
            return "authentication";
        case audit_kind::denied:
            return "denied";
        case audit_kind::acl_change:
            return "acl_change";
        case audit_kind::credential_change:
            return "credential_change";
    }
    return "unknown";
}

std::string audit_line(const audit_event& e, int64_t time_ms) {
    nlohmann::json j{{"time_ms", time_ms},
                     {"event", audit_kind_name(e.kind)},
                     {"success", e.success},
                     {"principal", e.principal},
                     {"host", e.host}};
    auto put = [&](const char* key, const std::string& v) {
        if (!v.empty()) j[key] = v;
    };
    put("listener", e.listener);
    put("mechanism", e.mechanism);
    put("operation", e.operation);
    put("resource", e.resource);
    put("detail", e.detail);
    // Names and details may hold any bytes a client sent: replace invalid UTF-8.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

result<std::unique_ptr<audit_log>> audit_log::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return make_error(errc::io_error, "audit log " + path + ": " + std::strerror(errno));
    std::FILE* f = ::fdopen(fd, "a");
    if (!f) {
        ::close(fd);
        return make_error(errc::io_error, "audit log " + path + ": " + std::strerror(errno));
    }
    return std::unique_ptr<audit_log>(new audit_log(f, path));
}

audit_log::~audit_log() {
    std::fclose(_file);
}

void audit_log::record(const audit_event& e) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::string line = audit_line(e, now) + "\n";
    std::lock_guard lock(_mutex);
    if (std::fwrite(line.data(), 1, line.size(), _file) != line.size() || std::fflush(_file) != 0)
        logging::get("security")
            .error("audit log {}: event not written ({}): {}", _path, std::strerror(errno), line);
}

}  // namespace spate::security
