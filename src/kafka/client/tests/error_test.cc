#include "kafka/client/error.h"

#include <gtest/gtest.h>

namespace spate::kafka::client {
namespace error_test {
namespace {

TEST(error_name, kafka_and_librdkafka_codes) {
    EXPECT_EQ(error_name(15), "COORDINATOR_NOT_AVAILABLE");
    EXPECT_EQ(error_name(36), "TOPIC_ALREADY_EXISTS");
    EXPECT_EQ(error_name(105), "TRANSACTIONAL_ID_NOT_FOUND");
    EXPECT_EQ(error_name(-1), "UNKNOWN_SERVER_ERROR");
    EXPECT_EQ(error_name(-185), "_TIMED_OUT");
    EXPECT_EQ(error_name(999), "KAFKA_ERROR_999");
}

TEST(error_category, maps_kafka_codes_to_internal_categories) {
    EXPECT_EQ(error_category(3), errc::not_found);   // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_EQ(error_category(69), errc::not_found);  // GROUP_ID_NOT_FOUND
    EXPECT_EQ(error_category(36), errc::already_exists);
    EXPECT_EQ(error_category(-185), errc::timed_out);       // librdkafka's local timeout
    EXPECT_EQ(error_category(40), errc::invalid_argument);  // INVALID_CONFIG
    EXPECT_EQ(error_category(35), errc::unsupported);
    EXPECT_EQ(error_category(10), errc::too_large);
    EXPECT_EQ(error_category(1), errc::out_of_range);
    EXPECT_EQ(error_category(90), errc::producer_fenced);
    EXPECT_EQ(error_category(45), errc::out_of_order_sequence);
    EXPECT_EQ(error_category(-195), errc::io_error);  // _TRANSPORT
    EXPECT_EQ(error_category(68), errc::io_error);    // NON_EMPTY_GROUP: no closer category
}

TEST(kafka_error, message_carries_the_name_and_detail) {
    error e = kafka_error(36, "Topic 'a' already exists");
    EXPECT_EQ(e.code, errc::already_exists);
    EXPECT_EQ(e.message, "TOPIC_ALREADY_EXISTS: Topic 'a' already exists");
    EXPECT_EQ(kafka_error(25).message, "UNKNOWN_MEMBER_ID");
}

}  // namespace
}  // namespace error_test
}  // namespace spate::kafka::client
