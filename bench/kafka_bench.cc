// kafka_bench: producer/consumer throughput and end-to-end latency of a
// running Kafka-compatible broker through librdkafka (consume also with raw
// Fetch requests, bench/fetch_consumer.h), plus the sequential
// write bandwidth of the disk holding the broker's data directory, measured in
// the same run so that the two can be compared.
//
//   kafka_bench --bootstrap HOST:PORT [--data-dir DIR] [--records-100 N]
//               [--records-1k N] [--latency-seconds S] [--rate R] [--disk-mib M]
//               [--latency-only | --at-rest-only [--tls-bootstrap HOST:PORT
//               --ssl-ca-location FILE] [--without-at-rest] [--broker-pid PID]]
//               [--client-property KEY=VALUE]...
//
// --at-rest-only compares 1 KiB produce (acks=all) and consume throughput of
// a plaintext topic with a spate.encryption=true topic on the same broker
// (which needs spate.encryption.key.file; bench/run.sh's "encryption"
// bench sets it), and with --tls-bootstrap (an SSL listener of the same
// broker, its CA in --ssl-ca-location) both over TLS, alternating the modes
// in rounds and keeping each one's best; --without-at-rest keeps only the
// plaintext and TLS rows. It also reports MiB moved per CPU second of the
// broker (--broker-pid) and of this process's librdkafka clients.
//
// Every test uses its own new one-partition topic and no compression;
// throughput producers batch with linger.ms=5 and batch.size=1000000.
// Latency tests use what a latency-sensitive client sets: producer
// linger.ms=0, consumer fetch.min.bytes=1 (answer as soon as anything is
// there) and fetch.wait.max.ms=500 (only bounds an idle long poll: the broker
// answers on the append), socket.nagle.disable=true on both. Besides the
// produce-to-consume latency they report the produce round trip (send to
// delivery report: for acks=all it holds the group-commit fdatasync) and the
// disk's own fdatasync latency for small appends, and run acks=all once more
// with linger.ms=5 to show what client linger costs. With --data-dir they
// also run acks=1 once more beside a thread that fdatasyncs another file in
// that directory back to back: what other syncs on the machine cost a client
// that waits for none.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fetch_consumer.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka_bench.h"
#include "kafka_util.h"

