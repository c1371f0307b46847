// group_bench: consumer-group rebalance times and offset-commit rates of a
// running Kafka-compatible broker through librdkafka, with produce round trips
// on the same broker measured in the same run as the baseline.
//
//   group_bench --bootstrap HOST:PORT [--members N] [--partitions P]
//               [--strategy range|roundrobin] [--seconds S] [--inflight K]
//               [--heartbeat-ms MS] [--timeout-seconds T]
//               [--broker-initial-delay-ms MS]
//
// 1. Produce baseline: one 100-byte record per request (acks=1, linger.ms=0,
//    batch.num.messages=1), one at a time waiting for each delivery report,
//    and with K requests in flight.
// 2. Commits of one consumer (the only member of its group): synchronous
//    commits of an increasing offset in a loop, and asynchronous commits with
//    K in flight. The last offset is read back (OffsetFetch).
//    The four loops of 1 and 2 run S seconds each, in alternating 0.5 s
//    slices, so that the ratios compare like with like on a busy machine.
// 3. Rebalance: N consumers in one group (eager protocol, the given strategy)
//    subscribe to a new P-partition topic. Timed until every member holds an
//    assignment and the assignments cover each partition exactly once (the
//    bench fails when that does not happen within T seconds, or when the
//    assignment changes in the second after). Then the last member leaves
//    (consumer close) and the remaining N-1 are timed until they cover the P
//    partitions again. Each member has its own polling thread and its
//    rebalance callback stamps ASSIGN/REVOKE; librdkafka's debug=cgrp log
//    (read by a log callback, not printed) gives each member's last JoinGroup
//    send time and the group's generation ids.
//
// --broker-initial-delay-ms only labels the output: it should state the
// broker's group.initial.rebalance.delay.ms, which clients cannot query.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka_util.h"

