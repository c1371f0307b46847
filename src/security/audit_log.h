#pragma once

// The audit log: one JSON object per line in its own file, for every
// authentication (success or failure), every denied operation and every
// change of ACLs or credentials, with who (principal), from where (host,
// listener) and on what (resource, operation).
//
// Threading: record() may be called from any thread; lines never
// interleave. Each line is flushed to the file before record() returns; a
// write failure is logged (logger "security") and the event is dropped,
// the request it describes is not failed by it.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"

namespace spate::security {

enum class audit_kind { authentication, denied, acl_change, credential_change };

struct audit_event {
    audit_kind kind = audit_kind::authentication;
    bool success = false;   // authentication: it succeeded; changes: applied
    std::string principal;  // "User:alice" (failed logins: the name tried)
    std::string host;
    std::string listener;   // "kafka", "pgwire", "http" or a named listener
    std::string mechanism;  // "SCRAM-SHA-256", "PLAIN", "mTLS", ...
    std::string operation;  // "READ", "CreateAcls", ...
    std::string resource;   // "TOPIC:orders", "GROUP:app", ...
    std::string detail;
};

const char* audit_kind_name(audit_kind k);

// The line written for `e` at `time_ms` (epoch milliseconds), without '\n'.
std::string audit_line(const audit_event& e, int64_t time_ms);

class audit_log {
  public:
    // Appends to `path` (created with mode 0600 when missing).
    static result<std::unique_ptr<audit_log>> open(const std::string& path);
    ~audit_log();
    audit_log(const audit_log&) = delete;
    audit_log& operator=(const audit_log&) = delete;

    void record(const audit_event& e);

  private:
    explicit audit_log(std::FILE* f, std::string path) : _file(f), _path(std::move(path)) {}

    std::mutex _mutex;
    std::FILE* _file;
    std::string _path;
};

}  // namespace spate::security
