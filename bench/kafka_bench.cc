// kafka_bench: producer/consumer throughput and end-to-end latency of a
// running Kafka-compatible broker through librdkafka, plus the sequential
// write bandwidth of the disk holding the broker's data directory, measured in
// the same run so that the two can be compared.
//
//   kafka_bench --bootstrap HOST:PORT [--data-dir DIR] [--records-100 N]
//               [--records-1k N] [--latency-seconds S] [--rate R] [--disk-mib M]
//
// Every test uses its own new one-partition topic and no compression;
// producers batch with linger.ms=5 and batch.size=1000000.

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "rdkafka_util.h"

namespace {

using namespace spate::bench;

struct options {
    std::string bootstrap = "127.0.0.1:9092";
    std::string data_dir;
    long records_100 = 1000000;
    long records_1k = 300000;
    int latency_seconds = 10;
    int rate = 50000;
    int disk_mib = 256;
};

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

rd_kafka_t* make_producer(const options& o, const std::string& acks, delivery_counts* counts) {
    rd_kafka_conf_t* conf = base_conf(o.bootstrap);
    set(conf, "acks", acks);
    set(conf, "linger.ms", "5");
    set(conf, "batch.size", "1000000");
    set(conf, "compression.codec", "none");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "1048576");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, counts);
    return make(RD_KAFKA_PRODUCER, conf);
}

struct throughput {
    long records = 0;
    double seconds = 0;
    size_t size = 0;
    double rate() const { return records / seconds; }
    double mib() const { return records * double(size) / seconds / (1024.0 * 1024.0); }
};

throughput produce_test(const options& o, const std::string& topic, size_t size, long records,
                        const std::string& acks) {
    delivery_counts counts;
    rd_kafka_t* rk = make_producer(o, acks, &counts);
    std::vector<char> payload(size, 'p');
    auto start = clock_type::now();
    for (long i = 0; i < records; ++i) {
        produce_one(rk, topic, payload.data(), size);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0)
        rd_kafka_flush(rk, 1000);
    throughput t{records, seconds_since(start), size};
    rd_kafka_destroy(rk);
    if (counts.failed > 0) die(std::to_string(counts.failed.load()) + " records not delivered");
    return t;
}

rd_kafka_t* make_consumer(const options& o) {
    rd_kafka_conf_t* conf = base_conf(o.bootstrap);
    set(conf, "group.id", "kafka-bench");  // required by assign(); no group requests are made
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.auto.offset.store", "false");
    set(conf, "fetch.wait.max.ms", "100");
    set(conf, "fetch.max.bytes", "52428800");
    set(conf, "fetch.message.max.bytes", "8388608");
    set(conf, "queued.max.messages.kbytes", "1048576");
    rd_kafka_t* rk = make(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

void assign(rd_kafka_t* rk, const std::string& topic, int64_t offset) {
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic.c_str(), 0)->offset = offset;
    if (auto err = rd_kafka_assign(rk, l)) die(std::string("assign: ") + rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(l);
}

throughput consume_test(const options& o, const std::string& topic, size_t size, long records) {
    rd_kafka_t* rk = make_consumer(o);
    assign(rk, topic, RD_KAFKA_OFFSET_BEGINNING);
    long got = 0;
    auto start = clock_type::now();
    auto last = start;
    while (got < records) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            if (seconds_since(last) > 30) die("consume stalled at " + std::to_string(got));
            continue;
        }
        if (m->err) {
            std::fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
        } else {
            ++got;
            last = clock_type::now();
        }
        rd_kafka_message_destroy(m);
    }
    throughput t{records, seconds_since(start), size};
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return t;
}