namespace kafka_bench {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

kc::producer make_producer(const options& o, const std::string& acks, int linger_ms = 5,
                           kc::producer::delivery_callback on_delivery = {}) {
    kc::producer_options p;
    p.client = client_config(o.bootstrap, "kafka-bench");
    p.client.properties = o.client_properties;
    if (linger_ms == 0) p.client.properties.emplace_back("socket.nagle.disable", "true");
    p.acks = acks == "1" ? kc::acks::leader : kc::acks::all;
    p.linger_ms = linger_ms;
    p.batch_bytes = 1000000;
    p.compression = kc::compression::none;
    p.queue_max_records = 2000000;
    p.queue_max_kbytes = 1048576;
    p.delivery_timeout_ms = 300000;  // librdkafka's default
    return check(kc::producer::create(p, std::move(on_delivery)), "producer");
}

// One copied record to partition 0 of `topic`.
void produce_one(kc::producer& p, const std::string& topic, const char* payload, size_t size) {
    check(p.produce({topic, 0, std::nullopt, std::string_view(payload, size)}), "produce");
}

// Waits for every queued record; fails the bench if any was not delivered.
void drain(kc::producer& p) {
    while (p.outstanding() > 0)
        (void)p.flush(1000);  // a timeout only means: keep waiting
    if (p.failed() > 0)
        die(std::to_string(p.failed()) + " records not delivered; first: " + p.first_failure());
}

throughput produce_test(const options& o, const std::string& topic, size_t size, long records,
                        const std::string& acks) {
    kc::producer p = make_producer(o, acks);
    std::vector<char> payload(size, 'p');
    auto start = clock_type::now();
    for (long i = 0; i < records; ++i) {
        produce_one(p, topic, payload.data(), size);
        if ((i & 1023) == 0) p.poll(0);
    }
    drain(p);
    return throughput{records, seconds_since(start), size};
}

// `low_latency`: the settings of the latency tests (see the top of the file).
kc::consumer make_consumer(const options& o, bool low_latency = false) {
    kc::consumer_options c;
    c.client = client_config(o.bootstrap, "kafka-bench");
    c.group_id = "kafka-bench";  // required by assign(); no group requests are made
    c.client.properties = {{"fetch.wait.max.ms", low_latency ? "500" : "100"},
                           {"fetch.min.bytes", "1"},
                           {"fetch.max.bytes", "52428800"},
                           {"fetch.message.max.bytes", "8388608"},
                           {"queued.max.messages.kbytes", "1048576"}};
    if (low_latency) c.client.properties.emplace_back("socket.nagle.disable", "true");
    c.client.properties.insert(c.client.properties.end(), o.client_properties.begin(),
                               o.client_properties.end());
    c.on_warning = [](const spate::error& e) {
        std::fprintf(stderr, "consume: %s\n", e.message.c_str());
    };
    return check(kc::consumer::create(c), "consumer");
}

throughput consume_test(const options& o, const std::string& topic, size_t size, long records) {
    kc::consumer c = make_consumer(o);
    check(c.assign({{topic, 0, kc::k_offset_beginning, {}}}), "assign");
    long got = 0;
    auto start = clock_type::now();
    auto last = start;
    while (got < records) {
        auto batch = check(c.poll_batch(10000, 100), "consume");
        if (batch.empty()) {
            if (seconds_since(last) > 30) die("consume stalled at " + std::to_string(got));
            continue;
        }
        got += long(batch.size());
        last = clock_type::now();
    }
    throughput t{records, seconds_since(start), size};
    c.close();
    return t;
}

// The broker's consume ceiling: raw Fetch requests, every record decoded.
throughput fetch_consume_test(const options& o, const std::string& topic, size_t size,
                              long records) {
    fetch_consumer c(o.bootstrap);
    auto start = clock_type::now();
    const size_t bytes = c.consume(topic, records);
    throughput t{records, seconds_since(start), size};
    if (bytes < size_t(records) * size) die("fetch consume: missing value bytes");
    return t;
}

struct percentiles {
    double p50 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

percentiles percentiles_of(std::vector<double>& v) {
    percentiles r;
    if (v.empty()) return r;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v[std::min(v.size() - 1, size_t(p * v.size()))]; };
    r.p50 = pct(0.50);
    r.p99 = pct(0.99);
    r.p999 = pct(0.999);
    r.max = v.back();
    return r;
}

struct latency_result {
    long sent = 0;
    long received = 0;
    percentiles e2e;  // send to receive
    percentiles ack;  // send to delivery report
};

// Produces `rate` records/s of 100 bytes (send time embedded) for the given
// time while a consumer reads them; latency = receive time - send time, and
// the produce round trip = delivery report time - send time.
latency_result latency_test(const options& o, const std::string& topic, const std::string& acks,
                            int linger_ms) {
    kc::consumer consumer = make_consumer(o, true);
    auto marks = check(consumer.query_watermarks({topic, 0}, 10000), "watermarks");
    check(consumer.assign({{topic, 0, marks.high, {}}}), "assign");
    std::vector<double> lat;
    std::atomic<bool> done{false};
    std::atomic<long> expected{-1};
    std::thread reader([&] {
        auto idle_since = clock_type::now();
        while (!(expected >= 0 && long(lat.size()) >= expected) &&
               !(done && seconds_since(idle_since) > 5)) {
            auto m = check(consumer.poll(50), "consume");
            if (!m) continue;
            auto v = m->value();
            if (v && v->size() >= sizeof(int64_t)) {
                int64_t sent;
                std::memcpy(&sent, v->data(), sizeof sent);
                lat.push_back((now_ns() - sent) / 1e6);
                idle_since = clock_type::now();
            }
        }
    });
    std::vector<double> acked;  // appended by delivery callbacks on this thread
    long total = long(o.rate) * o.latency_seconds;
    acked.reserve(size_t(total));
    kc::producer producer =
        make_producer(o, acks, linger_ms, [&acked](const kc::delivery_report& d) {
            if (d.result.ok()) acked.push_back((now_ns() - int64_t(d.tag)) / 1e6);
        });
    char payload[100];
    std::memset(payload, 'l', sizeof payload);
    // Connect the producer (metadata round trip) and let the consumer's first
    // fetch go out before measuring, so client start-up is not counted.
    (void)producer.partition_count(topic);  // a failure shows in the sends below
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto start = clock_type::now();
    for (long i = 0; i < total; ++i) {
        auto due = start + std::chrono::nanoseconds(int64_t(i * 1e9 / o.rate));
        if (clock_type::now() < due) std::this_thread::sleep_until(due);
        int64_t t = now_ns();
        std::memcpy(payload, &t, sizeof t);
        kc::outgoing_record r{topic, 0, std::nullopt, std::string_view(payload, sizeof payload)};
        r.tag = uint64_t(t);
        check(producer.produce(r), "produce");
        producer.poll(0);
    }
    drain(producer);
    expected = total;
    done = true;
    reader.join();
    consumer.close();
    latency_result r;
    r.sent = total;
    r.received = long(lat.size());
    r.e2e = percentiles_of(lat);
    r.ack = percentiles_of(acked);
    return r;
}

// `n` appends of 4 KiB, each followed by fdatasync, in `dir`: the latency of
// the fsync a group commit waits for.
percentiles fsync_test(const std::string& dir, int n) {
    std::string path = dir + "/.kafka_bench_fsync_test";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) die("open " + path + ": " + std::strerror(errno));
    std::vector<char> block(4096, 'f');
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        if (::write(fd, block.data(), block.size()) != ssize_t(block.size()))
            die(std::string("write: ") + std::strerror(errno));
        auto t = clock_type::now();
        if (::fdatasync(fd) != 0) die(std::string("fdatasync: ") + std::strerror(errno));
        ms.push_back(seconds_since(t) * 1e3);
    }
    ::close(fd);
    ::unlink(path.c_str());
    return percentiles_of(ms);
}

