#include "storage/tests/test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::storage::testing {

namespace {
std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

temp_dir::temp_dir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    _path = base / ("spate-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                    "-" + std::to_string(rd()));
    std::filesystem::create_directories(_path);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(_path, ec);
}

std::string expected_value(uint64_t seed, int i, size_t value_size) {
    std::string v(value_size, '\0');
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(i) + 1;
    for (size_t j = 0; j < value_size; ++j) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[j] = static_cast<char>('a' + x % 26);
    }
    return v;
}

std::vector<std::byte> make_batch(int count, size_t value_size, int64_t first_ts, uint64_t seed,
                                  model::compression c) {
    model::record_batch_options o;
    o.compression_type = c;
    model::record_batch_builder b(o);
    for (int i = 0; i < count; ++i) {
        auto key = "k" + std::to_string(seed) + "-" + std::to_string(i);
        auto value = expected_value(seed, i, value_size);
        b.add(first_ts + i, as_bytes(key), as_bytes(value));
    }
    return b.finish();
}

topic_config config_with(const config_map& overrides) {
    auto c = topic_config::resolve({}, overrides);
    SPATE_ASSERT_MSG(c.ok(), c.ok() ? "" : c.err().message.c_str());
    return *c;
}

std::vector<stored_batch> read_all(const log& l, model::offset from) {
    std::vector<stored_batch> out;
    auto end = l.log_end_offset();
    while (from < end) {
        auto r = l.read(from, 64 * 1024);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().to_string());
        if (!r.ok() || !r->chunk) break;
        std::vector<std::byte> bytes;
        EXPECT_TRUE(r->copy_to(bytes).ok());
        std::span<const std::byte> rest(bytes);
        while (!rest.empty()) {
            auto v = model::record_batch_view::parse(rest);
            EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.err().to_string());
            if (!v.ok()) return out;
            out.push_back({v->base_offset(), v->last_offset(), v->max_timestamp(),
                           std::vector<std::byte>(v->bytes().begin(), v->bytes().end())});
            from = v->last_offset() + 1;
            rest = rest.subspan(v->size_bytes());
        }
    }
    return out;
}

std::vector<std::string> values_of(const stored_batch& b) {
    std::vector<std::string> out;
    auto v = model::record_batch_view::parse(b.bytes);
    EXPECT_TRUE(v.ok());
    if (!v.ok()) return out;
    auto reader = model::record_reader::create(*v);
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return out;
    auto s = reader->for_each([&](const model::record_view& r) {
        if (r.value)
            out.emplace_back(reinterpret_cast<const char*>(r.value->data()), r.value->size());
    });
    EXPECT_TRUE(s.ok());
    return out;
}

}  // namespace spate::storage::testing
