#include "kafka/protocol/acl.h"

namespace spate::kafka::protocol {

const char* acl_operation_name(acl_operation op) {
    switch (op) {
        case acl_operation::unknown:
            return "UNKNOWN";
        case acl_operation::any:
            return "ANY";
        case acl_operation::all:
            return "ALL";
        case acl_operation::read:
            return "READ";
        case acl_operation::write:
            return "WRITE";
        case acl_operation::create:
            return "CREATE";
        case acl_operation::del:
            return "DELETE";
        case acl_operation::alter:
            return "ALTER";
        case acl_operation::describe:
            return "DESCRIBE";
        case acl_operation::cluster_action:
            return "CLUSTER_ACTION";
        case acl_operation::describe_configs:
            return "DESCRIBE_CONFIGS";
        case acl_operation::alter_configs:
            return "ALTER_CONFIGS";
        case acl_operation::idempotent_write:
            return "IDEMPOTENT_WRITE";
        case acl_operation::create_tokens:
            return "CREATE_TOKENS";
        case acl_operation::describe_tokens:
            return "DESCRIBE_TOKENS";
    }
    return "UNKNOWN";
}

const char* resource_type_name(resource_type r) {
    switch (r) {
        case resource_type::unknown:
            return "UNKNOWN";
        case resource_type::any:
            return "ANY";
        case resource_type::topic:
            return "TOPIC";
        case resource_type::group:
            return "GROUP";
        case resource_type::cluster:
            return "CLUSTER";
        case resource_type::transactional_id:
            return "TRANSACTIONAL_ID";
        case resource_type::delegation_token:
            return "DELEGATION_TOKEN";
        case resource_type::user:
            return "USER";
    }
    return "UNKNOWN";
}

}  // namespace spate::kafka::protocol
