// Zero-copy Fetch: responses whose record bytes go out with sendfile are
// byte-identical to the copy path's, read segment by segment, and a queued
// response keeps serving the bytes it chose after retention deletes or
// compaction replaces its segment. One broker, two listeners over the same
// storage: the default one (spate.fetch.zero.copy on) and one with it off.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "storage/testing.h"

namespace spate::broker::test {
namespace zero_copy_fetch_test {
namespace {

using namespace kafka::protocol;
using clk = std::chrono::steady_clock;
using frame = std::vector<std::byte>;

constexpr int32_t k_correlation_id = 7;

struct fetch_target {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
};

frame fetch_frame(test_client& c, const std::vector<fetch_target>& targets, int16_t version,
                  int32_t partition_max_bytes, int32_t max_wait_ms = 0, int32_t min_bytes = 0) {
    fetch_request f;
    f.max_wait_ms = max_wait_ms;
    f.min_bytes = min_bytes;
    f.max_bytes = 64 << 20;
    f.session_epoch = -1;  // sessionless: both listeners answer alike
    for (const auto& t : targets) {
        if (f.topics.empty() || f.topics.back().topic != t.topic)
            f.topics.emplace_back().topic = t.topic;
        fetch_request::fetch_partition p;
        p.partition = t.partition;
        p.fetch_offset = t.offset;
        p.partition_max_bytes = partition_max_bytes;
        f.topics.back().partitions.push_back(p);
    }
    frame out;
    append_request_frame(out, k_correlation_id, std::string("test"), version, f);
    c.send_raw(out);
    auto r = c.read_frame();
    EXPECT_TRUE(r.has_value());
    return r.value_or(frame{});
}

// The records of each partition of a Fetch response frame.
std::vector<std::vector<std::byte>> records_of(const frame& f, int16_t version) {
    std::vector<std::vector<std::byte>> out;
    auto h = parse_response_header(f, static_cast<int16_t>(api_key::fetch), version);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) return out;
    auto m = decode_message<fetch_response>(std::span(f).subspan(h->header_size), version);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.err().to_string());
    if (!m.ok()) return out;
    for (const auto& t : m->responses)
        for (const auto& p : t.partitions) {
            EXPECT_EQ(p.error_code, 0);
            auto r = p.records.value_or(std::span<const std::byte>());
            out.emplace_back(r.begin(), r.end());
        }
    return out;
}

// The offset after the last batch of a records section (`from` if empty).
int64_t next_offset(std::span<const std::byte> records, int64_t from) {
    while (!records.empty()) {
        auto v = model::record_batch_view::parse(records);
        EXPECT_TRUE(v.ok());
        if (!v.ok()) break;
        from = v->last_offset().value() + 1;
        records = records.subspan(v->size_bytes());
    }
    return from;
}

std::vector<std::byte> keyed_batch(int first_key, int n, int keys) {
    model::record_batch_builder b;
    for (int i = 0; i < n; ++i) {
        std::string k = "k" + std::to_string((first_key + i) % keys);
        std::string v = "value-" + std::to_string(first_key + i);
        b.add(1000 + first_key + i, std::as_bytes(std::span(k.data(), k.size())),
              std::as_bytes(std::span(v.data(), v.size())));
    }
    return b.finish();
}

class zero_copy_fetch : public ::testing::Test {
  protected:
    zero_copy_fetch() : tb(config()) {
        broker_config copy = config();
        copy.fetch_zero_copy = false;
        copy_port = tb.add_listener(copy);
    }

    static broker_config config() {
        broker_config c;
        c.topic_defaults["segment.bytes"] = "4096";
        c.log_cleaner_enable = false;  // the tests compact when they choose
        return c;
    }

    std::shared_ptr<storage::log> create(const std::string& topic, int partitions,
                                         storage::config_map cfg = {}) {
        EXPECT_TRUE(tb.logs().create_topic(topic, partitions, cfg).ok());
        return tb.logs().get(topic, 0);
    }

    // Appends `batches` batches straight to the log (what Produce does).
    void fill(storage::log& log, int batches, bool keyed = false) {
        for (int i = 0; i < batches; ++i) {
            auto b = keyed ? keyed_batch(i * 10, 10, 25) : make_batch(10, 1000 + i * 10);
            ASSERT_TRUE(log.append(b).ok());
        }
    }

    // Reads the partition from `from` to its end through both listeners, one
    // segment-sized step at a time, expecting identical frames; returns the
    // records read and the number of fetches.
    std::pair<std::vector<std::byte>, int> read_both(const std::string& topic, int16_t version,
                                                     int64_t from, int32_t max_bytes = 1000) {
        test_client zc(tb.port());
        test_client cc(copy_port);
        std::vector<std::byte> all;
        int fetches = 0;
        auto log = tb.logs().get(topic, 0);
        while (from < log->log_end_offset().value()) {
            frame z = fetch_frame(zc, {{topic, 0, from}}, version, max_bytes);
            frame c = fetch_frame(cc, {{topic, 0, from}}, version, max_bytes);
            EXPECT_EQ(z, c) << "fetch at " << from << " v" << version;
            auto recs = records_of(z, version);
            if (recs.size() != 1 || recs[0].empty()) {
                ADD_FAILURE() << "no records at " << from;
                break;
            }
            all.insert(all.end(), recs[0].begin(), recs[0].end());
            from = next_offset(recs[0], from);
            ++fetches;
        }
        return {all, fetches};
    }

