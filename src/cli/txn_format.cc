#include "cli/txn_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace spate::cli {

namespace {

// Days since 1970-01-01 → civil date (proleptic Gregorian).
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

// "1.5 s", "3 min 20 s", "2 h 5 min": a coarse age for the start time.
std::string format_age(int64_t ms) {
    if (ms < 0) ms = 0;
    char buf[64];
    if (ms < 60'000) {
        std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
    } else if (ms < 3'600'000) {
        std::snprintf(buf, sizeof buf, "%lld min %lld s", static_cast<long long>(ms / 60'000),
                      static_cast<long long>(ms / 1000 % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lld h %lld min", static_cast<long long>(ms / 3'600'000),
                      static_cast<long long>(ms / 60'000 % 60));
    }
    return buf;
}

}  // namespace

std::string format_utc_ms(int64_t epoch_ms) {
    if (epoch_ms < 0) epoch_ms = 0;
    int64_t days = epoch_ms / 86'400'000;
    int64_t in_day = epoch_ms % 86'400'000;
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, &y, &m, &d);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(in_day / 3'600'000),
                  static_cast<long long>(in_day / 60'000 % 60),
                  static_cast<long long>(in_day / 1000 % 60),
                  static_cast<long long>(in_day % 1000));
    return buf;
}

std::string format_txn_list(std::vector<txn_listing> txns) {
    std::sort(txns.begin(), txns.end(),
              [](const auto& a, const auto& b) { return a.transactional_id < b.transactional_id; });
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : txns) {
        rows.push_back(
            {t.transactional_id, std::to_string(t.producer_id), t.state.empty() ? "-" : t.state});
    }
    return format_table({"TRANSACTIONAL-ID", "PRODUCER-ID", "STATE"}, rows);
}

std::string format_txn_description(const txn_details& t, int64_t now_ms) {
    std::string out = "Transactional id: " + t.transactional_id + "\n";
    out += "State: " + (t.state.empty() ? std::string("-") : t.state) + "\n";
    out += "Producer id: " + std::to_string(t.producer_id) + "\n";
    out += "Producer epoch: " + std::to_string(t.producer_epoch) + "\n";
    out += "Timeout: " + std::to_string(t.timeout_ms) + " ms\n";
    out += "Start time: ";
    if (t.start_time_ms < 0) {
        out += "-\n";
    } else {
        out += format_utc_ms(t.start_time_ms) + " (" + format_age(now_ms - t.start_time_ms) +
               " ago)\n";
    }
    out +=
        "Coordinator: " + (t.coordinator.host.empty() ? std::string("-") : t.coordinator.text()) +
        "\n";
    auto parts = t.partitions;
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
    out += "Partitions: " + std::to_string(parts.size()) + "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& [topic, p] : parts)
        rows.push_back({topic, std::to_string(p)});
    return out + "\n" + format_table({"TOPIC", "PARTITION"}, rows);
}

}  // namespace spate::cli
