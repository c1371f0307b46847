#include "kafka/client/error.h"

#include <librdkafka/rdkafka.h>

#include <cstring>

namespace spate::kafka::client {

namespace {

// Kafka codes newer than librdkafka 2.0's table.
const char* newer_kafka_name(int32_t code) {
    switch (code) {
        case 98:
            return "SNAPSHOT_NOT_FOUND";
        case 99:
            return "POSITION_OUT_OF_RANGE";
        case 100:
            return "UNKNOWN_TOPIC_ID";
        case 101:
            return "DUPLICATE_BROKER_REGISTRATION";
        case 102:
            return "BROKER_ID_NOT_REGISTERED";
        case 103:
            return "INCONSISTENT_TOPIC_ID";
        case 104:
            return "INCONSISTENT_CLUSTER_ID";
        case 105:
            return "TRANSACTIONAL_ID_NOT_FOUND";
        case 106:
            return "FETCH_SESSION_TOPIC_ID_ERROR";
        case 107:
            return "INELIGIBLE_REPLICA";
        case 108:
            return "NEW_LEADER_ELECTED";
        default:
            return nullptr;
    }
}

}  // namespace

std::string error_name(int32_t code) {
    if (code == -1) return "UNKNOWN_SERVER_ERROR";  // librdkafka calls it "UNKNOWN"
    if (const char* n = newer_kafka_name(code)) return n;
    const char* name = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
    // librdkafka names codes it does not know "ERR_<code>?" or leaves them empty.
    if (name == nullptr || *name == '\0' || std::strchr(name, '?') != nullptr ||
        std::strncmp(name, "ERR_", 4) == 0) {
        return "KAFKA_ERROR_" + std::to_string(code);
    }
    return name;
}

errc error_category(int32_t code) {
    if (code == 100 || code == 105) return errc::not_found;  // UNKNOWN_TOPIC_ID, TXN_ID_NOT_FOUND
    switch (static_cast<rd_kafka_resp_err_t>(code)) {
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
            return errc::not_found;
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            return errc::already_exists;
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
            return errc::timed_out;
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
        case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
        case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
        case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
        case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
        case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
        case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
        case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
        case RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT:
        case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
            return errc::invalid_argument;
        case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
        case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
        case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
        case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
            return errc::unsupported;
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
            return errc::too_large;
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
            return errc::out_of_range;
        case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
        case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
        case RD_KAFKA_RESP_ERR__FENCED:
            return errc::producer_fenced;
        case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
            return errc::out_of_order_sequence;
        default:
            return errc::io_error;
    }
}

error kafka_error(int32_t code, std::string_view detail) {
    std::string msg = error_name(code);
    if (!detail.empty()) {
        msg += ": ";
        msg += detail;
    }
    return make_error(error_category(code), std::move(msg));
}

}  // namespace spate::kafka::client
