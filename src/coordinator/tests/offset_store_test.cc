// __consumer_offsets persistence: record layouts and replay after reopen.

#include "coordinator/offset_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

namespace spate::coordinator {
namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("spate-offsets-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

std::unique_ptr<storage::log_manager> open_logs(const std::filesystem::path& dir) {
    storage::log_manager_options o;
    o.data_dir = dir;
    auto m = storage::log_manager::open(o);
    EXPECT_TRUE(m.ok());
    return std::move(*m);
}

TEST(offset_store, key_and_value_round_trip) {
    auto key = encode_offset_key("grp", {"topic", 7});
    auto value = encode_offset_value({42, 3, "meta", 1234});
    auto d = decode_offset_record(key, std::span<const std::byte>(value));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->group, "grp");
    EXPECT_EQ(d->tp, (topic_partition{"topic", 7}));
    ASSERT_TRUE(d->value);
    EXPECT_EQ(d->value->offset, 42);
    EXPECT_EQ(d->value->leader_epoch, 3);
    EXPECT_EQ(d->value->metadata, "meta");
    EXPECT_EQ(d->value->commit_timestamp_ms, 1234);
    auto tomb = decode_offset_record(key, std::nullopt);
    ASSERT_TRUE(tomb.ok());
    EXPECT_FALSE(tomb->value);
    // Kafka's group metadata key (version 2) is not an offset record.
    std::vector<std::byte> v2 = key;
    v2[1] = std::byte{2};
    EXPECT_FALSE(decode_offset_record(v2, std::nullopt).ok());
    std::vector<std::byte> short_key(key.begin(), key.begin() + 5);
    EXPECT_FALSE(decode_offset_record(short_key, std::nullopt).ok());
}

TEST(offset_store, commits_survive_reopen) {
    temp_dir dir;
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator gc({}, [] { return int64_t{0}; });
        // Nothing to replay, and no topic until the first commit.
        ASSERT_TRUE(store.load_into(gc).ok());
        EXPECT_FALSE(logs->describe(k_offsets_topic));
        gc.set_offset_listener(
            [&](const std::string& g, const topic_partition& tp,
                const std::optional<committed_offset>& o) { return store.append(g, tp, o); });
        offset_commit_request c;
        c.group_id = "a";
        c.offsets.push_back({{"t", 0}, {10, -1, "x", 1}});
        c.offsets.push_back({{"t", 1}, {20, -1, "", 1}});
        EXPECT_EQ(gc.commit_offsets(c)[0], group_error::none);
        c.offsets = {{{"t", 0}, {11, -1, "y", 2}}};
        gc.commit_offsets(c);
        c.group_id = "b";
        gc.commit_offsets(c);
        EXPECT_EQ(gc.delete_group("b"), group_error::none);
        auto t = logs->describe(k_offsets_topic);
        ASSERT_TRUE(t);
        EXPECT_EQ(t->overrides.at("cleanup.policy"), "compact");
        ASSERT_TRUE(logs->close().ok());
    }
    auto logs = open_logs(dir.path);
    offset_store store(*logs);
    group_coordinator gc({}, [] { return int64_t{0}; });
    ASSERT_TRUE(store.load_into(gc).ok());
    auto a = gc.fetch_offsets("a", std::nullopt);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a.at({"t", 0}).offset, 11);
    EXPECT_EQ(a.at({"t", 0}).metadata, "y");
    EXPECT_EQ(a.at({"t", 1}).offset, 20);
    EXPECT_TRUE(gc.fetch_offsets("b", std::nullopt).empty());
    ASSERT_TRUE(logs->close().ok());
}

}  // namespace
}  // namespace spate::coordinator
