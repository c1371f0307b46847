// `spate group list|describe|reset-offsets|delete` over kafka/client's admin
// (see README.md).

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/group_format.h"
#include "kafka/client/admin.h"

namespace spate::cli {

namespace {

namespace kc = kafka::client;
using offset_map = std::map<topic_partition_key, int64_t>;

error failed(std::string msg) {
    return make_error(errc::io_error, std::move(msg));
}

offset_map to_keys(const kc::offset_map& m) {
    offset_map out;
    for (const auto& [tp, o] : m)
        out[{tp.topic, tp.partition}] = o;
    return out;
}

// ListOffsets of `ids` of `topic` at `timestamp` (k_latest_timestamp,
// k_earliest_timestamp or epoch ms).
result<offset_map> list_offsets(kc::admin& admin, const std::string& topic,
                                const std::vector<int32_t>& ids, int64_t timestamp) {
    std::vector<kc::topic_partition> parts;
    for (int32_t p : ids)
        parts.push_back({topic, p});
    auto r = admin.list_offsets(parts, timestamp);
    SPATE_TRY(r);
    return to_keys(*r);
}

// `partitions` grouped by topic.
std::map<std::string, std::vector<int32_t>> by_topic(const std::set<topic_partition_key>& parts) {
    std::map<std::string, std::vector<int32_t>> out;
    for (const auto& [t, p] : parts)
        out[t].push_back(p);
    return out;
}

group_summary to_summary(const kc::group_description& d) {
    group_summary g{d.group, d.state, d.assignor, d.coordinator ? d.coordinator->text() : "", {}};
    for (const auto& m : d.members) {
        group_member gm{m.member_id, m.client_id, m.host, {}};
        for (const auto& tp : m.assignment)
            gm.assignment.emplace_back(tp.topic, tp.partition);
        g.members.push_back(std::move(gm));
    }
    return g;
}

// The partitions `a` names, checked against the topics' metadata.
result<std::set<topic_partition_key>> reset_partitions(kc::admin& admin,
                                                       const group_reset_args& a) {
    std::set<topic_partition_key> out;
    if (a.all_topics) {
        auto committed = admin.list_group_offsets(a.group);
        SPATE_TRY(committed);
        if (committed->empty()) {
            return make_error(
                errc::not_found,
                "group '" + a.group + "' has no committed offsets; name partitions with --topic");
        }
        for (const auto& [tp, o] : *committed)
            out.insert({tp.topic, tp.partition});
        return out;
    }
    for (const auto& sel : a.topics) {
        auto md = admin.topic(sel.topic);
        SPATE_TRY(md);
        std::set<int32_t> existing;
        for (const auto& p : md->partitions)
            existing.insert(p.id);
        if (sel.partitions.empty()) {
            for (int32_t p : existing)
                out.insert({sel.topic, p});
            continue;
        }
        for (int32_t p : sel.partitions) {
            if (!existing.count(p)) {
                return make_error(errc::not_found, "topic '" + sel.topic + "' has no partition " +
                                                       std::to_string(p));
            }
            out.insert({sel.topic, p});
        }
    }
    return out;
}

// Errors with which a coordinator refuses an offset commit from outside the
// group because the group has live members.
bool active_group_error(const std::string& msg) {
    for (const char* name : {"UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS"})
        if (msg.find(name) != std::string::npos) return true;
    return false;
}

status commit_plan(kc::admin& admin, const std::string& group,
                   const std::vector<planned_offset>& plan) {
    std::vector<kc::partition_offset> offsets;
    for (const auto& p : plan)
        offsets.push_back({p.topic, p.partition, p.new_offset, {}});
    auto res = admin.alter_group_offsets(group, offsets);
    std::string errors;
    if (!res.ok()) {
        errors = res.err().message;
    } else {
        // Every partition of a group-level refusal carries the same error: name it once.
        std::map<std::string, std::vector<std::string>> failed_parts;
        for (const auto& r : *res) {
            if (!r.result.ok())
                failed_parts[r.result.err().message].push_back(r.topic + "/" +
                                                               std::to_string(r.partition));
        }
        for (const auto& [msg, names] : failed_parts) {
            std::string what = names[0];
            if (names.size() > 1)
                what += " and " + std::to_string(names.size() - 1) + " other partition(s)";
            errors += (errors.empty() ? "" : "; ") + what + ": " + msg;
        }
    }
    if (errors.empty()) return {};
    std::string msg = "group '" + group + "' rejected the new offsets: " + errors;
    if (active_group_error(errors))
        msg += " (the group has active members; stop its consumers first)";
    return failed(msg);
}

}  // namespace

status group_list(const group_list_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto admin = kc::admin::connect(*client);
    SPATE_TRY(admin);
    auto listed = admin->list_groups(a.states);
    SPATE_TRY(listed);
    std::vector<group_listing> shown;
    for (auto& g : listed->groups)
        shown.push_back({std::move(g.group), std::move(g.state), std::move(g.protocol_type)});
    std::fputs(format_group_list(std::move(shown)).c_str(), stdout);
    if (!listed->incomplete.empty())
        return failed("the list may be incomplete: " + listed->incomplete);
    return {};
}

status group_describe(const group_describe_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto admin = kc::admin::connect(*client);
    SPATE_TRY(admin);
    auto d = admin->describe_group(a.group);
    SPATE_TRY(d);
    group_summary g = to_summary(*d);
    auto committed_raw = admin->list_group_offsets(a.group);
    SPATE_TRY(committed_raw);
    offset_map committed = to_keys(*committed_raw);
    if (g.state == "Dead" && g.members.empty() && committed.empty()) {
        return make_error(errc::not_found, "group '" + a.group + "' does not exist");
    }
    if (a.members) {
        std::fputs(format_group_members(g).c_str(), stdout);
        return {};
    }
    std::set<topic_partition_key> parts;
    for (const auto& m : g.members)
        parts.insert(m.assignment.begin(), m.assignment.end());
    for (const auto& [tp, o] : committed)
        parts.insert(tp);
    // A topic whose log ends cannot be read (e.g. deleted since the commit)
    // shows "-" rather than failing the whole view.
    offset_map log_end;
    for (const auto& [topic, ids] : by_topic(parts)) {
        auto ends = list_offsets(*admin, topic, ids, kc::k_latest_timestamp);
        if (!ends.ok()) {
            std::fprintf(stderr, "spate group describe: warning: %s\n", ends.err().message.c_str());
            continue;
        }
        for (const auto& [tp, o] : *ends)
            if (o >= 0) log_end[tp] = o;
    }
    auto rows = build_lag_rows(g.members, committed, log_end);
    std::fputs(format_group_offsets(g, rows).c_str(), stdout);
    return {};
}

status group_reset(const group_reset_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto admin = kc::admin::connect(*client);
    SPATE_TRY(admin);
    auto parts = reset_partitions(*admin, a);
    SPATE_TRY(parts);
    std::vector<planned_offset> plan;
    for (const auto& [topic, ids] : by_topic(*parts)) {
        auto start = list_offsets(*admin, topic, ids, kc::k_earliest_timestamp);
        SPATE_TRY(start);
        auto end = list_offsets(*admin, topic, ids, kc::k_latest_timestamp);
        SPATE_TRY(end);
        offset_map found;
        if (a.target == reset_target::datetime) {
            auto at = list_offsets(*admin, topic, ids, a.value);
            SPATE_TRY(at);
            found = std::move(*at);
        }
        for (int32_t p : ids) {
            topic_partition_key tp{topic, p};
            offset_bounds b{(*start)[tp], (*end)[tp]};
            int64_t value = a.target == reset_target::datetime ? found[tp] : a.value;
            plan.push_back({topic, p, plan_reset_offset(a.target, value, b)});
        }
    }
    if (!a.dry_run) SPATE_TRY(commit_plan(*admin, a.group, plan));
    std::fputs(format_reset_plan(std::move(plan)).c_str(), stdout);
    if (a.dry_run) {
        std::fprintf(stderr, "spate group reset-offsets: dry run: group '%s' not changed\n",
                     a.group.c_str());
    }
    return {};
}

status group_delete(const group_delete_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto admin = kc::admin::connect(*client);
    SPATE_TRY(admin);
    auto res = admin->delete_groups(a.groups);
    SPATE_TRY(res);
    std::map<std::string, std::string> outcome;
    size_t failures = 0;
    for (const auto& r : *res) {
        outcome[r.group] = r.result.ok() ? "deleted" : r.result.err().message;
        failures += r.result.ok() ? 0 : 1;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : a.groups) {
        auto it = outcome.find(g);
        if (it == outcome.end()) ++failures;
        rows.push_back({g, it == outcome.end() ? "no answer" : it->second});
    }
    std::fputs(format_table({"GROUP", "RESULT"}, rows).c_str(), stdout);
    if (failures > 0) {
        return failed(std::to_string(failures) + " of " + std::to_string(a.groups.size()) +
                      " groups not deleted");
    }
    return {};
}

}  // namespace spate::cli
