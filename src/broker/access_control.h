#pragma once

// Authorization as the broker's handlers use it: the one
// security::authorizer (Kafka's decision rules), the ACLs' persistence
// (acl_log.h, __spate_acls) and the audit log (security/audit_log.h,
// spate.audit.log.file). Every check a handler makes goes through
// authorize(), which writes a "denied" audit line for each refusal; every
// ACL change goes through create()/remove(), which store the changed
// patterns durably before the authorizer sees them and audit them.
//
// Threading: every member may be called from any thread. Changes are
// serialised (the log's order is the authorizer's order); checks never
// wait for changes beyond the authorizer's reader lock.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "broker/acl_log.h"
#include "broker/broker_config.h"
#include "net/connection_info.h"
#include "security/acl.h"
#include "security/audit_log.h"
#include "security/authorizer.h"
#include "storage/log_manager.h"

namespace spate::broker {

// Who asks, as the authorizer and the audit log see it.
security::identity identity_of(const net::connection_info& conn);

class access_control {
  public:
    // Opens the audit log (when configured) and replays __spate_acls; an
    // unreadable ACL record or audit file is an error (the broker does not
    // start with a partial ACL set). `logs` must outlive the object.
    static result<std::unique_ptr<access_control>> open(const authz_settings& config,
                                                        storage::log_manager& logs);

    // Every check passes (allow.everyone.if.no.acl.found and no ACL stored):
    // hot paths may skip their per-item checks.
    bool unrestricted() const {
        return _allow_everyone && _no_acls.load(std::memory_order_acquire);
    }
    // Whether `conn` may perform `op` on the resource; a refusal is audited
    // (kind denied, with `api` as detail).
    bool authorize(const net::connection_info& conn, security::acl_operation op,
                   security::resource_type type, std::string_view name, std::string_view api);
    // The same decision without an audit line (filters such as Metadata's
    // topic list and ListGroups, where Kafka does not log omissions).
    bool allowed(const net::connection_info& conn, security::acl_operation op,
                 security::resource_type type, std::string_view name) const;
    int32_t authorized_operations(const net::connection_info& conn, security::resource_type type,
                                  std::string_view name) const;
    // Kafka 3.x's idempotent-producer rule (InitProducerId without a
    // transactional id): may `conn` WRITE some topic? True when an ALLOW
    // WRITE (or ALL) binding of a topic pattern applies to the principal and
    // host and the authorizer grants WRITE on that pattern's name, or when no
    // topic ACL exists and allow.everyone.if.no.acl.found is on.
    bool may_write_some_topic(const net::connection_info& conn) const;

    // CreateAcls: one status per binding (validation errors are
    // errc::invalid_argument; a storage failure fails every valid binding).
    std::vector<status> create(const net::connection_info& conn,
                               const std::vector<security::acl_binding>& bindings);
    // DeleteAcls: for each filter, the bindings it removed (a storage
    // failure fails the filters not yet applied).
    std::vector<result<std::vector<security::acl_binding>>> remove(
        const net::connection_info& conn, const std::vector<security::acl_filter>& filters);
    std::vector<security::acl_binding> describe(const security::acl_filter& filter) const {
        return _authorizer.describe(filter);
    }

    security::authorizer& authorizer() { return _authorizer; }
    // nullptr when no audit log is configured. Other services (SASL
    // authentication, pgwire, HTTP) record their events here.
    security::audit_log* audit() { return _audit.get(); }

    access_control(const authz_settings& config, storage::log_manager& logs);

  private:
    void audit_change(const net::connection_info& conn, const security::acl_binding& b,
                      const char* what, bool applied, const std::string& detail);

    // Recomputes _no_acls after a change (under _change_mu).
    void note_change();

    security::authorizer _authorizer;
    const bool _allow_everyone;
    // No ACL is stored: with allow.everyone.if.no.acl.found every check
    // passes without the authorizer's lookups (Produce's and Fetch's per
    // partition checks stay cheap on an unsecured broker).
    std::atomic<bool> _no_acls{true};
    acl_log _log;
    std::unique_ptr<security::audit_log> _audit;
    std::mutex _change_mu;
};

// A binding as the audit log and messages name it: "TOPIC:LITERAL:orders".
std::string resource_text(const security::resource_pattern& p);

}  // namespace spate::broker
