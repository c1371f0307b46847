// txn_bench: producer throughput of transactions on a running Kafka-compatible
// broker through librdkafka, against an idempotent (non-transactional)
// producer measured in the same run on the same broker.
//
//   txn_bench --bootstrap HOST:PORT [--seconds S] [--rounds R]
//             [--intervals MS[,MS]...] [--size B] [--queue N] [--broker-pid PID]
//
// Modes, each producing B-byte records (default 100) as fast as the client
// allows to partition 0 of its own new one-partition topic, with acks=all,
// linger.ms=5, batch.size=1000000, no compression and at most N records
// queued in the client (queue.buffering.max.messages, default 100000: the
// backlog a commit has to flush). The topic's metadata is looked up before
// the clock starts.
//   idempotent    enable.idempotence=true, no transactions; timed from the
//                 first produce to the end of the final flush.
//   txn MS        a transactional producer, for each commit interval MS
//                 (default 100 and 1000): begin_transaction, produce for MS,
//                 flush, commit_transaction, repeated until S seconds have
//                 passed; timed from the first begin to the end of the last
//                 commit.
// Every round runs each mode for S seconds (default 3), round r starting
// with mode r and going on in the order above (wrapping around); figures are
// totals over the rounds (default 3, so each mode runs once in each
// position). Reported per mode:
// records/s, MB/s (10^6 bytes of record values), commits/s; per transaction
// the p50/max of the produce phase, the flush (draining the backlog) and
// commit_transaction after the flush (EndTxn); and the ratio of each
// transactional rate to the idempotent one; CPU time per record of this
// process (librdkafka's threads included) and, with --broker-pid, of the
// broker. A delivery failure or a failed transactional call ends the bench.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kafka/client/producer.h"
#include "kafka_util.h"

namespace {

using namespace spate::bench;
namespace kc = spate::kafka::client;

struct options {
    std::string bootstrap = "127.0.0.1:9092";
    int seconds = 3;
    int rounds = 3;
    long size = 100;
    long queue = 100000;  // queue.buffering.max.messages: the backlog a commit flushes
    long broker_pid = 0;  // > 0: also report the broker's CPU time per mode
    // Commit intervals (ms) of the transactional modes.
    std::vector<long> intervals{100, 1000};
};

// An acks=all producer; transactional when `transactional_id` is non-empty,
// idempotent otherwise.
kc::producer make_producer(const options& o, const std::string& transactional_id) {
    kc::producer_options p;
    p.client = client_config(o.bootstrap, "txn-bench");
    p.acks = kc::acks::all;
    p.idempotent = true;
    p.linger_ms = 5;
    p.batch_bytes = 1000000;
    p.compression = kc::compression::none;
    p.queue_max_records = int(o.queue);
    p.queue_max_kbytes = 1048576;
    p.delivery_timeout_ms.reset();  // librdkafka's default (bounded by the transaction timeout)
    p.transactional_id = transactional_id;
    return check(kc::producer::create(p), "producer");
}

// Waits until `p` knows the leader of partition 0 of `topic`, so that
// start-up metadata lookups of a new topic are not timed.
void wait_for_leader(kc::producer& p, const std::string& topic) {
    check(p.wait_for_leader(topic, 30000), "no leader for " + topic);
}

void produce_one(kc::producer& p, const std::string& topic, const std::vector<char>& payload) {
    check(p.produce({topic, 0, std::nullopt, std::string_view(payload.data(), payload.size())}),
          "produce");
}

// Every record must have been acknowledged.
void check_delivered(const kc::producer& p, long n, const std::string& what) {
    if (p.failed() > 0)
        die(std::to_string(p.failed()) + " records not delivered; first: " + p.first_failure());
    if (p.delivered() != n)
        die(what + ": " + std::to_string(p.delivered()) + " of " + std::to_string(n) +
            " records acknowledged");
}

// User + system CPU seconds of this process.
double own_cpu() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Durations in milliseconds.
struct samples {
    std::vector<double> ms;
    void add(clock_type::time_point from, clock_type::time_point to) {
        ms.push_back(std::chrono::duration<double, std::milli>(to - from).count());
    }
    double pct(double p) {
        if (ms.empty()) return 0;
        std::sort(ms.begin(), ms.end());
        return ms[std::min(ms.size() - 1, size_t(p * ms.size()))];
    }
};

// Totals of one mode over the rounds.
struct mode_result {
    std::string name;
    long interval_ms = 0;  // 0: not transactional
    long records = 0;
    double seconds = 0;
    long commits = 0;
    double client_cpu = 0;  // seconds of this process (librdkafka threads included)
    double broker_cpu = 0;  // seconds of --broker-pid, when given
    samples produce_ms;     // begin_transaction and producing for the interval
    samples flush_ms;       // draining the backlog before each commit
    samples commit_ms;      // commit_transaction after that flush

