#pragma once

// `spate acl create|list|delete` (aliases add, remove): kafka-acls.sh's
// flags over the Kafka protocol's ACL APIs (kafka/client/raw_acls.h).
// The pure parts (flags → bindings / filters, the listing) are here and
// tested; acl.cc sends them.

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "kafka/client/raw_acls.h"

namespace CLI {
class App;
}

namespace spate::cli {

struct acl_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
    std::vector<std::string> allow_principals;
    std::vector<std::string> deny_principals;
    std::vector<std::string> allow_hosts;  // default "*" when a principal is allowed
    std::vector<std::string> deny_hosts;   // default "*" when a principal is denied
    std::vector<std::string> operations;   // Kafka names, any case (Read, DESCRIBE_CONFIGS, ...)
    std::vector<std::string> topics;
    std::vector<std::string> groups;
    std::vector<std::string> transactional_ids;
    std::vector<std::string> subjects;  // schema registry subjects (resource type SUBJECT)
    bool cluster = false;
    // literal | prefixed (create/delete); list also any | match. Empty:
    // literal for create/delete, any for list.
    std::string pattern_type;
    std::string principal;  // list: only this principal's bindings
};

// An operation's wire code from kafka-acls' spelling (Read, read, READ,
// DescribeConfigs, describe-configs, DESCRIBE_CONFIGS, All).
result<int8_t> parse_acl_operation(const std::string& s);

// create: one binding per resource x principal x host x operation (both
// ALLOW and DENY sets). Needs a resource, a principal and an operation.
result<std::vector<kafka::client::acl_binding_spec>> acl_bindings(const acl_args& a);
// delete: the bindings as exact filters; without any principal, one filter
// per resource matching every entry on it (kafka-acls --remove).
result<std::vector<kafka::client::acl_filter_spec>> acl_delete_filters(const acl_args& a);
// list: one filter per resource given (or every ACL), restricted to
// --principal when given.
result<std::vector<kafka::client::acl_filter_spec>> acl_list_filters(const acl_args& a);

// The listing, grouped by resource pattern as kafka-acls prints it:
// "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t,
// patternType=LITERAL)`:" then one "(principal=..., host=..., operation=...,
// permissionType=...)" line per entry.
std::string format_acls(std::vector<kafka::client::acl_binding_spec> bindings);

void define_acl(CLI::App& cmd, acl_args& out);
result<acl_args> parse_acl(const std::vector<std::string>& args);

status acl_create(const acl_args& a);
status acl_list(const acl_args& a);
status acl_delete(const acl_args& a);

}  // namespace spate::cli
