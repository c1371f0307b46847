// records_sink: a response encoded with some records fields left out, the
// left-out bytes spliced back at the positions the sink saw, is the response
// encoded normally, in every Fetch version's encoding (classic and compact
// lengths) — what zero-copy Fetch relies on.

#include "kafka/protocol/records_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kafka/protocol/generated/fetch_response.h"

namespace spate::kafka::protocol {
namespace records_sink_test {
namespace {

using bytes_t = std::vector<std::byte>;

bytes_t bytes_of(const std::string& s) {
    auto b = std::as_bytes(std::span(s.data(), s.size()));
    return bytes_t(b.begin(), b.end());
}

// Leaves out the records of every other field it is offered.
class alternate_sink final : public records_sink {
  public:
    struct left_out {
        size_t at;
        std::span<const std::byte> bytes;
    };
    bool write_records(writer& w, const records_view& r, bool compact) override {
        if (_seen++ % 2 == 1 || !r) return false;
        write_records_length(w, r->size(), compact);
        _left.push_back({w.size(), *r});
        _external += r->size();
        return true;
    }
    size_t external_bytes() const override { return _external; }
    const std::vector<left_out>& left() const { return _left; }

  private:
    size_t _seen = 0;
    size_t _external = 0;
    std::vector<left_out> _left;
};

TEST(records_sink, spliced_frame_equals_the_copied_one_in_every_fetch_version) {
    // 300 bytes: a compact length needs two varint bytes.
    const bytes_t a = bytes_of(std::string(300, 'a'));
    const bytes_t b = bytes_of("bbbb");
    const bytes_t c = bytes_of(std::string(5, 'c'));
    fetch_response r;
    r.responses.emplace_back().topic = "t";
    for (const auto* recs : {&a, &b, &c}) {
        auto& p = r.responses[0].partitions.emplace_back();
        p.partition_index = static_cast<int32_t>(r.responses[0].partitions.size());
        p.records = std::span<const std::byte>(*recs);
    }
    r.responses[0].partitions.emplace_back().partition_index = 9;  // empty records
    for (int16_t v = 4; v <= fetch_response::k_max_version; ++v) {
        bytes_t copied;
        append_response_frame(copied, 5, v, r);
        alternate_sink sink;
        bytes_t sunk;
        append_response_frame_with_sink(sunk, 5, v, r, sink);
        ASSERT_EQ(sink.left().size(), 2u) << "v" << v;  // a and c
        EXPECT_EQ(sink.external_bytes(), a.size() + c.size());
        bytes_t spliced;
        size_t pos = 0;
        for (const auto& l : sink.left()) {
            spliced.insert(spliced.end(), sunk.begin() + static_cast<std::ptrdiff_t>(pos),
                           sunk.begin() + static_cast<std::ptrdiff_t>(l.at));
            spliced.insert(spliced.end(), l.bytes.begin(), l.bytes.end());
            pos = l.at;
        }
        spliced.insert(spliced.end(), sunk.begin() + static_cast<std::ptrdiff_t>(pos), sunk.end());
        EXPECT_EQ(spliced, copied) << "v" << v;
    }
}

TEST(records_sink, scope_restores_the_previous_sink) {
    alternate_sink outer, inner;
    EXPECT_EQ(scoped_records_sink::current(), nullptr);
    {
        scoped_records_sink s1(outer);
        {
            scoped_records_sink s2(inner);
            EXPECT_EQ(scoped_records_sink::current(), &inner);
        }
        EXPECT_EQ(scoped_records_sink::current(), &outer);
    }
    EXPECT_EQ(scoped_records_sink::current(), nullptr);
}

}  // namespace
}  // namespace records_sink_test
}  // namespace spate::kafka::protocol
