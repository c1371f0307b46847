#include "kafka/protocol/acl.h"

#include <initializer_list>

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
        case resource_type::subject:
            return "SUBJECT";
    }
    return "UNKNOWN";
}

namespace {

int32_t bits_of(std::initializer_list<acl_operation> ops) {
    int32_t out = 0;
    for (auto op : ops)
        out |= int32_t(1) << static_cast<int>(op);
    return out;
}

}  // namespace

int32_t supported_operations_bits(resource_type r) {
    using op = acl_operation;
    switch (r) {
        case resource_type::topic:
            return bits_of({op::read, op::write, op::create, op::describe, op::del, op::alter,
                            op::describe_configs, op::alter_configs});
        case resource_type::group:
            return bits_of({op::read, op::describe, op::del});
        case resource_type::cluster:
            return bits_of({op::create, op::cluster_action, op::describe_configs, op::alter_configs,
                            op::idempotent_write, op::alter, op::describe});
        case resource_type::transactional_id:
            return bits_of({op::describe, op::write});
        case resource_type::delegation_token:
            return bits_of({op::describe});
        case resource_type::user:
            return bits_of({op::create_tokens, op::describe_tokens});
        case resource_type::subject:
            return bits_of({op::read, op::write, op::del, op::describe, op::describe_configs,
                            op::alter_configs});
        case resource_type::unknown:
        case resource_type::any:
            return 0;
    }
    return 0;
}

}  // namespace spate::kafka::protocol