struct latency_result {
    long sent = 0;
    long received = 0;
    double p50 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

// Produces `rate` records/s of 100 bytes (send time embedded) for the given
// time while a consumer reads them; latency = receive time - send time.
latency_result latency_test(const options& o, const std::string& topic, const std::string& acks) {
    rd_kafka_t* consumer = make_consumer(o);
    int64_t lo = 0, hi = 0;
    if (auto err = rd_kafka_query_watermark_offsets(consumer, topic.c_str(), 0, &lo, &hi, 10000)) {
        die(std::string("watermarks: ") + rd_kafka_err2str(err));
    }
    assign(consumer, topic, hi);
    std::vector<double> lat;
    std::atomic<bool> done{false};
    std::atomic<long> expected{-1};
    std::thread reader([&] {
        auto idle_since = clock_type::now();
        while (!(expected >= 0 && long(lat.size()) >= expected) &&
               !(done && seconds_since(idle_since) > 5)) {
            rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
            if (!m) continue;
            if (!m->err && m->len >= sizeof(int64_t)) {
                int64_t sent;
                std::memcpy(&sent, m->payload, sizeof sent);
                lat.push_back((now_ns() - sent) / 1e6);
                idle_since = clock_type::now();
            }
            rd_kafka_message_destroy(m);
        }
    });
    delivery_counts counts;
    rd_kafka_t* producer = make_producer(o, acks, &counts);
    char payload[100];
    std::memset(payload, 'l', sizeof payload);
    // Connect the producer (metadata round trip) and let the consumer's first
    // fetch go out before measuring, so client start-up is not counted.
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(producer, 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    long total = long(o.rate) * o.latency_seconds;
    auto start = clock_type::now();
    for (long i = 0; i < total; ++i) {
        auto due = start + std::chrono::nanoseconds(int64_t(i * 1e9 / o.rate));
        if (clock_type::now() < due) std::this_thread::sleep_until(due);
        int64_t t = now_ns();
        std::memcpy(payload, &t, sizeof t);
        produce_one(producer, topic, payload, sizeof payload);
        rd_kafka_poll(producer, 0);
    }
    while (rd_kafka_outq_len(producer) > 0)
        rd_kafka_flush(producer, 1000);
    rd_kafka_destroy(producer);
    expected = total;
    done = true;
    reader.join();
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    latency_result r;
    r.sent = total;
    r.received = long(lat.size());
    if (lat.empty()) return r;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) { return lat[std::min(lat.size() - 1, size_t(p * lat.size()))]; };
    r.p50 = pct(0.50);
    r.p99 = pct(0.99);
    r.p999 = pct(0.999);
    r.max = lat.back();
    return r;
}

// Sequential write of `mib` 1 MiB blocks with an fdatasync after each block,
// in `dir`; MiB/s.
double disk_test(const std::string& dir, int mib) {
    std::string path = dir + "/.kafka_bench_disk_test";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) die("open " + path + ": " + std::strerror(errno));
    std::vector<char> block(1 << 20, 'd');
    auto start = clock_type::now();
    for (int i = 0; i < mib; ++i) {
        size_t off = 0;
        while (off < block.size()) {
            ssize_t n = ::write(fd, block.data() + off, block.size() - off);
            if (n < 0) die(std::string("write: ") + std::strerror(errno));
            off += size_t(n);
        }
        if (::fdatasync(fd) != 0) die(std::string("fdatasync: ") + std::strerror(errno));
    }
    double s = seconds_since(start);
    ::close(fd);
    ::unlink(path.c_str());
    return mib / s;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    parse_options(argc, argv, [&](const std::string& a, const std::function<const char*()>& value) {
        if (a == "--bootstrap") {
            o.bootstrap = value();
        } else if (a == "--data-dir") {
            o.data_dir = value();
        } else if (a == "--records-100") {
            o.records_100 = parse_long(value(), "--records-100");
        } else if (a == "--records-1k") {
            o.records_1k = parse_long(value(), "--records-1k");
        } else if (a == "--latency-seconds") {
            o.latency_seconds = int(parse_long(value(), "--latency-seconds"));
        } else if (a == "--rate") {
            o.rate = int(parse_long(value(), "--rate"));
        } else if (a == "--disk-mib") {
            o.disk_mib = int(parse_long(value(), "--disk-mib"));
        } else {
            return false;
        }
        return true;
    });
    std::string run = run_id();
    std::printf(
        "kafka_bench: %s, librdkafka %s, one partition, linger.ms=5, batch.size=1000000, "
        "no compression\n",
        o.bootstrap.c_str(), rd_kafka_version_str());
    double produce_1k_all = 0;
    struct shape {
        size_t size;
        long records;
    };
    for (shape s : {shape{100, o.records_100}, shape{1024, o.records_1k}}) {
        for (const char* acks : {"1", "all"}) {
            std::string topic = "bench-" + std::to_string(s.size) + "-acks" + acks + "-" + run;
            create_topic(o.bootstrap, topic, 1);
            throughput t = produce_test(o, topic, s.size, s.records, acks);
            std::printf("produce  %5zu B  acks=%-3s  %8ld records  %10.0f msg/s  %8.1f MiB/s\n",
                        s.size, acks, t.records, t.rate(), t.mib());
            std::fflush(stdout);
            if (s.size == 1024 && std::string(acks) == "all") produce_1k_all = t.mib();
            if (std::string(acks) == "all") {
                throughput c = consume_test(o, topic, s.size, s.records);
                std::printf("consume  %5zu B             %8ld records  %10.0f msg/s  %8.1f MiB/s\n",
                            s.size, c.records, c.rate(), c.mib());
                std::fflush(stdout);
            }
        }
    }
    for (const char* acks : {"1", "all"}) {
        std::string topic = std::string("bench-latency-acks") + acks + "-" + run;
        create_topic(o.bootstrap, topic, 1);
        latency_result l = latency_test(o, topic, acks);
        std::printf(
            "latency  100 B  acks=%-3s  %d rec/s x %d s: p50 %.2f ms  p99 %.2f ms  "
            "p99.9 %.2f ms  max %.2f ms  (%ld of %ld received)\n",
            acks, o.rate, o.latency_seconds, l.p50, l.p99, l.p999, l.max, l.received, l.sent);
        std::fflush(stdout);
        if (l.received != l.sent) die("latency test lost records");
    }
    if (!o.data_dir.empty()) {
        double disk = disk_test(o.data_dir, o.disk_mib);
        std::printf(
            "disk     sequential write, 1 MiB blocks + fdatasync, %d MiB in %s: %.1f MiB/s\n",
            o.disk_mib, o.data_dir.c_str(), disk);
        std::printf("ratio    produce 1 KiB acks=all / disk bandwidth: %.2f\n",
                    produce_1k_all / disk);
    }
    return 0;
}
