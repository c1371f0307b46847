#pragma once

// Test harness: a broker + server on 127.0.0.1:0 over a temporary data
// directory, and a blocking TCP client speaking the generated codecs.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/coordinator_service.h"
#include "broker/kafka_service.h"
#include "broker/storage_service.h"
#include "kafka/protocol/frame.h"
#include "net/listener.h"
#include "net/runtime.h"
#include "net/service.h"
#include "storage/log_manager.h"

namespace spate::broker::test {

namespace proto = kafka::protocol;

// A running broker: the storage, coordinator and Kafka services on a runtime,
// as `spate serve` wires them. Destruction stops the services in reverse.
class test_broker {
  public:
    explicit test_broker(broker_config cfg = {});
    ~test_broker();

    uint16_t port() const { return _port; }
    // Another Kafka listener on the same services whose connections use
    // `limits` (e.g. spate.fetch.zero.copy off); stopped with the broker.
    // Returns its port.
    uint16_t add_listener(const broker_config& limits);
    handler_deps& deps() { return _kafka->deps(); }
    // The bound port of the Kafka listener named `name` (0: none).
    uint16_t listener_port(const std::string& name) const {
        for (const auto& e : _kafka->endpoints())
            if (e.name == name) return e.port;
        return 0;
    }
    storage::log_manager& logs() { return _storage->logs(); }

  private:
    std::filesystem::path _dir;
    broker_config _config;
    net::runtime _rt;
    std::unique_ptr<net::service_set> _services;
    storage_service* _storage = nullptr;
    kafka_service* _kafka = nullptr;
    uint16_t _port = 0;
    std::deque<broker_config> _extra_limits;
    std::vector<std::unique_ptr<net::listener>> _extra_listeners;
};

class test_client {
  public:
    explicit test_client(uint16_t port);
    ~test_client();

    void send_raw(const std::vector<std::byte>& bytes);
    // Reads one response frame body (after the size prefix); nullopt on EOF
    // or error, or when nothing arrives within `timeout_ms`.
    std::optional<std::vector<std::byte>> read_frame(int timeout_ms = 10000);
    // True when the peer closed the connection (EOF within timeout_ms).
    bool closed_by_peer(int timeout_ms = 5000);

    template <typename Request>
    int32_t send(const Request& r, int16_t version) {
        std::vector<std::byte> out;
        int32_t id = _next_id++;
        proto::append_request_frame(out, id, std::string("test"), version, r);
        send_raw(out);
        return id;
    }

    template <typename Response>
    Response receive(int16_t version, int32_t expect_id) {
        // Decoded records are views into the frame: keep it until the next receive.
        _last_frame = read_frame();
        auto& frame = _last_frame;
        EXPECT_TRUE(frame.has_value());
        if (!frame) return Response{};
        auto h = proto::parse_response_header(*frame, static_cast<int16_t>(Response::k_api_key),
                                              version);
        EXPECT_TRUE(h.ok());
        if (!h.ok()) return Response{};
        EXPECT_EQ(h->correlation_id, expect_id);
        auto m =
            proto::decode_message<Response>(std::span(*frame).subspan(h->header_size), version);
        EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.err().to_string());
        return m.ok() ? std::move(*m) : Response{};
    }

    template <typename Response, typename Request>
    Response call(const Request& r, int16_t version) {
        int32_t id = send(r, version);
        return receive<Response>(version, id);
    }

    int fd() const { return _fd; }

  private:
    int _fd = -1;
    int32_t _next_id = 1;
    std::optional<std::vector<std::byte>> _last_frame;
};

// A magic-2 batch of `n` uncompressed records "v0".."v{n-1}" with the given
// base timestamp (each record +1 ms).
std::vector<std::byte> make_batch(int n, int64_t base_ts = 1000, const std::string& prefix = "v");

}  // namespace spate::broker::test