// Appends 1,000 bytes and fdatasyncs them, back to back, in `dir` until
// destroyed: another process's syncs, to show what fdatasyncs alone do to
// the latency of a client that waits for none.
class fsync_loop {
  public:
    explicit fsync_loop(const std::string& dir) : _path(dir + "/.kafka_bench_fsync_loop") {
        _fd = ::open(_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (_fd < 0) die("open " + _path + ": " + std::strerror(errno));
        _thread = std::thread([this] {
            std::vector<char> block(1000, 'l');
            while (!_stop) {
                if (::write(_fd, block.data(), block.size()) != ssize_t(block.size()) ||
                    ::fdatasync(_fd) != 0)
                    die(std::string("fsync loop: ") + std::strerror(errno));
                ++_syncs;
            }
        });
    }
    ~fsync_loop() {
        _stop = true;
        _thread.join();
        ::close(_fd);
        ::unlink(_path.c_str());
    }
    long syncs() const { return _syncs; }

  private:
    std::string _path;
    int _fd = -1;
    std::atomic<bool> _stop{false};
    std::atomic<long> _syncs{0};
    std::thread _thread;
};

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

// The command line, parsed with CLI11 (--help and usage errors exit).
options parse(int argc, char** argv) {
    options o;
    std::vector<std::string> extra_properties;
    CLI::App app{"kafka_bench: producer/consumer throughput and latency of a Kafka broker"};
    add_bootstrap(app, o.bootstrap);
    app.add_option("--data-dir", o.data_dir, "The broker's data directory (disk bandwidth test)");
    app.add_option("--records-100", o.records_100, "Records of the 100 B tests")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--records-1k", o.records_1k, "Records of the 1 KiB tests")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--latency-seconds", o.latency_seconds, "Length of each latency test")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--rate", o.rate, "Records/s of the latency tests")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--disk-mib", o.disk_mib, "MiB of the disk test")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_flag("--latency-only", o.latency_only,
                 "Run only the latency tests (and the fsync test with --data-dir)");
    app.add_flag(
        "--at-rest-only", o.at_rest_only,
        "Run only the plaintext vs encrypted-at-rest (and TLS) comparison (1 KiB records)");
    app.add_option("--tls-bootstrap", o.tls_bootstrap,
                   "An SSL listener of the same broker: --at-rest-only adds TLS rows");
    app.add_option("--ssl-ca-location", o.ssl_ca, "The CA certificate of --tls-bootstrap (PEM)");
    app.add_flag("--without-at-rest", o.without_at_rest,
                 "--at-rest-only: leave out the encrypted-at-rest rows (plaintext vs TLS)");
    app.add_option("--broker-pid", o.broker_pid,
                   "The broker's process: --at-rest-only adds its CPU per MiB moved");
    app.add_option("--client-property", extra_properties,
                   "KEY=VALUE: a librdkafka property of every producer and consumer (repeatable)");
    app.add_option("--rounds", o.rounds, "Rounds of the --at-rest-only comparison")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    parse_command_line(app, argc, argv);
    for (const auto& kv : extra_properties) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::fprintf(stderr, "kafka_bench: --client-property %s: expected KEY=VALUE\n",
                         kv.c_str());
            std::exit(2);
        }
        o.client_properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    return o;
}

}  // namespace kafka_bench

