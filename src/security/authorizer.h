#pragma once

// The one ACL authorizer every protocol asks (Kafka, PostgreSQL wire, HTTP),
// with Kafka's semantics:
// - super users are allowed everything;
// - a resource with no ACL at all (of any principal) is allowed to everyone
//   when `allow_everyone_if_no_acl_found`, else to no one;
// - otherwise a DENY entry matching the principal (or User:*), the host (or
//   *) and the operation (or ALL) refuses, whatever allows;
// - else an ALLOW entry that matches allows. READ, WRITE, DELETE and ALTER
//   imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL implies
//   every operation.
// The ACLs that apply to a resource are its LITERAL name, the LITERAL "*" of
// its type, and every PREFIXED pattern that is a prefix of its name.
//
// Threading: every member may be called from any thread; changes are
// atomic per call (readers see the set before or after one). The store
// that persists bindings (an internal compacted topic) is the caller's.

#include <cstdint>
#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/acl.h"

namespace spate::security {

struct authorizer_config {
    std::vector<std::string> super_users;  // principals, "User:admin"
    // Spate's default is true (Kafka's is false), so the plaintext embedded
    // default keeps working without ACLs.
    bool allow_everyone_if_no_acl_found = true;
};

// Who asks: the connection's principal ("User:alice") and peer host.
struct identity {
    std::string principal;
    std::string host;
};

// The operations Kafka defines for a resource type (the bits of an
// authorized-operations set: 1 << operation code).
std::vector<acl_operation> operations_of(resource_type type);

class authorizer {
  public:
    explicit authorizer(authorizer_config config);

    bool authorize(const identity& who, acl_operation op, resource_type type,
                   std::string_view name) const;
    // The bit set (1 << code) of operations_of(type) `who` may perform on
    // the resource, as Metadata / DescribeGroups / DescribeCluster answer.
    int32_t authorized_operations(const identity& who, resource_type type,
                                  std::string_view name) const;

    // CreateAcls: each binding validated (validate()) and added; one status
    // per binding, in order. Adding a binding that exists is a success.
    std::vector<status> create(const std::vector<acl_binding>& bindings);
    // DeleteAcls: the bindings matching `filter`, removed.
    std::vector<acl_binding> remove(const acl_filter& filter);
    // DescribeAcls: the bindings matching `filter`, ordered by resource.
    std::vector<acl_binding> describe(const acl_filter& filter) const;

    // Replaces the entries of one resource pattern (replay of the store;
    // empty removes it).
    void set(const resource_pattern& pattern, std::vector<access_entry> entries);
    // The entries of one pattern (what the store writes after a change).
    std::vector<access_entry> entries(const resource_pattern& pattern) const;

    bool is_super_user(std::string_view principal) const;

  private:
    bool allowed(const identity& who, acl_operation op, resource_type type,
                 std::string_view name) const;
    template <typename Fn>
    void for_each_applying(resource_type type, std::string_view name, Fn&& fn) const;

    authorizer_config _config;
    mutable std::shared_mutex _mutex;
    std::map<resource_pattern, std::set<access_entry>> _acls;
};

}  // namespace spate::security
