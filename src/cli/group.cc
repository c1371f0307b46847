#include "cli/group.h"

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/client.h"
#include "cli/group_format.h"

namespace spate::cli {

namespace {

using offset_map = std::map<topic_partition_key, int64_t>;

// ListOffsets "timestamps" that ask for the log end and the log start.
constexpr int64_t k_latest = -1;
constexpr int64_t k_earliest = -2;

// Log ends are high watermarks, as a read_uncommitted consumer sees them.
result<rk_ptr> make_group_admin(const std::string& bootstrap, client_context* ctx) {
    return make_client(
        RD_KAFKA_PRODUCER, bootstrap,
        {{"allow.auto.create.topics", "false"}, {"isolation.level", "read_uncommitted"}}, ctx);
}

std::string error_text(const rd_kafka_error_t* e) {
    return err_text(rd_kafka_error_code(e), rd_kafka_error_string(e));
}

std::string tp_name(const std::string& topic, int32_t partition) {
    return topic + "/" + std::to_string(partition);
}

// Errors with which a coordinator refuses an offset commit from outside the
// group because the group has live members.
bool active_group_error(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
           err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
           err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
}

result<group_summary> describe_group(client_context* ctx, rd_kafka_t* rk,
                                     const std::string& group) {
    const char* names[] = {group.c_str()};
    queue_ptr q(rd_kafka_queue_new(rk));
    auto opts = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_DescribeConsumerGroups(rk, names, 1, opts.get(), q.get());
    auto ev = wait_admin_result(ctx, rk, q.get(), RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
    if (!ev.ok()) return failed("DescribeGroups: " + ev.err().message);
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev->get()), &n);
    if (n != 1) return failed("DescribeGroups returned " + std::to_string(n) + " groups");
    const rd_kafka_ConsumerGroupDescription_t* d = groups[0];
    if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d)) {
        return failed("group '" + group + "': " + error_text(e));
    }
    group_summary g;
    g.group = group;
    g.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
    if (const char* assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d))
        g.assignor = assignor;
    if (const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(d)) {
        g.coordinator = std::string(rd_kafka_Node_host(node)) + ":" +
                        std::to_string(rd_kafka_Node_port(node)) + " (id " +
                        std::to_string(rd_kafka_Node_id(node)) + ")";
    }
    size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
    for (size_t i = 0; i < members; ++i) {
        const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
        group_member gm;
        if (const char* s = rd_kafka_MemberDescription_consumer_id(m)) gm.member_id = s;
        if (const char* s = rd_kafka_MemberDescription_client_id(m)) gm.client_id = s;
        if (const char* s = rd_kafka_MemberDescription_host(m)) gm.host = s;
        const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(m);
        const rd_kafka_topic_partition_list_t* parts =
            a ? rd_kafka_MemberAssignment_partitions(a) : nullptr;
        for (int j = 0; parts && j < parts->cnt; ++j)
            gm.assignment.emplace_back(parts->elems[j].topic, parts->elems[j].partition);
        g.members.push_back(std::move(gm));
    }
    return g;
}

// The committed offsets of `group` for `partitions` (null: every partition).
result<offset_map> fetch_committed(client_context* ctx, rd_kafka_t* rk, const std::string& group,
                                   const rd_kafka_topic_partition_list_t* partitions) {
    rd_kafka_ListConsumerGroupOffsets_t* req =
        rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), partitions);
    queue_ptr q(rd_kafka_queue_new(rk));
    auto opts = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, opts.get(), q.get());
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    auto ev = wait_admin_result(ctx, rk, q.get(), RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT);
    if (!ev.ok()) return failed("OffsetFetch: " + ev.err().message);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev->get()), &n);
    offset_map out;
    for (size_t i = 0; i < n; ++i) {
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i])) {
            return failed("OffsetFetch of group '" + group + "': " + error_text(e));
        }
        const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
        for (int j = 0; parts && j < parts->cnt; ++j) {
            const auto& p = parts->elems[j];
            if (p.err) {
                return failed("OffsetFetch of " + tp_name(p.topic, p.partition) + ": " +
                              err_text(p.err, nullptr));
            }
            if (p.offset >= 0) out[{p.topic, p.partition}] = p.offset;
        }
    }
    return out;
}