    test_broker tb;
    uint16_t copy_port = 0;
};

TEST_F(zero_copy_fetch, frames_match_the_copy_path_across_segment_boundaries) {
    auto log = create("t", 1);
    fill(*log, 60);
    ASSERT_GE(storage::log_test_access::segment_count(*log), 3u);
    for (int16_t v : {4, 11, 12}) {
        auto [bytes, fetches] = read_both("t", v, 0);
        EXPECT_GT(fetches, 3) << "v" << v;
        EXPECT_EQ(next_offset(bytes, 0), log->log_end_offset().value()) << "v" << v;
    }
    // A first fetch larger than a segment stops at the segment's end.
    auto [bytes, fetches] = read_both("t", 12, 0, 1 << 20);
    EXPECT_EQ(fetches, static_cast<int>(storage::log_test_access::segment_count(*log)));
}

TEST_F(zero_copy_fetch, several_partitions_and_errors_in_one_response_match) {
    create("m", 3);
    for (int p = 0; p < 3; ++p)
        fill(*tb.logs().get("m", p), 5 + p);
    test_client zc(tb.port());
    test_client cc(copy_port);
    const std::vector<fetch_target> targets{
        {"m", 0, 0}, {"m", 1, 3}, {"m", 2, 0}, {"m", 7, 0}, {"none", 0, 0}};
    for (int16_t v : {4, 11, 12}) {
        frame z = fetch_frame(zc, targets, v, 1 << 20);
        EXPECT_EQ(z, fetch_frame(cc, targets, v, 1 << 20)) << "v" << v;
        EXPECT_GT(z.size(), 5u * 10 * 10);
    }
}

TEST_F(zero_copy_fetch, large_responses_match) {
    auto log = create("big", 1, {{"segment.bytes", std::to_string(64 << 20)}});
    std::string value(1000, 'x');
    for (int i = 0; i < 200; ++i) {
        model::record_batch_builder b;
        for (int r = 0; r < 50; ++r)
            b.add(1000 + r, std::nullopt, std::as_bytes(std::span(value.data(), value.size())));
        auto batch = b.finish();
        ASSERT_TRUE(log->append(batch).ok());
    }
    test_client zc(tb.port());
    test_client cc(copy_port);
    // ~10 MB: more than the socket buffers, so sendfile waits for the client.
    frame z = fetch_frame(zc, {{"big", 0, 0}}, 12, 32 << 20);
    frame c = fetch_frame(cc, {{"big", 0, 0}}, 12, 32 << 20);
    EXPECT_GT(z.size(), size_t{9} << 20);
    EXPECT_EQ(z, c);
}

// A long-poll Fetch on an empty partition answered only when `wake` appends
// to it: responses to later requests on the same connection stay queued.
struct queue_blocker {
    queue_blocker(test_client& c, const std::string& topic) : client(c) {
        fetch_request f;
        f.max_wait_ms = 30000;
        f.min_bytes = 1;
        f.max_bytes = 1 << 20;
        f.session_epoch = -1;
        auto& t = f.topics.emplace_back();
        t.topic = topic;
        fetch_request::fetch_partition p;
        p.partition = 0;
        p.partition_max_bytes = 1 << 20;
        t.partitions.push_back(p);
        frame out;
        append_request_frame(out, 1, std::string("test"), 12, f);
        c.send_raw(out);
    }
    void release(storage::log& log, append_notifier& appends, const std::string& topic) {
        auto batch = make_batch(1);
        ASSERT_TRUE(log.append(batch).ok());
        appends.notify(topic, 0);
        EXPECT_TRUE(client.read_frame().has_value());
    }
    test_client& client;
};

// Sends a Fetch of `target` behind a blocker, waits until its response holds
// segment 0's file, runs `change`, releases the queue and returns the frame.
template <typename Change>
frame queued_fetch(test_broker& tb, storage::log& log, const fetch_target& target,
                   Change&& change) {
    auto blocker_log = tb.logs().get("blocker", 0);
    test_client zc(tb.port());
    queue_blocker blocker(zc, "blocker");
    const long baseline = storage::log_test_access::data_file_refs(log, 0);
    fetch_request f;
    f.max_bytes = 1 << 20;
    f.session_epoch = -1;
    auto& t = f.topics.emplace_back();
    t.topic = target.topic;
    fetch_request::fetch_partition p;
    p.partition = target.partition;
    p.fetch_offset = target.offset;
    p.partition_max_bytes = 1 << 20;
    t.partitions.push_back(p);
    frame out;
    append_request_frame(out, k_correlation_id, std::string("test"), 12, f);
    zc.send_raw(out);
    const auto deadline = clk::now() + std::chrono::seconds(10);
    while (storage::log_test_access::data_file_refs(log, 0) <= baseline && clk::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_GT(storage::log_test_access::data_file_refs(log, 0), baseline)
        << "the queued response never took the segment";
    change();
    blocker.release(*blocker_log, tb.deps().appends, "blocker");
    auto r = zc.read_frame();
    EXPECT_TRUE(r.has_value());
    return r.value_or(frame{});
}

TEST_F(zero_copy_fetch, queued_response_survives_retention_deleting_its_segment) {
    auto log = create("r", 1);
    create("blocker", 1);
    fill(*log, 60);
    ASSERT_GE(storage::log_test_access::segment_count(*log), 3u);
    test_client cc(copy_port);
    const frame expected = fetch_frame(cc, {{"r", 0, 0}}, 12, 1 << 20);
    const auto first_segment = storage::log_test_access::data_file_path(*log, 0);
    frame got = queued_fetch(tb, *log, {"r", 0, 0}, [&] {
        ASSERT_TRUE(
            log->delete_records_before(model::offset(log->log_end_offset().value() - 1)).ok());
        EXPECT_FALSE(std::filesystem::exists(first_segment));
    });
    EXPECT_GT(log->log_start_offset().value(), 0);
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(records_of(got, 12).at(0).empty());
}

TEST_F(zero_copy_fetch, queued_response_survives_a_compaction_swap_and_later_reads_match) {
    auto log = create("c", 1, {{"cleanup.policy", "compact"}});
    create("blocker", 1);
    fill(*log, 60, true);
    ASSERT_GE(storage::log_test_access::segment_count(*log), 3u);
    const auto before = read_both("c", 12, 0);
    test_client cc(copy_port);
    const frame expected = fetch_frame(cc, {{"c", 0, 0}}, 12, 1 << 20);
    frame got = queued_fetch(tb, *log, {"c", 0, 0}, [&] {
        auto r = log->compact(storage::system_now_ms(), {.force = true});
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r->ran);
        EXPECT_GT(r->records_removed, 0u);
    });
    EXPECT_EQ(got, expected);
    // After the swap both paths serve the cleaned segments alike.
    auto [bytes, fetches] = read_both("c", 12, log->log_start_offset().value());
    EXPECT_GT(fetches, 1);
    EXPECT_LT(bytes.size(), before.first.size());
}

// An encrypted topic (spate.encryption=true) is read through the copy path
// on both listeners: the records served are the batches as produced, the
// same bytes a plaintext topic with the same appends serves.
TEST(encrypted_fetch, serves_the_produced_batches_decrypted_with_zero_copy_on_and_off) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("spate-enc-fetch-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "keys") << std::string(64, 'c') << "\n";
    broker_config c;
    c.topic_defaults["segment.bytes"] = "4096";
    c.log_cleaner_enable = false;
    c.encryption.key_file = (dir / "keys").string();
    {
        test_broker tb(c);
        broker_config copy = c;
        copy.fetch_zero_copy = false;
        const uint16_t copy_port = tb.add_listener(copy);
        ASSERT_TRUE(tb.logs().create_topic("enc", 1, {{"spate.encryption", "true"}}).ok());
        ASSERT_TRUE(tb.logs().create_topic("plain", 1, {}).ok());
        for (int i = 0; i < 20; ++i) {
            auto b = keyed_batch(i * 10, 10, 25);
            auto p = b;
            ASSERT_TRUE(tb.logs().get("enc", 0)->append(b).ok());
            ASSERT_TRUE(tb.logs().get("plain", 0)->append(p).ok());
        }
        const int64_t end = tb.logs().get("enc", 0)->log_end_offset().value();
        test_client zc(tb.port());
        test_client cc(copy_port);
        for (int64_t from = 0; from < end;) {
            auto enc_z = records_of(fetch_frame(zc, {{"enc", 0, from}}, 12, 1 << 20), 12);
            auto enc_c = records_of(fetch_frame(cc, {{"enc", 0, from}}, 12, 1 << 20), 12);
            auto plain = records_of(fetch_frame(cc, {{"plain", 0, from}}, 12, 1 << 20), 12);
            ASSERT_EQ(enc_z.size(), 1u);
            ASSERT_FALSE(enc_z[0].empty()) << "at " << from;
            EXPECT_EQ(enc_z, enc_c) << "at " << from;
            // Segments differ in size (36 bytes per sealed batch): compare
            // the batches both responses hold.
            const size_t n = std::min(enc_z[0].size(), plain[0].size());
            EXPECT_TRUE(std::equal(enc_z[0].begin(), enc_z[0].begin() + n, plain[0].begin()))
                << "at " << from;
            from = next_offset(enc_z[0], from);  // parse() checks every batch's CRC
        }
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zero_copy_fetch_test
}  // namespace spate::broker::test
