// Exact wire bytes for a few messages, worked out by hand from the Kafka
// protocol guide (field order per version, classic vs compact encodings,
// tagged field sections, header versions).

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/wire.h"

namespace spate::kafka::protocol {
namespace golden_test {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

TEST(golden, api_versions_request_v3_frame) {
    api_versions_request req;
    req.client_software_name = "spate";
    req.client_software_version = "1.0";
    std::vector<std::byte> frame;
    append_request_frame(frame, 7, std::string("cli"), 3, req);
    const auto expected = bytes_of({
        0x00, 0x00, 0x00, 0x19,            // size 25
        0x00, 0x12,                        // api key 18
        0x00, 0x03,                        // api version 3
        0x00, 0x00, 0x00, 0x07,            // correlation id
        0x00, 0x03, 'c',  'l',  'i',       // client id: classic nullable string
        0x00,                              // header tagged fields (header v2)
        0x06, 's',  'p',  'a',  't', 'e',  // compact string, length + 1
        0x04, '1',  '.',  '0',             // compact string
        0x00,                              // body tagged fields
    });
    EXPECT_EQ(frame, expected);

    auto size = frame_size(frame, 1 << 20);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 25u);
    const auto body = std::span(frame).subspan(k_frame_size_prefix);
    auto header = parse_request_header(body);
    ASSERT_TRUE(header.ok()) << header.err().to_string();
    EXPECT_EQ(header->api_key, 18);
    EXPECT_EQ(header->api_version, 3);
    EXPECT_EQ(header->correlation_id, 7);
    EXPECT_EQ(header->client_id, "cli");
    EXPECT_EQ(header->header_version, 2);
    EXPECT_EQ(header->header_size, 14u);
    auto decoded = decode_message<api_versions_request>(body.subspan(header->header_size), 3);
    ASSERT_TRUE(decoded.ok()) << decoded.err().to_string();
    EXPECT_EQ(*decoded, req);
}

TEST(golden, api_versions_request_v3_skips_unknown_tagged_fields) {
    const auto body = bytes_of({
        0x02, 'c', 0x02, 'v',  // name "c", version "v"
        0x02,                  // two tagged fields
        0x05, 0x02, 'h', 'i',  // tag 5, 2 bytes
        0x7f, 0x00,            // tag 127, empty
    });
    auto decoded = decode_message<api_versions_request>(body, 3);
    ASSERT_TRUE(decoded.ok()) << decoded.err().to_string();
    EXPECT_EQ(decoded->client_software_name, "c");
    EXPECT_EQ(decoded->client_software_version, "v");
    EXPECT_EQ(encode_message(*decoded, 3), bytes_of({0x02, 'c', 0x02, 'v', 0x00}));
}

TEST(golden, api_versions_response_v3_with_tagged_fields) {
    api_versions_response resp;
    resp.api_keys.push_back({18, 0, 4});
    resp.finalized_features_epoch = 5;
    resp.zk_migration_ready = true;
    std::vector<std::byte> frame;
    append_response_frame(frame, 7, 3, resp);
    const auto expected = bytes_of({
        0x00, 0x00, 0x00, 0x20,                                // size 32
        0x00, 0x00, 0x00, 0x07,                                // response header v0, always
        0x00, 0x00,                                            // error code
        0x02,                                                  // compact array of 1
        0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00,              // key, min, max, tagged fields
        0x00, 0x00, 0x00, 0x00,                                // throttle time
        0x02,                                                  // two tagged fields
        0x01, 0x08, 0,    0,    0,    0,    0,    0, 0, 0x05,  // tag 1: finalized features epoch
        0x03, 0x01, 0x01,                                      // tag 3: zk migration ready
    });
    EXPECT_EQ(frame, expected);

    const auto body = std::span(frame).subspan(k_frame_size_prefix);
    auto header = parse_response_header(body, 18, 3);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->correlation_id, 7);
    EXPECT_EQ(header->header_size, 4u);
    auto decoded = decode_message<api_versions_response>(body.subspan(4), 3);
    ASSERT_TRUE(decoded.ok()) << decoded.err().to_string();
    EXPECT_EQ(*decoded, resp);
}

TEST(golden, api_versions_response_v0_omits_later_fields) {
    api_versions_response resp;
    resp.error_code = 35;
    resp.api_keys.push_back({18, 0, 3});
    resp.throttle_time_ms = 9;          // v1+
    resp.finalized_features_epoch = 5;  // tagged, v3+
    EXPECT_EQ(encode_message(resp, 0),
              bytes_of({0x00, 0x23, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03}));
}

