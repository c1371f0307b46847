#pragma once

// The broker's consume ceiling without librdkafka's per-message queueing: one
// TCP connection sending Fetch v12 (sessionless, one request in flight, as a
// consumer does) for one partition and walking every record of the answer
// with model::record_reader (each record decoded, its value size summed), so
// the figure still counts records an application receives.

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka_util.h"
#include "model/record_batch.h"
#include "model/records.h"

namespace spate::bench {

class fetch_consumer {
  public:
    // `bootstrap` is HOST:PORT.
    explicit fetch_consumer(const std::string& bootstrap) {
        const auto colon = bootstrap.rfind(':');
        if (colon == std::string::npos) die("bootstrap " + bootstrap + ": no port");
        addrinfo hints{};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        if (::getaddrinfo(bootstrap.substr(0, colon).c_str(), bootstrap.substr(colon + 1).c_str(),
                          &hints, &res) != 0 ||
            !res)
            die("resolve " + bootstrap);
        _fd = ::socket(res->ai_family, res->ai_socktype, 0);
        if (_fd < 0 || ::connect(_fd, res->ai_addr, res->ai_addrlen) != 0)
            die("connect " + bootstrap + ": " + std::strerror(errno));
        ::freeaddrinfo(res);
        int one = 1;
        ::setsockopt(_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~fetch_consumer() { ::close(_fd); }
    fetch_consumer(const fetch_consumer&) = delete;
    fetch_consumer& operator=(const fetch_consumer&) = delete;

    // Reads partition 0 of `topic` from offset 0 until `records` records
    // were decoded; returns the value bytes seen.
    size_t consume(const std::string& topic, long records) {
        kafka::protocol::fetch_request f;
        f.max_wait_ms = 100;
        f.min_bytes = 1;
        f.max_bytes = 64 << 20;
        f.session_epoch = -1;
        auto& t = f.topics.emplace_back();
        t.topic = topic;
        t.partitions.emplace_back().partition_max_bytes = 16 << 20;
        int64_t offset = 0;
        long got = 0;
        size_t bytes = 0;
        std::vector<std::byte> scratch;
        while (got < records) {
            t.partitions[0].fetch_offset = offset;
            _out.clear();
            kafka::protocol::append_request_frame(_out, ++_id, std::string("fetch-bench"), 12, f);
            send_all(_out);
            read_frame();
            auto h = kafka::protocol::parse_response_header(
                _in, static_cast<int16_t>(kafka::protocol::api_key::fetch), 12);
            if (!h.ok()) die("fetch: bad response header");
            auto r = kafka::protocol::decode_message<kafka::protocol::fetch_response>(
                std::span(_in).subspan(h->header_size), 12);
            if (!r.ok() || r->responses.empty() || r->responses[0].partitions.empty())
                die("fetch: bad response");
            const auto& p = r->responses[0].partitions[0];
            if (p.error_code != 0) die("fetch: error " + std::to_string(p.error_code));
            std::span<const std::byte> rest = p.records ? *p.records : std::span<const std::byte>();
            while (rest.size() >= model::batch_layout::header_size) {
                auto v = model::record_batch_view::parse_unchecked_crc(rest);
                if (!v.ok()) break;  // a partial batch at the end
                auto rr = check(model::record_reader::create(*v, scratch), "records");
                check(rr.for_each([&](const model::record_view& rec) {
                    bytes += rec.value ? rec.value->size() : 0;
                    ++got;
                }),
                      "records");
                offset = v->last_offset().value() + 1;
                rest = rest.subspan(v->size_bytes());
            }
        }
        return bytes;
    }

  private:
    void send_all(const std::vector<std::byte>& b) {
        for (size_t at = 0; at < b.size();) {
            ssize_t n = ::send(_fd, b.data() + at, b.size() - at, MSG_NOSIGNAL);
            if (n <= 0) die(std::string("send: ") + std::strerror(errno));
            at += size_t(n);
        }
    }
    void read_exact(std::byte* p, size_t n) {
        for (size_t at = 0; at < n;) {
            ssize_t r = ::recv(_fd, p + at, n - at, 0);
            if (r <= 0) die("recv: connection closed");
            at += size_t(r);
        }
    }
    void read_frame() {
        std::byte prefix[4];
        read_exact(prefix, 4);
        int32_t size = 0;
        std::memcpy(&size, prefix, 4);
        size = int32_t(__builtin_bswap32(uint32_t(size)));
        if (size < 0) die("fetch: negative frame size");
        _in.resize(size_t(size));
        read_exact(_in.data(), _in.size());
    }

    int _fd = -1;
    int32_t _id = 0;
    std::vector<std::byte> _out;
    std::vector<std::byte> _in;
};

}  // namespace spate::bench