using namespace kafka_bench;

int main(int argc, char** argv) {
    options o = parse(argc, argv);
    // The raw TLS producer's OpenSSL writes with write(2): a closed peer must fail it, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    std::string run = run_id();
    std::printf(
        "kafka_bench: %s, librdkafka %s, one partition, no compression; throughput: "
        "linger.ms=5, batch.size=1000000; latency: linger.ms=0, fetch.min.bytes=1, "
        "fetch.wait.max.ms=500, socket.nagle.disable=true\n",
        o.bootstrap.c_str(), kc::library_version().c_str());
    if (o.at_rest_only) {
        at_rest_comparison(o, run);
        return 0;
    }
    double produce_1k_all = 0;
    struct shape {
        size_t size;
        long records;
    };
    for (shape s : {shape{100, o.records_100}, shape{1024, o.records_1k}}) {
        if (o.latency_only) break;
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
                throughput f = fetch_consume_test(o, topic, s.size, s.records);
                std::printf("consume  %5zu B raw Fetch   %8ld records  %10.0f msg/s  %8.1f MiB/s\n",
                            s.size, f.records, f.rate(), f.mib());
                std::fflush(stdout);
            }
        }
    }
    struct latency_case {
        const char* acks;
        int linger_ms;
        bool fsync_load = false;  // with an fsync_loop in the data directory
    };
    std::vector<latency_case> cases{{"1", 0}, {"all", 0}, {"all", 5}};
    if (!o.data_dir.empty()) cases.push_back({"1", 0, true});
    for (latency_case lc : cases) {
        std::string topic = std::string("bench-latency-acks") + lc.acks + "-linger" +
                            std::to_string(lc.linger_ms) + (lc.fsync_load ? "-fsyncs-" : "-") + run;
        create_topic(o.bootstrap, topic, 1);
        std::optional<fsync_loop> load;
        if (lc.fsync_load) load.emplace(o.data_dir);
        latency_result l = latency_test(o, topic, lc.acks, lc.linger_ms);
        std::string note;
        if (load)
            note = ", beside " + std::to_string(load->syncs()) + " fdatasyncs of another file";
        load.reset();
        std::printf(
            "latency  100 B  acks=%-3s linger.ms=%d  %d rec/s x %d s: p50 %.2f ms  p99 %.2f ms  "
            "p99.9 %.2f ms  max %.2f ms  (%ld of %ld received%s)\n",
            lc.acks, lc.linger_ms, o.rate, o.latency_seconds, l.e2e.p50, l.e2e.p99, l.e2e.p999,
            l.e2e.max, l.received, l.sent, note.c_str());
        std::printf(
            "  produce round trip (send -> delivery report): p50 %.2f ms  p99 %.2f ms  p99.9 %.2f "
            "ms  max %.2f ms\n",
            l.ack.p50, l.ack.p99, l.ack.p999, l.ack.max);
        std::fflush(stdout);
        if (l.received != l.sent) die("latency test lost records");
    }
    if (!o.data_dir.empty()) {
        percentiles f = fsync_test(o.data_dir, 2000);
        std::printf(
            "fsync    4 KiB append + fdatasync x 2000 in %s: p50 %.2f ms  p99 %.2f ms  p99.9 "
            "%.2f ms  max %.2f ms\n",
            o.data_dir.c_str(), f.p50, f.p99, f.p999, f.max);
    }
    if (o.latency_only) return 0;
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
