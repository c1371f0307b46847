#pragma once

// `spate quota alter|describe`: kafka-configs' client quota flags over the
// Kafka protocol's quota APIs (kafka/client/raw_quotas.h): the entity from
// --user NAME | --user-default and --client-id ID | --client-default,
// changes from --add-config k=v,... and --delete-config k,... The pure
// parts (flags → entity, ops, filter; the listing) are here and tested;
// quota.cc sends them.

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "kafka/client/raw_quotas.h"

namespace CLI {
class App;
}

namespace spate::cli {

struct quota_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE
    std::string user;
    bool user_default = false;
    std::string client_id;
    bool client_default = false;
    std::vector<std::string> add_config;     // "k=v[,k=v...]", repeatable
    std::vector<std::string> delete_config;  // "k[,k...]", repeatable
    bool validate_only = false;
};

// The entity the flags name (alter: at least one part; a name and its
// default flag together are refused).
result<kafka::client::quota_entity_parts> quota_entity(const quota_args& a);
// The --add-config / --delete-config changes (at least one; values are
// numbers; a key both added and deleted is refused).
result<std::vector<kafka::client::quota_op>> quota_ops(const quota_args& a);
// describe: exact components for the parts given (strict), or every entity.
result<std::vector<kafka::client::quota_filter_component>> quota_filter(const quota_args& a);

// kafka-configs' listing: "Quota configs for user-principal 'alice' are
// producer_byte_rate=1048576.0" (default entities: "the default
// user-principal"), one line per entity, in the given order.
std::string format_quota_entity(const kafka::client::quota_entity_parts& entity);
std::string format_quotas(const std::vector<kafka::client::quota_entry>& entries);

void define_quota(CLI::App& cmd, quota_args& out);
result<quota_args> parse_quota(const std::vector<std::string>& args);

status quota_alter(const quota_args& a);
status quota_describe(const quota_args& a);

}  // namespace spate::cli
