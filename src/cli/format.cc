#include "cli/format.h"

#include <algorithm>
#include <map>

namespace spate::cli {

namespace {

std::string join_ids(const std::vector<int32_t>& ids) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    return out;
}

}  // namespace

std::string format_record(const consume_args& opts, const record_fields& r) {
    std::string out;
    auto field = [&](std::string_view f) {
        out.append(f);
        out.append(opts.separator);
    };
    if (opts.print_timestamp) field(std::to_string(r.timestamp_ms));
    if (opts.print_key) field(r.key ? *r.key : std::string_view("null"));
    if (opts.print_headers) {
        std::string h;
        for (size_t i = 0; i < r.headers.size(); ++i) {
            if (i) h += ',';
            h += r.headers[i].first;
            h += '=';
            h += r.headers[i].second ? *r.headers[i].second : "null";
        }
        field(h);
    }
    out.append(r.value ? *r.value : std::string_view("null"));
    out += '\n';
    return out;
}

std::optional<std::pair<std::string_view, std::string_view>> split_key_value(std::string_view line,
                                                                             std::string_view sep) {
    auto pos = line.find(sep);
    if (sep.empty() || pos == std::string_view::npos) return std::nullopt;
    return std::pair{line.substr(0, pos), line.substr(pos + sep.size())};
}

std::string format_topic_description(const topic_description& t) {
    std::string out =
        "Topic: " + t.name + "\tPartitions: " + std::to_string(t.partitions.size()) + "\n";
    auto parts = t.partitions;
    std::sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a.id < b.id; });
    for (const auto& p : parts) {
        out += "\tPartition: " + std::to_string(p.id) + "\tLeader: " + std::to_string(p.leader) +
               "\tReplicas: " + join_ids(p.replicas) + "\tIsr: " + join_ids(p.isr);
        if (!p.error.empty()) out += "\tError: " + p.error;
        out += '\n';
    }
    auto configs = t.configs;
    std::sort(configs.begin(), configs.end(), [](auto& a, auto& b) { return a.name < b.name; });
    out += "Configs:\n";
    for (const auto& c : configs) {
        out += '\t' + c.name + '=';
        if (c.sensitive) {
            out += "(sensitive)";
        } else {
            out += c.value ? *c.value : "null";
        }
        if (c.is_default) out += " (default)";
        if (c.read_only) out += " (read-only)";
        out += '\n';
    }
    return out;
}

std::string format_topic_list(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names)
        out += n + '\n';
    return out;
}

std::vector<std::pair<std::string, std::string>> merge_config_overrides(
    std::vector<std::pair<std::string, std::string>> current_overrides,
    const std::vector<std::pair<std::string, std::string>>& set,
    const std::vector<std::string>& remove) {
    std::map<std::string, std::string> m(current_overrides.begin(), current_overrides.end());
    for (const auto& [k, v] : set)
        m[k] = v;
    for (const auto& k : remove)
        m.erase(k);
    return {m.begin(), m.end()};
}

}  // namespace spate::cli
