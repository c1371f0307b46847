#include "cli/txn_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace spate::cli {

namespace {

error bad(std::string msg) {
    return make_error(errc::invalid_argument, std::move(msg));
}

std::string lower(std::string v) {
    for (auto& c : v)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

template <typename T>
void add_once(std::vector<T>& v, T x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(std::move(x));
}

const option_spec k_bootstrap_spec{"bootstrap"};

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

result<std::string> parse_txn_state(const std::string& s) {
    static const char* const k_states[] = {
        "Empty",          "Ongoing",       "PrepareCommit",     "PrepareAbort",
        "CompleteCommit", "CompleteAbort", "PrepareEpochFence", "Dead"};
    for (const char* st : k_states) {
        if (lower(st) == lower(s)) return std::string(st);
    }
    return bad("unknown transaction state '" + s +
               "' (Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, "
               "PrepareEpochFence, Dead)");
}

result<txn_list_args> parse_txn_list(const std::vector<std::string>& args) {
    auto p =
        parse_options(args, {k_bootstrap_spec, {"state", true, true}, {"producer-id", true, true}});
    SPATE_TRY(p);
    if (!p->positionals.empty()) return bad("unexpected argument '" + p->positionals[0] + "'");
    txn_list_args out;
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    for (const auto& st : p->all("state")) {
        auto name = parse_txn_state(st);
        if (!name.ok()) return bad("--state: " + name.err().message);
        add_once(out.states, std::move(*name));
    }
    for (const auto& s : p->all("producer-id")) {
        auto id = parse_int(s, 0, INT64_MAX, "--producer-id");
        SPATE_TRY(id);
        add_once(out.producer_ids, *id);
    }
    return out;
}

result<txn_describe_args> parse_txn_describe(const std::vector<std::string>& args) {
    auto p = parse_options(args, {k_bootstrap_spec});
    SPATE_TRY(p);
    txn_describe_args out;
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    if (p->positionals.empty()) return bad("missing TRANSACTIONAL-ID");
    for (const auto& id : p->positionals) {
        if (id.empty()) return bad("empty TRANSACTIONAL-ID");
        add_once(out.transactional_ids, id);
    }
    return out;
}

result<std::vector<host_port>> parse_bootstrap(const std::string& s) {
    std::vector<host_port> out;
    size_t pos = 0;
    while (true) {
        size_t comma = s.find(',', pos);
        std::string entry = trim(s.substr(pos, comma == std::string::npos ? comma : comma - pos));
        if (entry.empty()) return bad("--bootstrap: empty address in '" + s + "'");
        host_port hp;
        size_t colon;
        if (entry[0] == '[') {
            size_t close = entry.find(']');
            if (close == std::string::npos || close + 1 >= entry.size() || entry[close + 1] != ':')
                return bad("--bootstrap: expected [HOST]:PORT, got '" + entry + "'");
            hp.host = entry.substr(1, close - 1);
            colon = close + 1;
        } else {
            colon = entry.rfind(':');
            if (colon == std::string::npos)
                return bad("--bootstrap: missing port in '" + entry + "'");
            hp.host = entry.substr(0, colon);
        }
        if (hp.host.empty()) return bad("--bootstrap: missing host in '" + entry + "'");
        auto port = parse_int(entry.substr(colon + 1), 1, 65535, "--bootstrap port");
        SPATE_TRY(port);
        hp.port = static_cast<uint16_t>(*port);
        out.push_back(std::move(hp));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::string kafka_error_name(int16_t code) {
    switch (code) {
        case -1:
            return "UNKNOWN_SERVER_ERROR";
        case 0:
            return "NONE";
        case 2:
            return "CORRUPT_MESSAGE";
        case 3:
            return "UNKNOWN_TOPIC_OR_PARTITION";
        case 7:
            return "REQUEST_TIMED_OUT";
        case 13:
            return "NETWORK_EXCEPTION";
        case 14:
            return "COORDINATOR_LOAD_IN_PROGRESS";
        case 15:
            return "COORDINATOR_NOT_AVAILABLE";
        case 16:
            return "NOT_COORDINATOR";
        case 29:
            return "TOPIC_AUTHORIZATION_FAILED";
        case 31:
            return "CLUSTER_AUTHORIZATION_FAILED";
        case 35:
            return "UNSUPPORTED_VERSION";
        case 42:
            return "INVALID_REQUEST";
        case 53:
            return "TRANSACTIONAL_ID_AUTHORIZATION_FAILED";
        case 105:
            return "TRANSACTIONAL_ID_NOT_FOUND";
    }
    return "KAFKA_ERROR_" + std::to_string(code);
}

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
    out += "Coordinator: " + (t.coordinator.empty() ? std::string("-") : t.coordinator) + "\n";
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
