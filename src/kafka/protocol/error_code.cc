#include "kafka/protocol/error_code.h"

namespace spate::kafka {

error_code to_error_code(const error& e) {
    switch (e.code) {
        case errc::ok:
            return error_code::none;
        case errc::corrupt:
            return error_code::corrupt_message;
        case errc::too_large:
            return error_code::message_too_large;
        case errc::out_of_range:
            return error_code::offset_out_of_range;
        case errc::not_found:
            return error_code::unknown_topic_or_partition;
        case errc::already_exists:
            return error_code::topic_already_exists;
        case errc::invalid_argument:
            return error_code::invalid_request;
        case errc::timed_out:
            return error_code::request_timed_out;
        case errc::io_error:
            return error_code::kafka_storage_error;
        case errc::shutting_down:
            return error_code::not_leader_or_follower;
        case errc::out_of_order_sequence:
            return error_code::out_of_order_sequence_number;
        case errc::producer_fenced:
            return error_code::invalid_producer_epoch;
        case errc::unsupported:
            return error_code::invalid_request;
    }
    return error_code::unknown_server_error;
}

}  // namespace spate::kafka
