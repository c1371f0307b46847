// CPU cost of a stateful continuous query's two sub-topologies, without
// Kafka: Nexmark bids (JSON) -> A (decode, event time, WHERE/windows, group
// keys and arguments, repartition encoding) -> B (repartition decoding, the
// streaming aggregate, changelog output and state writes at each "commit"
// of `--commit` events). Prints nanoseconds per event of each side.
//
//   stream_bench [--events N] [--auctions N] [--commit N] [QUERY...]
//   QUERY: q5 q11 q15 q17 count (default: all)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "sql/engine/object_builder.h"
#include "sql/expr/eval.h"
#include "sql/stream/aggregate_operator.h"
#include "sql/stream/repartition.h"

using namespace spate;
using namespace spate::sql;

namespace {

// task_state in hash maps (the bench measures the operator, not RocksDB;
// scans sort the keys, they run once per commit).
class map_state final : public task_state {
  public:
    sql_result<std::optional<std::string>> get(std::string_view key) const override {
        std::string v;
        auto r = get_into(key, v);
        if (!r.value()) return std::optional<std::string>();
        return std::optional<std::string>(v);
    }
    sql_result<bool> get_into(std::string_view key, std::string& out) const override {
        auto p = _pending.find(key);
        if (p != _pending.end()) {
            if (!p->second) return false;
            out = *p->second;
            return true;
        }
        auto c = _data.find(key);
        if (c == _data.end()) return false;
        out = c->second;
        return true;
    }
    void put(std::string_view k, std::string_view v) override {
        _pending[std::string(k)] = std::string(v);
    }
    void remove(std::string_view k) override { _pending[std::string(k)] = std::nullopt; }
    sql_status scan(
        std::string_view from, std::string_view to,
        const std::function<bool(std::string_view, std::string_view)>& visit) const override {
        std::vector<std::pair<std::string_view, std::string_view>> in;
        for (const auto& [k, v] : _data)
            if (k >= from && (to.empty() || k < to) && !_pending.contains(k)) in.emplace_back(k, v);
        for (const auto& [k, v] : _pending)
            if (v && k >= from && (to.empty() || k < to)) in.emplace_back(k, *v);
        std::sort(in.begin(), in.end());
        for (const auto& [k, v] : in)
            if (!visit(k, v)) break;
        return {};
    }
    bool has_pending() const override { return !_pending.empty(); }
    status log_pending(const state_record_sink&) override { return {}; }
    using task_state::commit;
    sql_status commit(std::optional<int64_t>) override {
        for (auto& [k, v] : _pending) {
            if (v)
                _data[k] = std::move(*v);
            else
                _data.erase(k);
        }
        _pending.clear();
        return {};
    }
    void rollback() override { _pending.clear(); }
    state_stats stats() const override { return {static_cast<int64_t>(_data.size()), 0, 0}; }

