// CPU cost per event of a stateless continuous query's row path without
// Kafka: Nexmark bids (JSON, as tests/support/nexmark.py writes them) ->
// decode -> the query's processor -> the append sink's JSON encoding into
// one output buffer (what the query hands the producer). Prints
// nanoseconds per event of each stage, best of `--rounds`.
//
//   sql_row_bench [--events N] [--rounds N] [QUERY...]   QUERY: q0 q1 (default: both)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sql/engine/object_builder.h"
#include "sql/stream/change_encoder.h"

using namespace spate;
using namespace spate::sql;

namespace {

std::map<std::string, std::string> queries() {
    return {
        {"q0", "SELECT auction, bidder, price, channel, url, date_time, extra FROM bid"},
        {"q1", "SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid"},
    };
}

// Bids shaped like nexmark.py's: a URL with a channel id half the time,
// millisecond timestamps, and one `extra` in 25 that JSON must escape.
std::vector<std::string> bids(int64_t n) {
    std::mt19937_64 rng(42);
    const char* odd[] = {"say \\\"hi\\\"", "back\\\\slash", "caf\xc3\xa9", "tab\\there"};
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(n));
    char buf[512];
    for (int64_t i = 0; i < n; ++i) {
        int64_t ms = 1'436'918'400'000 + i - static_cast<int64_t>(rng() % 1500);
        time_t secs = static_cast<time_t>(ms / 1000);
        struct tm t {};
        gmtime_r(&secs, &t);
        char when[40];
        std::snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d:%02d.%03d", t.tm_year + 1900,
                      t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                      static_cast<int>(ms % 1000));
        std::string extra(4 + rng() % 9, 'a');
        for (auto& c : extra)
            c = static_cast<char>('a' + rng() % 26);
        if (rng() % 25 == 0) extra = odd[rng() % 4];
        std::string url = "https://www.nexmark.com/abc/defg/item.htm?query=1";
        if (rng() % 2) url += "&channel_id=" + std::to_string(rng() % 10'000'000);
        std::snprintf(buf, sizeof buf,
                      "{\"auction\":%lld,\"bidder\":%lld,\"price\":%lld,\"channel\":\"channel-%d\","
                      "\"url\":\"%s\",\"date_time\":\"%s\",\"extra\":\"%s\"}",
                      static_cast<long long>(1000 + i / 50), static_cast<long long>(rng() % 100000),
                      static_cast<long long>(rng() % 10'000'000), static_cast<int>(rng() % 10000),
                      url.c_str(), when, extra.c_str());
        out.emplace_back(buf);
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void add_bid(catalog& cat) {
    catalog_object so;
    so.kind = catalog_kind::source;
    so.name = "bid";
    so.relation.name = "bid";
    so.relation.topic = "bid";
    so.relation.columns = {{"auction", data_type::of(type_id::int64)},
                           {"bidder", data_type::of(type_id::int64)},
                           {"price", data_type::of(type_id::int64)},
                           {"channel", data_type{type_id::text, -1, -1, true}},
                           {"url", data_type{type_id::text, -1, -1, true}},
                           {"date_time", data_type::of(type_id::timestamp)},
                           {"extra", data_type{type_id::text, -1, -1, true}}};
    (void)cat.add(so);
}

struct stage_times {
    double decode = 0, process = 0, encode = 0;
};

int run(const std::string& name, const std::string& sql, const std::vector<std::string>& events,
        int rounds) {
    catalog cat;
    add_bid(cat);
    auto view = parse_sql("CREATE MATERIALIZED VIEW v AS " + sql);
    if (!view.ok()) return std::fprintf(stderr, "%s\n", view.error().message.c_str()), 1;
    auto obj = build_view(view.value()[0], cat);
    if (!obj.ok()) return std::fprintf(stderr, "%s\n", obj.error().message.c_str()), 1;
    auto plan = plan_continuous(obj.value(), cat);
    if (!plan.ok()) return std::fprintf(stderr, "%s\n", plan.error().message.c_str()), 1;
    query_spec spec;
    spec.name = name;
    spec.output_topic = name + "_out";
    spec.output_columns = plan.value().output_columns;
    const input_spec& in = plan.value().inputs[0];
    auto decoder = make_decoder(in.format, in.columns);
    auto encoder = change_encoder::create(spec, 1);
    if (!decoder.ok() || !encoder.ok()) return 1;
    std::string out;  // the records' values, as the record batcher keeps them
    size_t written = 0;
    auto sink = [&](const kafka::client::outgoing_record& r) {
        out.append(*r.value);
        ++written;
        return status{};
    };
    eval_context ctx;
    stage_times best{1e9, 1e9, 1e9};
    std::vector<record_view> views;
    std::vector<decode_failure> failures;
    for (int round = 0; round < rounds; ++round) {
        stage_times t;
        for (size_t at = 0; at < events.size(); at += 1000) {
            size_t n = std::min<size_t>(1000, events.size() - at);
            views.assign(n, record_view{});
            for (size_t i = 0; i < n; ++i) {
                views[i].value = events[at + i];
                views[i].proctime_micros = 1;
            }
            auto t0 = std::chrono::steady_clock::now();
            chunk c = make_source_chunk(in.columns);
            decoder.value()->decode(views, c, failures);
            c.sync_rows();
            t.decode += seconds_since(t0);
            auto t1 = std::chrono::steady_clock::now();
            auto rows = in.processor->process(std::move(c), ctx);
            if (!rows.ok()) return std::fprintf(stderr, "%s\n", rows.error().message.c_str()), 1;
            t.process += seconds_since(t1);
            auto t2 = std::chrono::steady_clock::now();
            out.clear();
            if (!encoder.value()->encode(rows.value(), {}, 0, sink).ok()) return 1;
            t.encode += seconds_since(t2);
        }
        best.decode = std::min(best.decode, t.decode);
        best.process = std::min(best.process, t.process);
        best.encode = std::min(best.encode, t.encode);
    }
    double n = static_cast<double>(events.size());
    std::printf(
        "%-3s decode %5.0f  process %5.0f  encode %5.0f  total %5.0f ns/event  (%zu rows, %zu "
        "failures)\n",
        name.c_str(), best.decode * 1e9 / n, best.process * 1e9 / n, best.encode * 1e9 / n,
        (best.decode + best.process + best.encode) * 1e9 / n, written / static_cast<size_t>(rounds),
        failures.size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int64_t events = 200'000;
    int rounds = 5;
    std::vector<std::string> picked;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--events" && i + 1 < argc)
            events = std::stoll(argv[++i]);
        else if (a == "--rounds" && i + 1 < argc)
            rounds = std::stoi(argv[++i]);
        else
            picked.push_back(a);
    }
    auto all = queries();
    if (picked.empty())
        for (const auto& [k, v] : all)
            picked.push_back(k);
    auto data = bids(events);
    for (const auto& q : picked) {
        auto it = all.find(q);
        if (it == all.end()) return std::fprintf(stderr, "unknown query %s\n", q.c_str()), 2;
        if (run(q, it->second, data, rounds) != 0) return 1;
    }
    return 0;
}
