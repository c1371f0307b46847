// raw_connection's pipelining (send now, receive later, answers in order)
// against a real broker (the build's `spate serve`,
// kafka/client/testing/broker_process.h).

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <vector>

#include "kafka/client/raw_client.h"
#include "kafka/client/testing/broker_process.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/record_batch_builder.h"

namespace spate::kafka::client {
namespace raw_pipeline_test {
namespace {

namespace proto = kafka::protocol;

class raw_connection_pipeline : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        auto c = raw_connection::open_bootstrap(_broker.client());
        ASSERT_TRUE(c.ok()) << c.err().message;
        _conn = std::move(*c);
    }

    testing::broker_process _broker{SPATE_BINARY};
    std::unique_ptr<raw_connection> _conn;
};

TEST_F(raw_connection_pipeline, produce_requests_in_flight_together_are_answered_in_order) {
    model::record_batch_builder b;
    const std::vector<std::byte> value(100, std::byte{'v'});
    for (int i = 0; i < 10; ++i)
        b.add(1700000000000, std::nullopt, std::span<const std::byte>(value));
    const auto batch = b.finish();
    proto::produce_request req;
    req.acks = -1;
    req.timeout_ms = 10000;
    req.topic_data.push_back({"pipelined", {{0, std::span<const std::byte>(batch)}}});
    const int16_t v = 7;

    std::vector<int32_t> ids;
    for (int i = 0; i < 4; ++i) {
        auto id = _conn->send(req, v);
        ASSERT_TRUE(id.ok()) << id.err().message;
        ids.push_back(*id);
    }
    for (int i = 0; i < 4; ++i) {
        auto r = _conn->receive<proto::produce_response>(
            ids[i], static_cast<int16_t>(proto::api_key::produce), v);
        ASSERT_TRUE(r.ok()) << r.err().message;
        ASSERT_EQ(r->responses.size(), 1u);
        const auto& p = r->responses[0].partition_responses.at(0);
        EXPECT_EQ(p.error_code, 0);
        EXPECT_EQ(p.base_offset, 10 * i) << "request " << i;
    }
}

TEST_F(raw_connection_pipeline, receiving_out_of_order_is_an_error) {
    proto::metadata_request req;
    req.topics = std::nullopt;
    auto first = _conn->send(req, 1);
    ASSERT_TRUE(first.ok());
    auto second = _conn->send(req, 1);
    ASSERT_TRUE(second.ok());
    auto r = _conn->receive<proto::metadata_response>(
        *second, static_cast<int16_t>(proto::api_key::metadata), 1);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("another request"), std::string::npos) << r.err().message;
}

TEST_F(raw_connection_pipeline, call_still_works_after_pipelined_requests) {
    proto::metadata_request req;
    req.topics = std::nullopt;
    auto id = _conn->send(req, 1);
    ASSERT_TRUE(id.ok());
    auto first = _conn->receive<proto::metadata_response>(
        *id, static_cast<int16_t>(proto::api_key::metadata), 1);
    ASSERT_TRUE(first.ok()) << first.err().message;
    auto r = _conn->call<proto::metadata_response>(req, 1);
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->brokers.size(), 1u);
}

}  // namespace
}  // namespace raw_pipeline_test
}  // namespace spate::kafka::client