  private:
    struct hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    std::unordered_map<std::string, std::string, hash, std::equal_to<>> _data;
    std::unordered_map<std::string, std::optional<std::string>, hash, std::equal_to<>> _pending;
};

const char* k_day = "to_char(date_time, 'YYYY-MM-DD')";
constexpr int64_t k_t0_ms = 1'700'000'000'000;  // the first bid's time; one bid per ms

std::map<std::string, std::string> queries() {
    std::string ranks =
        "count(*) FILTER (WHERE price < 10000) AS rank1_bids, "
        "count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids, "
        "count(*) FILTER (WHERE price >= 1000000) AS rank3_bids";
    std::string distinct =
        "count(DISTINCT bidder) AS total_bidders, "
        "count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders, "
        "count(DISTINCT auction) AS total_auctions, "
        "count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions";
    return {
        {"count", "SELECT auction, count(*) AS n FROM bid GROUP BY auction"},
        {"q5",
         "SELECT auction, count(*) AS num, window_start, window_end FROM HOP(bid, date_time, "
         "INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end "
         "EMIT ON WINDOW CLOSE"},
        {"q11",
         "SELECT bidder, count(*) AS bid_count, window_start, window_end FROM SESSION(bid, "
         "date_time, INTERVAL '10' SECOND) GROUP BY bidder, window_start, window_end EMIT ON "
         "WINDOW CLOSE"},
        {"q15", std::string("SELECT ") + k_day + " AS day, count(*) AS total_bids, " + ranks +
                    ", " + distinct + " FROM bid GROUP BY " + k_day},
        {"q17", std::string("SELECT auction, ") + k_day + " AS day, count(*) AS total_bids, " +
                    ranks +
                    ", min(price) AS min_price, max(price) AS max_price, avg(price) AS "
                    "avg_price, sum(price) AS sum_price FROM bid GROUP BY auction, " +
                    k_day},
    };
}

std::vector<std::string> bids(int64_t n, int64_t auctions) {
    std::mt19937_64 rng(42);
    const char* channels[] = {"Google", "Facebook", "Baidu", "Apple"};
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(n));
    int64_t t0 = k_t0_ms;
    char buf[512];
    for (int64_t i = 0; i < n; ++i) {
        int64_t price = static_cast<int64_t>(rng() % 10'000'000);
        std::snprintf(buf, sizeof buf,
                      "{\"auction\": %lld, \"bidder\": %lld, \"price\": %lld, \"channel\": \"%s\", "
                      "\"url\": \"https://www.nexmark.com/item.htm?query=1\", \"date_time\": "
                      "%lld, \"extra\": \"aaaaaaaaaaaaaaaaaaaa\"}",
                      static_cast<long long>(rng() % static_cast<uint64_t>(auctions)),
                      static_cast<long long>(rng() % 100000), static_cast<long long>(price),
                      channels[rng() % 4], static_cast<long long>(t0 + i));
        out.emplace_back(buf);
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int run(const std::string& name, const std::string& sql, const std::vector<std::string>& events,
        size_t commit_every) {
    catalog cat;
    catalog_object so;
    so.kind = catalog_kind::source;
    so.name = "bid";
    so.relation.name = "bid";
    so.relation.topic = "bid";
    so.relation.columns = {{"auction", data_type::of(type_id::int64)},
                           {"bidder", data_type::of(type_id::int64)},
                           {"price", data_type::of(type_id::int64)},
                           {"channel", data_type::of(type_id::text)},
                           {"url", data_type::of(type_id::text)},
                           {"date_time", data_type::of(type_id::timestamp)},
                           {"extra", data_type::of(type_id::text)}};
    so.relation.watermark_column = "date_time";
    so.relation.watermark_sql = "date_time - INTERVAL '4' SECOND";
    if (!cat.add(so).ok()) return 1;
    auto view = parse_sql("CREATE MATERIALIZED VIEW v AS " + sql);
    if (!view.ok()) return std::fprintf(stderr, "%s\n", view.error().message.c_str()), 1;
    auto obj = build_view(view.value()[0], cat);
    if (!obj.ok()) return std::fprintf(stderr, "%s\n", obj.error().message.c_str()), 1;
    auto plan = plan_continuous(obj.value(), cat);
    if (!plan.ok()) return std::fprintf(stderr, "%s\n", plan.error().message.c_str()), 1;
    const input_spec& in = plan.value().inputs[0];
    const aggregate_def& def = *plan.value().aggregate;
    auto decoder = make_decoder(in.format, in.columns);
    if (!decoder.ok()) return 1;
    constexpr int32_t partitions = 1;
    sql::detail::repartition_writer writer(def, "r", partitions);
    std::vector<std::string> records;
    auto sink = [&](const kafka::client::outgoing_record& r) {
        if (r.value) records.emplace_back(*r.value);
        return status{};
    };
    eval_context ctx;
    // A
    auto a0 = std::chrono::steady_clock::now();
    std::vector<record_view> views;
    std::vector<decode_failure> failures;
    for (size_t at = 0; at < events.size(); at += 1000) {
        size_t n = std::min<size_t>(1000, events.size() - at);
        views.assign(n, record_view{});
        for (size_t i = 0; i < n; ++i)
            views[i].value = events[at + i];
        chunk c = make_source_chunk(in.columns);
        decoder.value()->decode(views, c, failures);
        c.sync_rows();
        auto t = evaluate(*in.event_time.time, c, ctx);
        auto w = evaluate(*in.event_time.watermark, c, ctx);
        if (!t.ok() || !w.ok()) return 1;
        auto pre = in.processor->process(std::move(c), ctx);
        if (!pre.ok()) return std::fprintf(stderr, "%s\n", pre.error().message.c_str()), 1;
        if (!writer.write(pre.value(), {}, sink).ok()) return 1;
    }
    double a_s = seconds_since(a0);
    // B
    auto task = sql::detail::aggregate_task::create(def, std::make_unique<map_state>(), 1);
    if (!task.ok()) return std::fprintf(stderr, "%s\n", task.error().message.c_str()), 1;
    sql::detail::repartition_rows rows;
    sql::detail::aggregate_changes changes;
    int64_t out_rows = 0;
    size_t since_commit = 0;
    auto b0 = std::chrono::steady_clock::now();
    for (const auto& v : records) {
        if (!sql::detail::decode_repartition(v, def, rows).ok()) return 1;
        if (auto s = task.value()->apply(rows); !s.ok())
            return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
        since_commit += rows.keys.size();
        if (since_commit >= commit_every || &v == &records.back()) {
            // The watermark A would send: the bids' time is their index in ms.
            int64_t seen = static_cast<int64_t>(&v - records.data() + 1) * 1000 *
                           static_cast<int64_t>(events.size()) /
                           static_cast<int64_t>(records.size());
            task.value()->apply_marker({0, false, (k_t0_ms * 1000) + seen - 4'000'000});
            if (!task.value()->flush(ctx, changes).ok()) return 1;
            out_rows += static_cast<int64_t>(changes.diffs.size());
            (void)task.value()->state().commit();
            task.value()->committed();
            since_commit = 0;
        }
    }
    double b_s = seconds_since(b0);
    double n = static_cast<double>(events.size());
    std::printf(
        "%-6s A %6.0f ns/event  B %6.0f ns/event  A+B %8.0f events/s  (%zu records, %lld "
        "changes)\n",
        name.c_str(), a_s * 1e9 / n, b_s * 1e9 / n, n / (a_s + b_s), records.size(),
        static_cast<long long>(out_rows));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int64_t events = 1'000'000, auctions = 10'000;
    size_t commit = 50'000;
    std::vector<std::string> picked;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--events" && i + 1 < argc)
            events = std::stoll(argv[++i]);
        else if (a == "--auctions" && i + 1 < argc)
            auctions = std::stoll(argv[++i]);
        else if (a == "--commit" && i + 1 < argc)
            commit = std::stoull(argv[++i]);
        else
            picked.push_back(a);
    }
    auto all = queries();
    if (picked.empty())
        for (const auto& [k, v] : all)
            picked.push_back(k);
    auto data = bids(events, auctions);
    for (const auto& q : picked) {
        auto it = all.find(q);
        if (it == all.end()) return std::fprintf(stderr, "unknown query %s\n", q.c_str()), 2;
        if (run(q, it->second, data, commit) != 0) return 1;
    }
    return 0;
}
