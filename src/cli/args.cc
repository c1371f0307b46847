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

const option_spec* find_spec(const std::vector<option_spec>& specs, const std::string& name) {
    for (const auto& s : specs) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

const option_spec bootstrap_spec{"bootstrap"};

// Exactly `n` positionals named `what` (for messages).
status want_positionals(const parsed_options& p, size_t n, const char* what) {
    if (p.positionals.size() < n) return bad(std::string("missing ") + what);
    if (p.positionals.size() > n) return bad("unexpected argument '" + p.positionals[n] + "'");
    return {};
}

}  // namespace

std::optional<std::string> parsed_options::get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

const std::vector<std::string>& parsed_options::all(const std::string& name) const {
    static const std::vector<std::string> none;
    auto it = values.find(name);
    return it == values.end() ? none : it->second;
}

result<parsed_options> parse_options(const std::vector<std::string>& args,
                                     const std::vector<option_spec>& specs) {
    parsed_options out;
    bool options_done = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.size() < 2 || a.compare(0, 2, "--") != 0) {
            out.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        const option_spec* spec = find_spec(specs, name);
        if (spec == nullptr) return bad("unknown option '--" + name + "'");
        if (!spec->repeatable && out.has(name)) return bad("option '--" + name + "' given twice");
        std::string value;
        if (spec->takes_value) {
            if (inline_value) {
                value = *inline_value;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                return bad("option '--" + name + "' needs a value");
            }
        } else if (inline_value) {
            return bad("option '--" + name + "' takes no value");
        }
        out.values[name].push_back(std::move(value));
    }
    return out;
}

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

result<topic_create_args> parse_topic_create(const std::vector<std::string>& args) {
    auto p = parse_options(
        args, {bootstrap_spec, {"partitions"}, {"replication-factor"}, {"config", true, true}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "topic NAME"));
    topic_create_args out;
    out.name = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    if (auto v = p->get("partitions")) {
        auto n = parse_int(*v, 1, 1 << 20, "--partitions");
        SPATE_TRY(n);
        out.partitions = static_cast<int32_t>(*n);
    }
    if (auto v = p->get("replication-factor")) {
        auto n = parse_int(*v, 1, 32767, "--replication-factor");
        SPATE_TRY(n);
        out.replication_factor = static_cast<int32_t>(*n);
    }
    for (const auto& c : p->all("config")) {
        auto kv = parse_key_value(c);
        if (!kv.ok()) return bad("--config: " + kv.err().message);
        out.configs.push_back(std::move(*kv));
    }
    return out;
}

result<topic_name_args> parse_topic_name(const std::vector<std::string>& args, bool want_name) {
    auto p = parse_options(args, {bootstrap_spec});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, want_name ? 1 : 0, "topic NAME"));
    topic_name_args out;
    if (want_name) out.name = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    return out;
}

result<topic_alter_config_args> parse_topic_alter_config(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec, {"set", true, true}, {"delete", true, true}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "topic NAME"));
    topic_alter_config_args out;
    out.name = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    for (const auto& s : p->all("set")) {
        auto kv = parse_key_value(s);
        if (!kv.ok()) return bad("--set: " + kv.err().message);
        out.set.push_back(std::move(*kv));
    }
    for (const auto& k : p->all("delete")) {
        if (k.empty()) return bad("--delete: empty config name");
        out.remove.push_back(k);
    }
    if (out.set.empty() && out.remove.empty())
        return bad("nothing to change: give --set or --delete");
    for (const auto& [k, v] : out.set) {
        for (const auto& r : out.remove) {
            if (k == r) return bad("config '" + k + "' both set and deleted");
        }
    }
    return out;
}

result<topic_delete_records_args> parse_topic_delete_records(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec, {"partition"}, {"before"}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "topic NAME"));
    topic_delete_records_args out;
    out.name = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    auto part = p->get("partition");
    auto before = p->get("before");
    if (!part || !before) return bad("--partition and --before are required");
    auto n = parse_int(*part, 0, INT32_MAX, "--partition");
    SPATE_TRY(n);
    out.partition = static_cast<int32_t>(*n);
    auto o = parse_int(*before, -1, INT64_MAX, "--before");
    SPATE_TRY(o);
    out.before = *o;
    return out;
}

result<produce_args> parse_produce(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec,
                                  {"key-separator"},
                                  {"header", true, true},
                                  {"partition"},
                                  {"acks"},
                                  {"compression"}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "TOPIC"));
    produce_args out;
    out.topic = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    if (auto s = p->get("key-separator")) {
        if (s->empty()) return bad("--key-separator must not be empty");
        out.key_separator = *s;
    }
    for (const auto& h : p->all("header")) {
        auto kv = parse_key_value(h);
        if (!kv.ok()) return bad("--header: " + kv.err().message);
        out.headers.push_back(std::move(*kv));
    }
    if (auto v = p->get("partition")) {
        auto n = parse_int(*v, 0, INT32_MAX, "--partition");
        SPATE_TRY(n);
        out.partition = static_cast<int32_t>(*n);
    }
    if (auto a = p->get("acks")) {
        if (*a == "-1") *a = "all";
        if (*a != "all" && *a != "1" && *a != "0") return bad("--acks must be all, 1 or 0");
        out.acks = *a;
    }
    if (auto c = p->get("compression")) {
        if (*c != "none" && *c != "gzip" && *c != "snappy" && *c != "lz4" && *c != "zstd") {
            return bad("--compression must be none, gzip, snappy, lz4 or zstd");
        }
        out.compression = *c;
    }
    return out;
}