// Every committed offset of `group`. librdkafka 2.0.2 pads its all-partitions
// OffsetFetch (v7, null topics) with stray bytes that brokers decoding
// strictly reject by closing the connection; then the partitions of every
// topic in the cluster are asked for instead, which misses offsets of
// deleted topics only.
result<offset_map> committed_offsets(client_context* ctx, rd_kafka_t* rk,
                                     const std::string& group) {
    auto all = fetch_committed(ctx, rk, group, nullptr);
    if (all.ok() || all.err().message.find("_TRANSPORT") == std::string::npos) return all;
    auto md = fetch_metadata(ctx, rk, "");
    SPATE_TRY(md);
    tpl_ptr parts(rd_kafka_topic_partition_list_new(0));
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t& t = (*md)->topics[i];
        if (t.err || std::string(t.topic).starts_with("__")) continue;
        for (int j = 0; j < t.partition_cnt; ++j)
            rd_kafka_topic_partition_list_add(parts.get(), t.topic, t.partitions[j].id);
    }
    if (parts->cnt == 0) return offset_map();
    return fetch_committed(ctx, rk, group, parts.get());
}

// ListOffsets of `partitions` (all of one topic) at `timestamp` (k_latest,
// k_earliest or epoch ms). A partition maps to -1 when no record has a
// timestamp at or after `timestamp`.
result<offset_map> list_offsets(rd_kafka_t* rk, const std::string& topic,
                                const std::vector<int32_t>& partitions, int64_t timestamp) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (int32_t p : partitions)
        rd_kafka_topic_partition_list_add(l.get(), topic.c_str(), p)->offset = timestamp;
    if (auto err = rd_kafka_offsets_for_times(rk, l.get(), k_admin_timeout_ms)) {
        return failed("ListOffsets of topic '" + topic + "': " + err_text(err, nullptr));
    }
    offset_map out;
    for (int i = 0; i < l->cnt; ++i) {
        const auto& p = l->elems[i];
        if (p.err) {
            return failed("ListOffsets of " + tp_name(topic, p.partition) + ": " +
                          err_text(p.err, nullptr));
        }
        out[{topic, p.partition}] = p.offset;
    }
    return out;
}

// `partitions` grouped by topic.
std::map<std::string, std::vector<int32_t>> by_topic(const std::set<topic_partition_key>& parts) {
    std::map<std::string, std::vector<int32_t>> out;
    for (const auto& [t, p] : parts)
        out[t].push_back(p);
    return out;
}

// ---- list ----

// ListConsumerGroups (ListGroups v4 with a state filter). Groups are filtered
// by state here too. `incomplete` collects the brokers' errors.
result<std::vector<group_listing>> list_consumer_groups(client_context* ctx, rd_kafka_t* rk,
                                                        const std::vector<std::string>& states,
                                                        std::string* incomplete) {
    queue_ptr q(rd_kafka_queue_new(rk));
    auto opts = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    if (!states.empty()) {
        std::vector<rd_kafka_consumer_group_state_t> codes;
        for (const auto& s : states)
            codes.push_back(rd_kafka_consumer_group_state_code(s.c_str()));
        if (rd_kafka_error_t* e = rd_kafka_AdminOptions_set_match_consumer_group_states(
                opts.get(), codes.data(), codes.size())) {
            std::string msg = error_text(e);
            rd_kafka_error_destroy(e);
            return failed("--state: " + msg);
        }
    }
    rd_kafka_ListConsumerGroups(rk, opts.get(), q.get());
    auto ev = wait_admin_result(ctx, rk, q.get(), RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
    SPATE_TRY(ev);
    const rd_kafka_ListConsumerGroups_result_t* res =
        rd_kafka_event_ListConsumerGroups_result(ev->get());
    size_t n = 0;
    const rd_kafka_ConsumerGroupListing_t** valid =
        rd_kafka_ListConsumerGroups_result_valid(res, &n);
    std::vector<group_listing> out;
    for (size_t i = 0; i < n; ++i) {
        group_listing g;
        g.group = rd_kafka_ConsumerGroupListing_group_id(valid[i]);
        g.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i]));
        // librdkafka lists only groups of protocol type "consumer" and simple
        // (offsets-only, empty protocol type) groups.
        if (!rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]))
            g.protocol_type = "consumer";
        out.push_back(std::move(g));
    }
    size_t ne = 0;
    const rd_kafka_error_t** errs = rd_kafka_ListConsumerGroups_result_errors(res, &ne);
    for (size_t i = 0; i < ne; ++i)
        *incomplete += (i ? "; " : "") + error_text(errs[i]);
    return out;
}