namespace {

using namespace spate::bench;
namespace kc = spate::kafka::client;

struct options {
    std::string bootstrap = "127.0.0.1:9092";
    int members = 100;
    int partitions = 1000;
    std::string strategy = "range";
    int seconds = 3;
    int inflight = 16;
    int heartbeat_ms = 3000;  // librdkafka's default
    int timeout_seconds = 60;
    long broker_initial_delay_ms = -1;  // unknown
};

double ms_between(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Latencies in milliseconds.
struct samples {
    std::vector<double> ms;
    double pct(double p) {
        if (ms.empty()) return 0;
        std::sort(ms.begin(), ms.end());
        return ms[std::min(ms.size() - 1, size_t(p * ms.size()))];
    }
};

struct rate_result {
    long count = 0;
    double seconds = 0;
    samples lat;
    double rate() const { return count / seconds; }
};

// ---------------------------------------------------------------------------
// Produce baseline and commits, measured in alternating slices so that load
// changes on the machine hit both alike.

constexpr auto k_slice = std::chrono::milliseconds(500);

// One 100-byte record per ProduceRequest (acks=1, linger.ms=0,
// batch.num.messages=1) to partition 0 of `topic`.
class producer {
  public:
    producer(const options& o, std::string topic) : _topic(std::move(topic)) {
        kc::producer_options po;
        po.client = client_config(o.bootstrap, "group-bench");
        po.acks = kc::acks::leader;
        po.linger_ms = 0;
        po.batch_records = 1;
        po.compression = kc::compression::none;
        po.delivery_timeout_ms = 300000;  // librdkafka's default
        _p.emplace(check(kc::producer::create(po,
                                              [](const kc::delivery_report& r) {
                                                  if (!r.result.ok())
                                                      std::fprintf(stderr, "delivery failed: %s\n",
                                                                   r.result.err().message.c_str());
                                              }),
                         "producer"));
        std::memset(_payload, 'g', sizeof _payload);
        // Warm-up: connection and metadata.
        send();
        (void)_p->flush(10000);  // checked through the counts below
        if (done() != 1 || _p->failed()) die("produce warm-up failed");
        _sent = 1;
    }

    // Keeps `inflight` records outstanding (1: waits for each delivery report
    // before the next) for one slice, then drains; adds to `r`. Latency is
    // from produce() to the delivery report being served.
    void run(int inflight, rate_result& r) {
        std::vector<clock_type::time_point> sent_at;
        long base = _sent, seen = 0;
        auto collect = [&] {
            auto now = clock_type::now();
            for (long n = done() - base; seen < n; ++seen)
                r.lat.ms.push_back(ms_between(sent_at[size_t(seen)], now));
        };
        auto start = clock_type::now();
        auto end = start + k_slice;
        while (clock_type::now() < end) {
            while (_sent - done() < inflight) {
                sent_at.push_back(clock_type::now());
                send();
                ++_sent;
            }
            _p->poll(100);
            collect();
        }
        while (done() < _sent) {
            _p->poll(100);
            collect();
            if (seconds_since(end) > 30) die("produce: delivery reports stalled");
        }
        r.seconds += seconds_since(start);
        r.count += _sent - base;
        if (_p->failed()) die(std::to_string(_p->failed()) + " records not delivered");
    }

  private:
    long done() const { return long(_p->delivered() + _p->failed()); }
    void send() {
        check(_p->produce({_topic, 0, std::nullopt, std::string_view(_payload, sizeof _payload)}),
              "produce");
    }

    std::string _topic;
    std::optional<kc::producer> _p;
    char _payload[100];
    long _sent = 0;
};

// A consumer that is the only member of its group, assigned partition 0 of
// `topic`, committing an increasing offset for it.
class committer {
  public:
    committer(const options& o, std::string topic, const std::string& group)
        : _topic(std::move(topic)) {
        kc::consumer_options co;
        co.client = client_config(o.bootstrap, "group-bench");
        co.group_id = group;
        co.heartbeat_ms = o.heartbeat_ms;
        co.on_rebalance = [this](bool assigned, const std::vector<kc::topic_partition>&) {
            _assigned = assigned;
        };
        _c.emplace(check(kc::consumer::create(co), "consumer"));
        auto t0 = clock_type::now();
        check(_c->subscribe({_topic}), "subscribe");
        while (!_assigned) {
            (void)check(_c->poll(10), "poll");
            if (seconds_since(t0) > o.timeout_seconds) die("one-member group: no assignment");
        }
        join_ms = ms_between(t0, clock_type::now());
    }

    // Synchronous commits, one at a time, for one slice; adds to `r`.
    void run_sync(rate_result& r) {
        auto start = clock_type::now();
        auto end = start + k_slice;
        while (clock_type::now() < end) {
            auto t = clock_type::now();
            check(_c->commit({{_topic, 0, ++_offset, {}}}), "sync commit");
            r.lat.ms.push_back(ms_between(t, clock_type::now()));
            ++r.count;
        }
        r.seconds += seconds_since(start);
    }

    // Asynchronous commits with `inflight` outstanding for one slice, then
    // drains; adds to `r`. The tag of each commit is its index, for the latency.
    void run_async(int inflight, rate_result& r) {
        std::vector<clock_type::time_point> sent_at;
        long outstanding = 0;
        auto take_result = [&](int timeout_ms) {
            auto res = _c->next_commit_result(timeout_ms);
            if (!res) return false;
            r.lat.ms.push_back(ms_between(sent_at[res->tag], clock_type::now()));
            check(res->result, "async commit");
            --outstanding;
            ++r.count;
            return true;
        };
        auto start = clock_type::now();
        auto end = start + k_slice;
        while (clock_type::now() < end) {
            while (outstanding < inflight) {
                sent_at.push_back(clock_type::now());
                check(_c->commit_async({{_topic, 0, ++_offset, {}}}, sent_at.size() - 1),
                      "async commit");
                ++outstanding;
            }
            take_result(100);
        }
        while (outstanding > 0) {
            if (!take_result(100) && seconds_since(end) > 30) die("async commits stalled");
        }
        r.seconds += seconds_since(start);
    }

    // The broker must hold the last offset committed.
    void verify() {
        auto c = check(_c->committed({{_topic, 0}}, 10000), "committed");
        if (c.size() != 1 || c[0].offset != _offset) {
            die("committed offset is " + std::to_string(c.empty() ? -1 : c[0].offset) +
                ", expected " + std::to_string(_offset));
        }
    }

    double join_ms = 0;  // subscribe -> assigned

  private:
    std::string _topic;
    std::atomic<bool> _assigned{false};
    std::optional<kc::consumer> _c;
    int64_t _offset = 0;
};

// ---------------------------------------------------------------------------
// Rebalance of a large group

struct group_tracker;

struct member {
    group_tracker* tracker = nullptr;
    std::string name;  // client.id
    std::optional<kc::consumer> consumer;
    std::thread poller;
    std::atomic<bool> stop{false};
    // Guarded by tracker->mu.
    bool active = true;  // false once told to leave
    bool assigned = false;
    std::vector<int32_t> partitions;
    clock_type::time_point assigned_at{};
    clock_type::time_point revoked_at{};
    clock_type::time_point closed_at{};  // when the consumer's close was called
    clock_type::time_point joined_at{};  // when it last sent a JoinGroup
    int assigns = 0;
};

struct group_tracker {
    std::string topic;
    int partitions = 0;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::unique_ptr<member>> members;
    std::atomic<int> ready{0};
    std::atomic<int> generation{0};  // the latest one a member has seen
    std::atomic<long> foreign{0};    // assigned partitions of another topic
    std::atomic<long> poll_errors{0};

    // Under `mu`: whether every active member holds an assignment received
    // at or after `since` and together they hold each partition exactly once.
    // Otherwise `why` says what is missing.
    bool complete(clock_type::time_point since, std::string* why) {
        std::vector<int> owners(size_t(partitions), 0);
        int waiting = 0, bad = 0;
        for (const auto& m : members) {
            if (!m->active) continue;
            if (!m->assigned || m->assigned_at < since) {
                ++waiting;
                continue;
            }
            for (int32_t p : m->partitions) {
                if (p < 0 || p >= partitions)
                    ++bad;
                else
                    ++owners[size_t(p)];
            }
        }
        int missing = 0, doubled = 0;
        for (int n : owners) {
            missing += n == 0;
            doubled += n > 1;
        }
        if (why) {
            *why = std::to_string(waiting) + " members without a new assignment, " +
                   std::to_string(missing) + " partitions unassigned, " + std::to_string(doubled) +
                   " assigned more than once, " + std::to_string(bad) + " out of range";
        }
        return waiting == 0 && missing == 0 && doubled == 0 && bad == 0;
    }

    // Under `mu`: the latest JoinGroup among active members.
    clock_type::time_point last_join() const {
        clock_type::time_point t{};
        for (const auto& m : members)
            if (m->active) t = std::max(t, m->joined_at);
        return t;
    }

    // Under `mu`: the latest assignment time among active members.
    clock_type::time_point last_assign() const {
        clock_type::time_point t{};
        for (const auto& m : members)
            if (m->active) t = std::max(t, m->assigned_at);
        return t;
    }
};

// A member's rebalance callback (the consumer has applied the change).
void on_group_rebalance(member* m, bool assigned, const std::vector<kc::topic_partition>& parts) {
    auto now = clock_type::now();
    group_tracker& t = *m->tracker;
    if (assigned) {
        std::vector<int32_t> ps;
        for (const auto& tp : parts) {
            if (t.topic != tp.topic)
                t.foreign++;
            else
                ps.push_back(tp.partition);
        }
        std::lock_guard lk(t.mu);
        m->assigned = true;
        m->partitions = std::move(ps);
        m->assigned_at = now;
        ++m->assigns;
    } else {
        std::lock_guard lk(t.mu);
        m->assigned = false;
        m->partitions.clear();
        m->revoked_at = now;
    }
    t.cv.notify_all();
}

// Members log their group protocol events (debug=cgrp) to this callback,
// which notes when each sends a JoinGroup and the generation id of each
// JoinGroup response (the group's rebalance count, which clients cannot ask
// for otherwise), and prints only warnings and errors.
void on_member_log(member* m, int level, const char* fac, const char* buf) {
    auto now = clock_type::now();
    group_tracker& t = *m->tracker;
    if (std::strcmp(fac, "JOIN") == 0 && std::strstr(buf, "Joining group")) {
        std::lock_guard lk(t.mu);
        m->joined_at = now;
    } else if (std::strcmp(fac, "JOINGROUP") == 0) {
        if (const char* g = std::strstr(buf, "GenerationId ")) {
            int gen = std::atoi(g + std::strlen("GenerationId "));
            int prev = t.generation;
            while (gen > prev && !t.generation.compare_exchange_weak(prev, gen)) {
            }
        }
    }
    if (level <= 4) std::fprintf(stderr, "%%%d|%s|%s: %s\n", level, fac, m->name.c_str(), buf);
}

// A member's thread: fetch the topic's metadata (so that start-up is not
// timed), then poll until told to stop, then leave the group.
void run_member(member* m) {
    group_tracker& t = *m->tracker;
    auto parts = check(m->consumer->partitions_of(t.topic), "metadata");
    if (int(parts.size()) != t.partitions)
        die("metadata: topic " + t.topic + " does not have the expected partitions");
    t.ready++;
    while (!m->stop) {
        // Errors are counted, not fatal: the group keeps going.
        if (!m->consumer->poll(50).ok()) t.poll_errors++;
    }
    {
        std::lock_guard lk(t.mu);
        m->active = false;
        m->closed_at = clock_type::now();
    }
    m->consumer->close();
}

struct rebalance_results {
    double subscribe_spread_ms = 0;  // first subscribe -> last subscribe
    double from_last_subscribe_ms = 0;
    double from_first_subscribe_ms = 0;
    double from_last_join_ms = 0;  // last JoinGroup sent -> all assigned
    int min_parts = 0, max_parts = 0;
    double leave_ms = 0;            // leave -> remaining members assigned
    double leave_notice_ms = 0;     // leave -> last member revoked
    double leave_last_join_ms = 0;  // last JoinGroup sent -> all assigned
    long extra_assigns = 0;         // ASSIGNs in the second after completion
    int generations = 0;            // the group's generation id when complete
    int leave_generations = 0;      // generations from the leave to completion
};

// Waits until the active members hold a complete assignment received after
// `since`, or dies after the timeout with what is missing.
void wait_complete(const options& o, group_tracker& t, clock_type::time_point since,
                   const char* what) {
    std::unique_lock lk(t.mu);
    auto deadline = clock_type::now() + std::chrono::seconds(o.timeout_seconds);
    std::string why;
    while (!t.complete(since, &why)) {
        if (t.cv.wait_until(lk, deadline) == std::cv_status::timeout && !t.complete(since, &why)) {
            die(std::string(what) + ": no complete assignment after " +
                std::to_string(o.timeout_seconds) + " s: " + why);
        }
    }
}

// Creates the group's o.members consumers (not subscribed yet), starts their
// polling threads and waits until each has fetched the topic's metadata.
void start_members(const options& o, group_tracker& t, const std::string& group) {
    for (int i = 0; i < o.members; ++i) {
        auto m = std::make_unique<member>();
        m->tracker = &t;
        m->name = "group-bench-" + std::to_string(i);
        kc::consumer_options co;
        co.client = client_config(o.bootstrap, m->name);
        co.client.properties = {{"debug", "cgrp"}};
        co.group_id = group;
        co.assignment_strategy = o.strategy;
        co.heartbeat_ms = o.heartbeat_ms;
        member* mp = m.get();
        co.on_log = [mp](int level, const char* fac, const char* buf) {
            on_member_log(mp, level, fac, buf);
        };
        co.on_rebalance = [mp](bool assigned, const std::vector<kc::topic_partition>& parts) {
            on_group_rebalance(mp, assigned, parts);
        };
        co.on_warning = [mp](const spate::error&) { mp->tracker->poll_errors++; };
        m->consumer.emplace(check(kc::consumer::create(co), "consumer"));
        t.members.push_back(std::move(m));
    }
    for (auto& m : t.members)
        m->poller = std::thread(run_member, m.get());
    auto warm = clock_type::now();
    while (t.ready < o.members) {
        if (seconds_since(warm) > o.timeout_seconds) die("consumers did not start");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// Subscribes every member and times until the group's assignment is complete
// (the join fields of `r`). Returns the ASSIGN callbacks counted then.
long time_join(const options& o, group_tracker& t, rebalance_results& r) {
    long assigns = 0;  // ASSIGN callbacks when the assignment was complete
    auto first = clock_type::now();
    auto last = first;
    for (auto& m : t.members) {
        last = clock_type::now();
        check(m->consumer->subscribe({t.topic}), "subscribe");
    }
    wait_complete(o, t, first, "join");
    std::lock_guard lk(t.mu);
    auto done = t.last_assign();
    r.subscribe_spread_ms = ms_between(first, last);
    r.from_last_subscribe_ms = ms_between(last, done);
    r.from_first_subscribe_ms = ms_between(first, done);
    r.from_last_join_ms = ms_between(t.last_join(), done);
    r.generations = t.generation;
    r.min_parts = o.partitions + 1;
    for (const auto& m : t.members) {
        assigns += m->assigns;
        r.max_parts = std::max(r.max_parts, int(m->partitions.size()));
        r.min_parts = std::min(r.min_parts, int(m->partitions.size()));
    }
    return assigns;
}

// The group must stay as it is (no further rebalance) for a while; then
// `leaver` is marked to leave. Returns when that was.
clock_type::time_point check_unchanged_then_leave(group_tracker& t, member& leaver, long assigns,
                                                  rebalance_results& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    std::lock_guard lk(t.mu);
    long total = 0;
    for (const auto& m : t.members)
        total += m->assigns;
    r.extra_assigns = total - assigns;
    if (r.extra_assigns != 0)
        die("the group rebalanced again after its assignment was complete (" +
            std::to_string(r.extra_assigns) + " more ASSIGNs)");
    if (!t.complete(clock_type::time_point{}, nullptr))
        die("the group's assignment changed after it was complete");
    leaver.active = false;
    return clock_type::now();
}

// Stops `leaver` (its thread closes its consumer) and times until the others
// hold a complete assignment again (the leave fields of `r`).
void time_leave(const options& o, group_tracker& t, member& leaver, clock_type::time_point stop_at,
                rebalance_results& r) {
    leaver.stop = true;
    wait_complete(o, t, stop_at, "leave");
    std::lock_guard lk(t.mu);
    auto done = t.last_assign();
    auto leave_at = leaver.closed_at;
    clock_type::time_point last_revoke = leave_at;
    for (const auto& m : t.members) {
        if (!m->active) continue;
        last_revoke = std::max(last_revoke, m->revoked_at);
    }
    r.leave_generations = t.generation - r.generations;
    r.leave_ms = ms_between(leave_at, done);
    r.leave_notice_ms = ms_between(leave_at, last_revoke);
    r.leave_last_join_ms = ms_between(t.last_join(), done);
}

// Tear down: every member leaves from its own thread, in parallel.
void stop_members(group_tracker& t) {
    for (auto& m : t.members)
        m->stop = true;
    for (auto& m : t.members) {
        m->poller.join();
        m->consumer.reset();
    }
}

rebalance_results rebalance_test(const options& o, const std::string& topic,
                                 const std::string& group) {
    group_tracker t;
    t.topic = topic;
    t.partitions = o.partitions;
    start_members(o, t, group);

    rebalance_results r;
    long assigns = time_join(o, t, r);
    member& leaver = *t.members.back();
    auto stop_at = check_unchanged_then_leave(t, leaver, assigns, r);
    time_leave(o, t, leaver, stop_at, r);
    if (t.foreign) die("members were assigned partitions of another topic");
    if (t.poll_errors)
        std::fprintf(stderr, "group_bench: %ld consumer errors while polling\n",
                     t.poll_errors.load());
    stop_members(t);
    return r;
}

// The command line, parsed with CLI11 (--help and usage errors exit).
options parse(int argc, char** argv) {
    options o;
    CLI::App app{"group_bench: consumer-group rebalance times and offset-commit rates"};
    add_bootstrap(app, o.bootstrap);
    app.add_option("--members", o.members, "Consumers in the rebalance test")
        ->check(CLI::Range(2, 100000))
        ->capture_default_str();
    app.add_option("--partitions", o.partitions, "Partitions of the rebalance topic")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    app.add_option("--strategy", o.strategy, "Partition assignment strategy")
        ->check(CLI::IsMember({"range", "roundrobin"}))
        ->capture_default_str();
    app.add_option("--seconds", o.seconds, "Length of each produce/commit loop")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--inflight", o.inflight, "Requests in flight of the pipelined loops")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--heartbeat-ms", o.heartbeat_ms, "heartbeat.interval.ms of the consumers")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--timeout-seconds", o.timeout_seconds, "Give up on a rebalance after this")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--broker-initial-delay-ms", o.broker_initial_delay_ms,
                   "The broker's group.initial.rebalance.delay.ms (labels the output)")
        ->check(CLI::NonNegativeNumber);
    parse_command_line(app, argc, argv);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    options o = parse(argc, argv);
    std::string run = run_id();
    std::string delay = o.broker_initial_delay_ms < 0
                            ? std::string("not stated")
                            : std::to_string(o.broker_initial_delay_ms) + " ms";
    std::printf(
        "group_bench: %s, librdkafka %s\n"
        "  --members %d --partitions %d --strategy %s --seconds %d --inflight %d "
        "--heartbeat-ms %d\n"
        "  broker group.initial.rebalance.delay.ms: %s\n",
        o.bootstrap.c_str(), kc::library_version().c_str(), o.members, o.partitions,
        o.strategy.c_str(), o.seconds, o.inflight, o.heartbeat_ms, delay.c_str());
    std::fflush(stdout);

    std::string produce_topic = "group-bench-produce-" + run;
    std::string commit_topic = "group-bench-commit-" + run;
    create_topic(o.bootstrap, produce_topic, 1);
    create_topic(o.bootstrap, commit_topic, 1);
    rate_result produce_sync, produce_pipe, commit_sync, commit_async;
    double join_ms = 0;
    {
        producer p(o, produce_topic);
        committer c(o, commit_topic, "group-bench-commit-" + run);
        join_ms = c.join_ms;
        // Alternating 0.5 s slices, --seconds in total for each of the four.
        for (int round = 0; round < 2 * o.seconds; ++round) {
            p.run(1, produce_sync);
            c.run_sync(commit_sync);
            p.run(o.inflight, produce_pipe);
            c.run_async(o.inflight, commit_async);
        }
        c.verify();
    }
    auto row = [](const char* what, rate_result& r) {
        std::printf("%-38s %8.0f req/s   p50 %6.3f ms  p99 %6.3f ms\n", what, r.rate(),
                    r.lat.pct(0.5), r.lat.pct(0.99));
    };
    std::string pipe_label = "produce  100 B acks=1, " + std::to_string(o.inflight) + " in flight";
    std::string async_label = "commit   async, " + std::to_string(o.inflight) + " in flight";
    row("produce  100 B acks=1, 1 in flight", produce_sync);
    row(pipe_label.c_str(), produce_pipe);
    row("commit   sync, 1 in flight", commit_sync);
    row(async_label.c_str(), commit_async);
    std::printf("commit   (one-member group formed in %.0f ms, subscribe -> assigned)\n", join_ms);
    std::printf("ratio    sync commits / sync produce round trips: %.2f  (p50 latency %.2fx)\n",
                commit_sync.rate() / produce_sync.rate(),
                commit_sync.lat.pct(0.5) / produce_sync.lat.pct(0.5));
    std::printf("ratio    async commits / pipelined produce requests (%d in flight): %.2f\n",
                o.inflight, commit_async.rate() / produce_pipe.rate());
    std::fflush(stdout);

    std::string group_topic = "group-bench-" + std::to_string(o.partitions) + "p-" + run;
    auto ct = clock_type::now();
    create_topic(o.bootstrap, group_topic, o.partitions);
    std::printf("topic    %d partitions created in %.0f ms\n", o.partitions,
                ms_between(ct, clock_type::now()));
    std::fflush(stdout);
    rebalance_results r = rebalance_test(o, group_topic, "group-bench-" + run);
    std::printf(
        "join     %d members, %d partitions, %s: all assigned %.0f ms after the last subscribe "
        "(%.0f ms after the first; subscribes spread over %.1f ms)\n",
        o.members, o.partitions, o.strategy.c_str(), r.from_last_subscribe_ms,
        r.from_first_subscribe_ms, r.subscribe_spread_ms);
    std::printf(
        "join     last JoinGroup sent -> all assigned %.0f ms; %d generation%s; %d-%d partitions "
        "per member, each partition exactly once, unchanged for 1 s\n",
        r.from_last_join_ms, r.generations, r.generations == 1 ? "" : "s", r.min_parts,
        r.max_parts);
    std::printf(
        "leave    1 of %d members closes: the other %d hold all %d partitions %.0f ms later "
        "(last revoke at %.0f ms; last JoinGroup sent -> all assigned %.0f ms; %d generation%s)\n",
        o.members, o.members - 1, o.partitions, r.leave_ms, r.leave_notice_ms, r.leave_last_join_ms,
        r.leave_generations, r.leave_generations == 1 ? "" : "s");
    std::fflush(stdout);
    return 0;
}
