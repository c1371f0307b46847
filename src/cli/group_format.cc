#include "cli/group_format.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace spate::cli {

namespace {

std::string or_dash(const std::optional<int64_t>& v) {
    return v ? std::to_string(*v) : "-";
}

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

std::string summary_lines(const group_summary& g) {
    std::string out = "Group: " + g.group + "\n";
    out += "State: " + or_dash(g.state) + "\n";
    out += "Protocol: " + or_dash(g.assignor) + "\n";
    out += "Coordinator: " + or_dash(g.coordinator) + "\n";
    out += "Members: " + std::to_string(g.members.size()) + "\n";
    return out;
}

}  // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], cells[i].size());
    };
    measure(header);
    for (const auto& r : rows)
        measure(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string l;
        for (size_t i = 0; i < width.size(); ++i) {
            const std::string cell = i < cells.size() ? cells[i] : std::string();
            l += cell;
            if (i + 1 < width.size()) l.append(width[i] - cell.size() + 2, ' ');
        }
        while (!l.empty() && l.back() == ' ')
            l.pop_back();
        out += l;
        out += '\n';
    };
    line(header);
    for (const auto& r : rows)
        line(r);
    return out;
}

std::string format_group_list(std::vector<group_listing> groups) {
    std::sort(groups.begin(), groups.end(),
              [](const auto& a, const auto& b) { return a.group < b.group; });
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups)
        rows.push_back({g.group, or_dash(g.state), or_dash(g.protocol_type)});
    return format_table({"GROUP", "STATE", "PROTOCOL-TYPE"}, rows);
}

std::vector<lag_row> build_lag_rows(const std::vector<group_member>& members,
                                    const std::map<topic_partition_key, int64_t>& committed,
                                    const std::map<topic_partition_key, int64_t>& log_end) {
    std::map<topic_partition_key, lag_row> rows;
    auto row = [&](const topic_partition_key& tp) -> lag_row& {
        auto [it, inserted] = rows.try_emplace(tp);
        if (inserted) {
            it->second.topic = tp.first;
            it->second.partition = tp.second;
        }
        return it->second;
    };
    for (const auto& m : members) {
        for (const auto& tp : m.assignment)
            row(tp).member = &m;
    }
    for (const auto& [tp, offset] : committed)
        row(tp).current = offset;
    std::vector<lag_row> out;
    for (auto& [tp, r] : rows) {
        if (auto it = log_end.find(tp); it != log_end.end()) r.log_end = it->second;
        if (r.current && r.log_end) r.lag = *r.log_end - *r.current;
        out.push_back(std::move(r));
    }
    return out;
}

std::string format_group_offsets(const group_summary& g, const std::vector<lag_row>& rows) {
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        cells.push_back({r.topic, std::to_string(r.partition), or_dash(r.current),
                         or_dash(r.log_end), or_dash(r.lag),
                         r.member ? or_dash(r.member->member_id) : "-",
                         r.member ? or_dash(r.member->client_id) : "-",
                         r.member ? or_dash(r.member->host) : "-"});
    }
    return summary_lines(g) + "\n" +
           format_table({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                         "MEMBER-ID", "CLIENT-ID", "HOST"},
                        cells);
}

std::string format_group_members(const group_summary& g) {
    auto members = g.members;
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.member_id < b.member_id; });
    std::vector<std::vector<std::string>> cells;
    for (const auto& m : members) {
        std::map<std::string, std::set<int32_t>> by_topic;
        for (const auto& [t, p] : m.assignment)
            by_topic[t].insert(p);
        std::string assignment;
        for (const auto& [t, parts] : by_topic) {
            if (!assignment.empty()) assignment += ';';
            assignment += t + ':';
            bool first = true;
            for (int32_t p : parts) {
                if (!first) assignment += ',';
                assignment += std::to_string(p);
                first = false;
            }
        }
        cells.push_back({or_dash(m.member_id), or_dash(m.client_id), or_dash(m.host),
                         std::to_string(m.assignment.size()), or_dash(assignment)});
    }
    return summary_lines(g) + "\n" +
           format_table({"MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS", "ASSIGNMENT"}, cells);
}

int64_t plan_reset_offset(reset_target target, int64_t value, offset_bounds b) {
    switch (target) {
        case reset_target::earliest:
            return b.log_start;
        case reset_target::latest:
            return b.log_end;
        case reset_target::offset:
            return std::clamp(value, b.log_start, std::max(b.log_start, b.log_end));
        case reset_target::datetime:
            if (value < 0) return b.log_end;
            return std::clamp(value, b.log_start, std::max(b.log_start, b.log_end));
    }
    return b.log_end;
}

std::string format_reset_plan(std::vector<planned_offset> plan) {
    std::sort(plan.begin(), plan.end(), [](const auto& a, const auto& b) {
        return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
    });
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : plan)
        rows.push_back({p.topic, std::to_string(p.partition), std::to_string(p.new_offset)});
    return format_table({"TOPIC", "PARTITION", "NEW-OFFSET"}, rows);
}

}  // namespace spate::cli