// The pre-KIP-518 listing: ListGroups v0 and DescribeGroups on every broker.
// Used when ListConsumerGroups fails: librdkafka 2.0.2 appends a stray byte
// to ListGroups v4 requests, which brokers that decode strictly reject.
result<std::vector<group_listing>> list_groups_v0(rd_kafka_t* rk, std::string* incomplete) {
    const rd_kafka_group_list* list = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_list_groups(rk, nullptr, &list, k_admin_timeout_ms);
    if (err && err != RD_KAFKA_RESP_ERR__PARTIAL)
        return failed("ListGroups: " + err_text(err, nullptr));
    if (err == RD_KAFKA_RESP_ERR__PARTIAL) *incomplete = "not every broker answered ListGroups";
    std::vector<group_listing> out;
    for (int i = 0; list && i < list->group_cnt; ++i) {
        const rd_kafka_group_info& gi = list->groups[i];
        std::string type = gi.protocol_type ? gi.protocol_type : "";
        if (!type.empty() && type != "consumer") continue;  // as ListConsumerGroups
        group_listing g;
        g.group = gi.group;
        if (gi.err) {
            g.state = rd_kafka_err2name(gi.err);
        } else if (gi.state) {
            g.state =
                rd_kafka_consumer_group_state_name(rd_kafka_consumer_group_state_code(gi.state));
        }
        g.protocol_type = type;
        out.push_back(std::move(g));
    }
    if (list) rd_kafka_group_list_destroy(list);
    return out;
}

status group_list(const group_list_args& a) {
    client_context ctx;
    auto rk = make_group_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    std::string incomplete;
    auto groups = list_consumer_groups(&ctx, rk->get(), a.states, &incomplete);
    SPATE_TRY(groups);
    if (!incomplete.empty()) {
        std::string v0_incomplete;
        auto v0 = list_groups_v0(rk->get(), &v0_incomplete);
        if (v0.ok() && v0_incomplete.empty()) {
            groups = std::move(v0);
            incomplete.clear();
        }
    }
    std::vector<group_listing> shown;
    for (auto& g : *groups) {
        bool wanted = a.states.empty();
        for (const auto& s : a.states)
            wanted = wanted || s == g.state;
        if (wanted) shown.push_back(std::move(g));
    }
    std::fputs(format_group_list(std::move(shown)).c_str(), stdout);
    if (!incomplete.empty()) return failed("the list may be incomplete: " + incomplete);
    return {};
}

// ---- describe ----

status group_describe(const group_describe_args& a) {
    client_context ctx;
    auto rk = make_group_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    auto g = describe_group(&ctx, rk->get(), a.group);
    SPATE_TRY(g);
    auto committed = committed_offsets(&ctx, rk->get(), a.group);
    SPATE_TRY(committed);
    if (g->state == "Dead" && g->members.empty() && committed->empty()) {
        return make_error(errc::not_found, "group '" + a.group + "' does not exist");
    }
    if (a.members) {
        std::fputs(format_group_members(*g).c_str(), stdout);
        return {};
    }
    std::set<topic_partition_key> parts;
    for (const auto& m : g->members)
        parts.insert(m.assignment.begin(), m.assignment.end());
    for (const auto& [tp, o] : *committed)
        parts.insert(tp);
    // A topic whose log ends cannot be read (e.g. deleted since the commit)
    // shows "-" rather than failing the whole view.
    offset_map log_end;
    for (const auto& [topic, ids] : by_topic(parts)) {
        auto ends = list_offsets(rk->get(), topic, ids, k_latest);
        if (!ends.ok()) {
            std::fprintf(stderr, "spate group describe: warning: %s\n", ends.err().message.c_str());
            continue;
        }
        for (const auto& [tp, o] : *ends)
            if (o >= 0) log_end[tp] = o;
    }
    auto rows = build_lag_rows(g->members, *committed, log_end);
    std::fputs(format_group_offsets(*g, rows).c_str(), stdout);
    return {};
}

// ---- reset-offsets ----

// The partitions `a` names, checked against the topics' metadata.
result<std::set<topic_partition_key>> reset_partitions(client_context* ctx, rd_kafka_t* rk,
                                                       const group_reset_args& a) {
    std::set<topic_partition_key> out;
    if (a.all_topics) {
        auto committed = committed_offsets(ctx, rk, a.group);
        SPATE_TRY(committed);
        if (committed->empty()) {
            return make_error(
                errc::not_found,
                "group '" + a.group + "' has no committed offsets; name partitions with --topic");
        }
        for (const auto& [tp, o] : *committed)
            out.insert(tp);
        return out;
    }
    for (const auto& sel : a.topics) {
        auto md = fetch_metadata(ctx, rk, sel.topic);
        SPATE_TRY(md);
        const rd_kafka_metadata_topic_t& mt = (*md)->topics[0];
        std::set<int32_t> existing;
        for (int i = 0; i < mt.partition_cnt; ++i)
            existing.insert(mt.partitions[i].id);
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

status commit_plan(client_context* ctx, rd_kafka_t* rk, const std::string& group,
                   const std::vector<planned_offset>& plan) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(plan.size())));
    for (const auto& p : plan)
        rd_kafka_topic_partition_list_add(l.get(), p.topic.c_str(), p.partition)->offset =
            p.new_offset;
    rd_kafka_AlterConsumerGroupOffsets_t* req =
        rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), l.get());
    queue_ptr q(rd_kafka_queue_new(rk));
    auto opts = admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, opts.get(), q.get());
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    auto ev = wait_admin_result(ctx, rk, q.get(), RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT);
    if (!ev.ok()) return failed("OffsetCommit: " + ev.err().message);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get()), &n);
    std::string errors;
    bool active = false;
    auto note = [&](const std::string& what, rd_kafka_resp_err_t err, const char* msg) {
        if (!errors.empty()) errors += "; ";
        errors += what + ": " + err_text(err, msg);
        active = active || active_group_error(err);
    };
    for (size_t i = 0; i < n; ++i) {
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i])) {
            note("group", rd_kafka_error_code(e), rd_kafka_error_string(e));
        }
        const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
        // Every partition of a group-level refusal carries the same error: name it once.
        std::map<rd_kafka_resp_err_t, std::vector<std::string>> failed_parts;
        for (int j = 0; parts && j < parts->cnt; ++j) {
            if (parts->elems[j].err)
                failed_parts[parts->elems[j].err].push_back(
                    tp_name(parts->elems[j].topic, parts->elems[j].partition));
        }
        for (const auto& [err, names] : failed_parts) {
            std::string what = names[0];
            if (names.size() > 1)
                what += " and " + std::to_string(names.size() - 1) + " other partition(s)";
            note(what, err, nullptr);
        }
    }
    if (errors.empty()) return {};
    std::string msg = "group '" + group + "' rejected the new offsets: " + errors;
    if (active) msg += " (the group has active members; stop its consumers first)";
    return failed(msg);
}