    double rate() const { return records / seconds; }
    double mb(size_t size) const { return records * double(size) / seconds / 1e6; }
};

void run_idempotent(const options& o, const std::string& topic, mode_result* r) {
    kc::producer p = make_producer(o, "");
    wait_for_leader(p, topic);
    std::vector<char> payload(size_t(o.size), 'i');
    auto start = clock_type::now();
    auto end = start + std::chrono::seconds(o.seconds);
    long n = 0;
    while (true) {
        produce_one(p, topic, payload);
        if ((++n & 1023) == 0) {
            p.poll(0);
            if (clock_type::now() >= end) break;
        }
    }
    while (p.outstanding() > 0)
        (void)p.flush(1000);  // a timeout only means: keep waiting
    r->seconds += seconds_since(start);
    r->records += n;
    check_delivered(p, n, "idempotent");
}

void run_transactional(const options& o, const std::string& topic, const std::string& txn_id,
                       mode_result* r) {
    kc::producer p = make_producer(o, txn_id);
    check(p.init_transactions(30000), "init_transactions");
    wait_for_leader(p, topic);
    std::vector<char> payload(size_t(o.size), 't');
    auto interval = std::chrono::milliseconds(r->interval_ms);
    auto start = clock_type::now();
    auto end = start + std::chrono::seconds(o.seconds);
    long n = 0;
    while (clock_type::now() < end) {
        auto begin = clock_type::now();
        check(p.begin_transaction(), "begin_transaction");
        auto txn_end = begin + interval;
        while (true) {
            produce_one(p, topic, payload);
            if ((++n & 255) == 0) {
                p.poll(0);
                if (clock_type::now() >= txn_end) break;
            }
        }
        // commit_transaction flushes first; flushing here splits the time
        // spent draining the backlog from the commit itself (EndTxn).
        auto flush_start = clock_type::now();
        check(p.flush(60000), "flush");
        auto commit_start = clock_type::now();
        check(p.commit_transaction(60000), "commit_transaction");
        r->produce_ms.add(begin, flush_start);
        r->flush_ms.add(flush_start, commit_start);
        r->commit_ms.add(commit_start, clock_type::now());
        r->commits++;
    }
    r->seconds += seconds_since(start);
    r->records += n;
    check_delivered(p, n, r->name);
}

// The command line, parsed with CLI11 (--help and usage errors exit).
options parse(int argc, char** argv) {
    options o;
    CLI::App app{"txn_bench: transactional against idempotent producer throughput"};
    add_bootstrap(app, o.bootstrap);
    app.add_option("--seconds", o.seconds, "Length of each mode in each round")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--rounds", o.rounds, "Rounds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--intervals", o.intervals, "Commit intervals (ms) of the transactional modes")
        ->delimiter(',')
        ->check(CLI::PositiveNumber)
        ->type_name("MS[,MS]...");
    app.add_option("--size", o.size, "Record size (bytes)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--queue", o.queue, "queue.buffering.max.messages: the backlog a commit flushes")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--broker-pid", o.broker_pid, "Also report this broker process's CPU time")
        ->check(CLI::PositiveNumber);
    parse_command_line(app, argc, argv);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    options o = parse(argc, argv);
    std::string run = run_id();
    std::printf(
        "txn_bench: %s, librdkafka %s, one partition, %ld B records, acks=all, linger.ms=5, "
        "batch.size=1000000, no compression\n  --seconds %d --rounds %d --queue %ld --intervals ",
        o.bootstrap.c_str(), kc::library_version().c_str(), o.size, o.seconds, o.rounds, o.queue);
    for (size_t i = 0; i < o.intervals.size(); ++i)
        std::printf("%s%ld", i ? "," : "", o.intervals[i]);
    std::printf("\n");
    std::fflush(stdout);
    std::vector<mode_result> modes(1 + o.intervals.size());
    modes[0].name = "idempotent";
    for (size_t i = 0; i < o.intervals.size(); ++i) {
        long ms = o.intervals[i];
        modes[i + 1].name = ms % 1000 == 0 ? "txn " + std::to_string(ms / 1000) + " s"
                                           : "txn " + std::to_string(ms) + " ms";
        modes[i + 1].interval_ms = ms;
    }
    // Round r starts with mode r (mod the mode count): later runs on the same
    // broker are slower (more data, page-cache writeback), so every mode
    // takes every position once over as many rounds as there are modes.
    for (int round = 0; round < o.rounds; ++round) {
        for (size_t k = 0; k < modes.size(); ++k) {
            size_t m = (size_t(round) + k) % modes.size();
            std::string suffix = std::to_string(m) + "-" + std::to_string(round) + "-" + run;
            std::string topic = "txn-bench-" + suffix;
            create_topic(o.bootstrap, topic, 1);
            double client0 = own_cpu();
            double broker0 = process_cpu(o.broker_pid);
            if (modes[m].interval_ms == 0) {
                run_idempotent(o, topic, &modes[m]);
            } else {
                run_transactional(o, topic, "txn-bench-" + suffix, &modes[m]);
            }
            modes[m].client_cpu += own_cpu() - client0;
            modes[m].broker_cpu += process_cpu(o.broker_pid) - broker0;
        }
    }
    const mode_result& base = modes[0];
    for (auto& m : modes) {
        std::printf("produce  %-11s %9ld records in %5.1f s  %10.0f rec/s  %7.1f MB/s",
                    m.name.c_str(), m.records, m.seconds, m.rate(), m.mb(size_t(o.size)));
        if (m.interval_ms > 0) std::printf("  %6.2f commits/s", m.commits / m.seconds);
        std::printf("\n");
    }
    for (auto& m : modes) {
        if (m.interval_ms == 0) continue;
        std::printf(
            "txn      %-11s %ld commits; per transaction p50 / max: produce %.1f / %.1f ms, "
            "flush %.1f / %.1f ms, commit %.2f / %.2f ms\n",
            m.name.c_str(), m.commits, m.produce_ms.pct(0.5), m.produce_ms.pct(1.0),
            m.flush_ms.pct(0.5), m.flush_ms.pct(1.0), m.commit_ms.pct(0.5), m.commit_ms.pct(1.0));
    }
    for (auto& m : modes) {
        std::printf("cpu      %-11s client %.2f us/record", m.name.c_str(),
                    m.client_cpu * 1e6 / double(m.records));
        if (o.broker_pid > 0)
            std::printf(", broker %.2f us/record", m.broker_cpu * 1e6 / double(m.records));
        std::printf("\n");
    }
    for (size_t i = 1; i < modes.size(); ++i) {
        std::printf("ratio    %s / idempotent records/s: %.2f\n", modes[i].name.c_str(),
                    modes[i].rate() / base.rate());
    }
    return 0;
}
