#pragma once

// Kafka's ACL vocabulary as it appears on the wire (CreateAcls, DescribeAcls,
// authorized-operations bit sets): operations and resource types with their
// protocol codes.

#include <cstdint>

namespace spate::kafka::protocol {

enum class acl_operation : int8_t {
    unknown = 0,
    any = 1,
    all = 2,
    read = 3,
    write = 4,
    create = 5,
    del = 6,  // DELETE
    alter = 7,
    describe = 8,
    cluster_action = 9,
    describe_configs = 10,
    alter_configs = 11,
    idempotent_write = 12,
    create_tokens = 13,
    describe_tokens = 14,
};

enum class resource_type : int8_t {
    unknown = 0,
    any = 1,
    topic = 2,
    group = 3,
    cluster = 4,
    transactional_id = 5,
    delegation_token = 6,
    user = 7,
    // Spate's schema registry subjects (Confluent-style subject ACLs). Not a
    // Kafka code: chosen far above Kafka's (0..7) so that a future Kafka type
    // cannot collide; CreateAcls / DescribeAcls / DeleteAcls carry it as is.
    subject = 64,
};

const char* acl_operation_name(acl_operation op);
const char* resource_type_name(resource_type r);

// The operations ACLs can grant on a resource of type `r` (Kafka 3.9's
// per-resource sets, e.g. a group: READ, DESCRIBE, DELETE) as an
// authorized-operations bit set: bit (1 << code) per operation. 0 for
// unknown/any.
int32_t supported_operations_bits(resource_type r);

}  // namespace spate::kafka::protocol