status group_reset(const group_reset_args& a) {
    client_context ctx;
    auto rk = make_group_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    auto parts = reset_partitions(&ctx, rk->get(), a);
    SPATE_TRY(parts);
    std::vector<planned_offset> plan;
    for (const auto& [topic, ids] : by_topic(*parts)) {
        auto start = list_offsets(rk->get(), topic, ids, k_earliest);
        SPATE_TRY(start);
        auto end = list_offsets(rk->get(), topic, ids, k_latest);
        SPATE_TRY(end);
        offset_map found;
        if (a.target == reset_target::datetime) {
            auto at = list_offsets(rk->get(), topic, ids, a.value);
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
    if (!a.dry_run) SPATE_TRY(commit_plan(&ctx, rk->get(), a.group, plan));
    std::fputs(format_reset_plan(std::move(plan)).c_str(), stdout);
    if (a.dry_run) {
        std::fprintf(stderr, "spate group reset-offsets: dry run: group '%s' not changed\n",
                     a.group.c_str());
    }
    return {};
}

// ---- delete ----

status group_delete(const group_delete_args& a) {
    client_context ctx;
    auto rk = make_group_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    std::vector<rd_kafka_DeleteGroup_t*> req;
    for (const auto& g : a.groups)
        req.push_back(rd_kafka_DeleteGroup_new(g.c_str()));
    queue_ptr q(rd_kafka_queue_new(rk->get()));
    auto opts = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(rk->get(), req.data(), req.size(), opts.get(), q.get());
    rd_kafka_DeleteGroup_destroy_array(req.data(), req.size());
    auto ev = wait_admin_result(&ctx, rk->get(), q.get(), RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    SPATE_TRY(ev);
    size_t n = 0;
    const rd_kafka_group_result_t** res =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev->get()), &n);
    std::map<std::string, std::string> outcome;
    size_t failures = 0;
    for (size_t i = 0; i < n; ++i) {
        const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i]);
        outcome[rd_kafka_group_result_name(res[i])] = e ? error_text(e) : "deleted";
        failures += e ? 1 : 0;
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

}  // namespace

const char* group_usage_text() {
    return "  group list [--state S]...\n"
           "  group describe GROUP [--members]\n"
           "  group reset-offsets GROUP (--topic T[:P,...]... | --all-topics)\n"
           "                (--to-earliest | --to-latest | --to-offset N | --to-datetime TS)\n"
           "                [--dry-run]  (TS: 2026-11-23T10:00:00Z, ...+01:00 or epoch ms)\n"
           "  group delete GROUP...\n";
}

int run_group(const std::vector<std::string>& args) {
    if (args.empty()) {
        std::fprintf(stderr,
                     "spate group: missing sub-command (list, describe, reset-offsets, delete)\n");
        return 2;
    }
    const std::string& sub = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "list") return run_parsed("group list", parse_group_list(rest), group_list);
    if (sub == "describe") {
        return run_parsed("group describe", parse_group_describe(rest), group_describe);
    }
    if (sub == "reset-offsets") {
        return run_parsed("group reset-offsets", parse_group_reset(rest), group_reset);
    }
    if (sub == "delete") return run_parsed("group delete", parse_group_delete(rest), group_delete);
    std::fprintf(stderr, "spate group: unknown sub-command '%s'\n", sub.c_str());
    return 2;
}

}  // namespace spate::cli
