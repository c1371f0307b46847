#include "cli/args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

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

}  // namespace

result<std::pair<std::string, std::string>> parse_key_value(const std::string& s) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) return bad("expected KEY=VALUE, got '" + s + "'");
    return std::pair{s.substr(0, eq), s.substr(eq + 1)};
}

result<int64_t> parse_int(const std::string& s, int64_t min, int64_t max, const std::string& what) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return bad(what + ": not an integer: '" + s + "'");
    }
    if (v < min || v > max) {
        return bad(what + ": " + s + " is outside [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
    }
    return v;
}

result<std::string> parse_group_state(const std::string& s) {
    static const char* const k_states[] = {"PreparingRebalance", "CompletingRebalance", "Stable",
                                           "Dead", "Empty"};
    for (const char* st : k_states) {
        if (lower(st) == lower(s)) return std::string(st);
    }
    return bad("unknown group state '" + s +
               "' (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead)");
}

result<topic_selection> parse_topic_selection(const std::string& s) {
    topic_selection out;
    auto colon = s.find(':');
    out.topic = s.substr(0, colon);
    if (out.topic.empty()) return bad("--topic: empty topic name in '" + s + "'");
    if (colon == std::string::npos) return out;
    std::string list = s.substr(colon + 1);
    if (list.empty()) return bad("--topic: no partitions after ':' in '" + s + "'");
    size_t pos = 0;
    while (pos <= list.size()) {
        auto comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        auto n = parse_int(list.substr(pos, comma - pos), 0, INT32_MAX, "--topic partition");
        SPATE_TRY(n);
        out.partitions.push_back(static_cast<int32_t>(*n));
        pos = comma + 1;
    }
    std::sort(out.partitions.begin(), out.partitions.end());
    out.partitions.erase(std::unique(out.partitions.begin(), out.partitions.end()),
                         out.partitions.end());
    return out;
}

result<int64_t> parse_datetime_ms(const std::string& s) {
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!s.empty() && std::all_of(s.begin(), s.end(), is_digit)) {
        return parse_int(s, 0, INT64_MAX, "epoch milliseconds");
    }
    auto malformed = [&] {
        return bad(
            "expected an ISO-8601 date-time with a zone like 2026-11-23T10:00:00Z, or "
            "epoch milliseconds; got '" +
            s + "'");
    };
    size_t i = 0;
    auto number = [&](size_t width, int& out) {
        if (i + width > s.size()) return false;
        out = 0;
        for (size_t k = 0; k < width; ++k) {
            if (!is_digit(s[i + k])) return false;
            out = out * 10 + (s[i + k] - '0');
        }
        i += width;
        return true;
    };
    auto literal = [&](char c) {
        if (i >= s.size() || s[i] != c) return false;
        ++i;
        return true;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    if (!number(4, year) || !literal('-') || !number(2, month) || !literal('-') ||
        !number(2, day) || !(literal('T') || literal('t') || literal(' ')) || !number(2, hour) ||
        !literal(':') || !number(2, minute)) {
        return malformed();
    }
    if (literal(':')) {
        if (!number(2, second)) return malformed();
        if (literal('.') || literal(',')) {
            size_t digits = 0;
            while (i < s.size() && is_digit(s[i])) {
                if (digits < 3) millis = millis * 10 + (s[i] - '0');
                ++digits;
                ++i;
            }
            if (digits == 0) return malformed();
            for (; digits < 3; ++digits)
                millis *= 10;
        }
    }
    int zone_minutes = 0;
    if (literal('Z') || literal('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        int zh = 0, zm = 0;
        if (!number(2, zh)) return malformed();
        literal(':');
        if (!number(2, zm) || zh > 23 || zm > 59) return malformed();
        zone_minutes = sign * (zh * 60 + zm);
    } else if (i == s.size()) {
        return bad("'" + s + "' has no time zone: append Z for UTC or an offset like +01:00");
    } else {
        return malformed();
    }
    if (i != s.size()) return malformed();
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                       std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
        return bad("'" + s + "' is not a valid date-time");
    }
    int64_t days = sys_days(ymd).time_since_epoch().count();
    int64_t ms = (((days * 24 + hour) * 60 + minute - zone_minutes) * 60 + second) * 1000 + millis;
    if (ms < 0) return bad("'" + s + "' is before 1970-01-01T00:00:00Z");
    return ms;
}

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

}  // namespace spate::cli