TEST(golden, metadata_request_v0) {
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>(2);
    (*req.topics)[0].name = "a";
    (*req.topics)[1].name = "bc";
    const auto expected = bytes_of({
        0x00,
        0x00,
        0x00,
        0x02,  // array of 2
        0x00,
        0x01,
        'a',  // classic string
        0x00,
        0x02,
        'b',
        'c',
    });
    EXPECT_EQ(encode_message(req, 0), expected);
    auto decoded = decode_message<metadata_request>(expected, 0);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, req);
}

TEST(golden, metadata_request_null_topics) {
    metadata_request req;
    req.topics = std::nullopt;
    // v0 cannot express null: an empty array goes out instead.
    EXPECT_EQ(encode_message(req, 0), bytes_of({0, 0, 0, 0}));
    // v1+ can.
    EXPECT_EQ(encode_message(req, 1), bytes_of({0xff, 0xff, 0xff, 0xff}));
    req.include_topic_authorized_operations = true;
    const auto v9 = bytes_of({
        0x00,  // null compact array
        0x01,  // allow auto topic creation (default true)
        0x00,  // include cluster authorized operations
        0x01,  // include topic authorized operations
        0x00,  // tagged fields
    });
    EXPECT_EQ(encode_message(req, 9), v9);
    auto decoded = decode_message<metadata_request>(v9, 9);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->topics, std::nullopt);
    EXPECT_EQ(*decoded, req);
}

TEST(golden, metadata_request_v9_with_topic) {
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>(1);
    (*req.topics)[0].name = "t";
    (*req.topics)[0].topic_id = uuid{1, 2};  // v10+: absent from v9
    req.allow_auto_topic_creation = false;
    const auto expected = bytes_of({
        0x02,             // compact array of 1
        0x02, 't', 0x00,  // compact string, element tagged fields
        0x00, 0x00, 0x00,
        0x00,  // tagged fields
    });
    EXPECT_EQ(encode_message(req, 9), expected);
}

TEST(golden, produce_request_v3_with_records) {
    const auto records = bytes_of({0xaa, 0xbb, 0xcc});
    produce_request req;
    req.acks = -1;
    req.timeout_ms = 30000;
    auto& topic = req.topic_data.emplace_back();
    topic.name = "t";
    auto& partition = topic.partition_data.emplace_back();
    partition.index = 2;
    partition.records = std::span<const std::byte>(records);
    const auto expected = bytes_of({
        0xff, 0xff,              // transactional id: null
        0xff, 0xff,              // acks -1
        0x00, 0x00, 0x75, 0x30,  // timeout 30000
        0x00, 0x00, 0x00, 0x01,  // one topic
        0x00, 0x01, 't',         //
        0x00, 0x00, 0x00, 0x01,  // one partition
        0x00, 0x00, 0x00, 0x02,  // index
        0x00, 0x00, 0x00, 0x03,  // records: int32 size
        0xaa, 0xbb, 0xcc,
    });
    EXPECT_EQ(encode_message(req, 3), expected);

    auto decoded = decode_message<produce_request>(expected, 3);
    ASSERT_TRUE(decoded.ok()) << decoded.err().to_string();
    EXPECT_EQ(*decoded, req);
    const auto& got = decoded->topic_data.at(0).partition_data.at(0).records;
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->data(), expected.data() + 27);  // a view, not a copy
    EXPECT_EQ(got->size(), 3u);
}

TEST(golden, response_headers) {
    std::vector<std::byte> buf;
    writer w(buf);
    write_response_header(w, 3, 9, 0x01020304);  // Metadata v9 is flexible: header v1
    EXPECT_EQ(buf, bytes_of({0x01, 0x02, 0x03, 0x04, 0x00}));
    buf.clear();
    write_response_header(w, 3, 8, 0x01020304);  // v8 is not: header v0
    EXPECT_EQ(buf, bytes_of({0x01, 0x02, 0x03, 0x04}));
    buf.clear();
    write_response_header(w, 18, 3, 0x01020304);  // ApiVersions: always v0
    EXPECT_EQ(buf, bytes_of({0x01, 0x02, 0x03, 0x04}));
}

TEST(golden, request_header_v2_with_null_client_id) {
    std::vector<std::byte> buf;
    writer w(buf);
    write_request_header(w, 3, 9, 1, std::nullopt);
    EXPECT_EQ(buf, bytes_of({0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x00}));
}

}  // namespace
}  // namespace golden_test
}  // namespace spate::kafka::protocol