result<consume_args> parse_consume(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec,
                                  {"from-beginning", false},
                                  {"offset"},
                                  {"timestamp"},
                                  {"partition"},
                                  {"count"},
                                  {"print-key", false},
                                  {"print-timestamp", false},
                                  {"print-headers", false},
                                  {"separator"},
                                  {"timeout-ms"}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "TOPIC"));
    consume_args out;
    out.topic = p->positionals[0];
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    int starts = int(p->has("from-beginning")) + int(p->has("offset")) + int(p->has("timestamp"));
    if (starts > 1) return bad("give at most one of --from-beginning, --offset, --timestamp");
    if (p->has("from-beginning")) out.start = start_position::beginning;
    if (auto v = p->get("offset")) {
        auto n = parse_int(*v, 0, INT64_MAX, "--offset");
        SPATE_TRY(n);
        out.start = start_position::offset;
        out.start_value = *n;
    }
    if (auto v = p->get("timestamp")) {
        auto n = parse_int(*v, 0, INT64_MAX, "--timestamp");
        SPATE_TRY(n);
        out.start = start_position::timestamp;
        out.start_value = *n;
    }
    if (auto v = p->get("partition")) {
        auto n = parse_int(*v, 0, INT32_MAX, "--partition");
        SPATE_TRY(n);
        out.partition = static_cast<int32_t>(*n);
    }
    if (auto v = p->get("count")) {
        auto n = parse_int(*v, 1, INT64_MAX, "--count");
        SPATE_TRY(n);
        out.count = *n;
    }
    if (auto v = p->get("timeout-ms")) {
        auto n = parse_int(*v, 0, INT32_MAX, "--timeout-ms");
        SPATE_TRY(n);
        out.timeout_ms = *n;
    }
    out.print_key = p->has("print-key");
    out.print_timestamp = p->has("print-timestamp");
    out.print_headers = p->has("print-headers");
    if (auto s = p->get("separator")) out.separator = *s;
    return out;
}

result<std::string> parse_group_state(const std::string& s) {
    static const char* const k_states[] = {"PreparingRebalance", "CompletingRebalance", "Stable",
                                           "Dead", "Empty"};
    auto lower = [](std::string v) {
        for (auto& c : v)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return v;
    };
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

result<group_list_args> parse_group_list(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec, {"state", true, true}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 0, ""));
    group_list_args out;
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    for (const auto& st : p->all("state")) {
        auto name = parse_group_state(st);
        if (!name.ok()) return bad("--state: " + name.err().message);
        if (std::find(out.states.begin(), out.states.end(), *name) == out.states.end())
            out.states.push_back(std::move(*name));
    }
    return out;
}

result<group_describe_args> parse_group_describe(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec, {"members", false}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "GROUP"));
    group_describe_args out;
    out.group = p->positionals[0];
    if (out.group.empty()) return bad("empty GROUP");
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    out.members = p->has("members");
    return out;
}

result<group_reset_args> parse_group_reset(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec,
                                  {"topic", true, true},
                                  {"all-topics", false},
                                  {"to-earliest", false},
                                  {"to-latest", false},
                                  {"to-offset"},
                                  {"to-datetime"},
                                  {"dry-run", false}});
    SPATE_TRY(p);
    SPATE_TRY(want_positionals(*p, 1, "GROUP"));
    group_reset_args out;
    out.group = p->positionals[0];
    if (out.group.empty()) return bad("empty GROUP");
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    out.dry_run = p->has("dry-run");
    out.all_topics = p->has("all-topics");
    if (out.all_topics && p->has("topic")) return bad("give either --topic or --all-topics");
    if (!out.all_topics && !p->has("topic"))
        return bad("missing --topic T[:P,...] or --all-topics");
    for (const auto& t : p->all("topic")) {
        auto sel = parse_topic_selection(t);
        SPATE_TRY(sel);
        for (const auto& prev : out.topics) {
            if (prev.topic == sel->topic) return bad("--topic '" + sel->topic + "' given twice");
        }
        out.topics.push_back(std::move(*sel));
    }
    int targets = int(p->has("to-earliest")) + int(p->has("to-latest")) + int(p->has("to-offset")) +
                  int(p->has("to-datetime"));
    if (targets != 1) {
        return bad(std::string(targets == 0 ? "missing" : "more than one") +
                   " reset target: give one of --to-earliest, --to-latest, --to-offset N, "
                   "--to-datetime TS");
    }
    if (p->has("to-earliest")) out.target = reset_target::earliest;
    if (p->has("to-latest")) out.target = reset_target::latest;
    if (auto v = p->get("to-offset")) {
        auto n = parse_int(*v, 0, INT64_MAX, "--to-offset");
        SPATE_TRY(n);
        out.target = reset_target::offset;
        out.value = *n;
    }
    if (auto v = p->get("to-datetime")) {
        auto ms = parse_datetime_ms(*v);
        if (!ms.ok()) return bad("--to-datetime: " + ms.err().message);
        out.target = reset_target::datetime;
        out.value = *ms;
    }
    return out;
}

result<group_delete_args> parse_group_delete(const std::vector<std::string>& args) {
    auto p = parse_options(args, {bootstrap_spec});
    SPATE_TRY(p);
    group_delete_args out;
    if (auto b = p->get("bootstrap")) out.bootstrap = *b;
    if (p->positionals.empty()) return bad("missing GROUP");
    for (const auto& g : p->positionals) {
        if (g.empty()) return bad("empty GROUP");
        if (std::find(out.groups.begin(), out.groups.end(), g) == out.groups.end())
            out.groups.push_back(g);
    }
    return out;
}

}  // namespace spate::cli
