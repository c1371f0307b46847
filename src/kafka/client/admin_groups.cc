#include <librdkafka/rdkafka.h>

#include <map>

#include "kafka/client/admin.h"
#include "kafka/client/admin_impl.h"
#include "kafka/client/error.h"

namespace spate::kafka::client {

using namespace detail;

namespace {

error with_context(const std::string& context, error e) {
    e.message = context + ": " + e.message;
    return e;
}

// ListConsumerGroups (ListGroups v4 with a state filter); brokers' errors
// go to `incomplete`.
result<std::vector<group_listing>> list_consumer_groups(admin::impl& a,
                                                        const std::vector<std::string>& states,
                                                        std::string* incomplete) {
    std::vector<rd_kafka_consumer_group_state_t> codes;
    for (const auto& s : states)
        codes.push_back(rd_kafka_consumer_group_state_code(s.c_str()));
    auto ev = a.request(
        RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT,
        [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) -> status {
            if (!codes.empty()) {
                if (rd_kafka_error_t* e = rd_kafka_AdminOptions_set_match_consumer_group_states(
                        o, codes.data(), codes.size())) {
                    error filter = with_context("state filter", rd_error(e));
                    rd_kafka_error_destroy(e);
                    return filter;
                }
            }
            rd_kafka_ListConsumerGroups(a.rk.get(), o, q);
            return {};
        });
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
        *incomplete += (i ? "; " : "") + rd_error(errs[i]).message;
    return out;
}

// The pre-KIP-518 listing: ListGroups v0 and DescribeGroups on every broker.
result<std::vector<group_listing>> list_groups_v0(admin::impl& a, std::string* incomplete) {
    const rd_kafka_group_list* list = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_list_groups(a.rk.get(), nullptr, &list, a.timeout_ms);
    if (err && err != RD_KAFKA_RESP_ERR__PARTIAL) return with_context("ListGroups", rd_error(err));
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

// OffsetFetch of `group` for `partitions` (null: every partition).
result<offset_map> fetch_committed(admin::impl& a, const std::string& group,
                                   const rd_kafka_topic_partition_list_t* partitions) {
    rd_kafka_ListConsumerGroupOffsets_t* req =
        rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), partitions);
    auto ev = a.request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
                        RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT,
                        [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                            rd_kafka_ListConsumerGroupOffsets(a.rk.get(), &req, 1, o, q);
                        });
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    if (!ev.ok()) return with_context("OffsetFetch", ev.err());
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev->get()), &n);
    offset_map out;
    for (size_t i = 0; i < n; ++i) {
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i]))
            return with_context("OffsetFetch of group '" + group + "'", rd_error(e));
        const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
        for (int j = 0; parts && j < parts->cnt; ++j) {
            const auto& p = parts->elems[j];
            if (p.err)
                return with_context("OffsetFetch of " + tp_text(p.topic, p.partition),
                                    rd_error(p.err));
            if (p.offset >= 0) out[{p.topic, p.partition}] = p.offset;
        }
    }
    return out;
}

}  // namespace

result<group_list_result> admin::list_groups(const std::vector<std::string>& states) {
    group_list_result out;
    auto groups = list_consumer_groups(*_impl, states, &out.incomplete);
    SPATE_TRY(groups);
    // librdkafka 2.0.2 appends a stray byte to ListGroups v4 requests, which
    // brokers that decode strictly reject: then the v0 listing.
    if (!out.incomplete.empty()) {
        std::string v0_incomplete;
        auto v0 = list_groups_v0(*_impl, &v0_incomplete);
        if (v0.ok() && v0_incomplete.empty()) {
            groups = std::move(v0);
            out.incomplete.clear();
        }
    }
    for (auto& g : *groups) {
        bool wanted = states.empty();
        for (const auto& s : states)
            wanted = wanted || s == g.state;
        if (wanted) out.groups.push_back(std::move(g));
    }
    return out;
}

result<group_description> admin::describe_group(const std::string& group) {
    const char* names[] = {group.c_str()};
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
                             RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_DescribeConsumerGroups(_impl->rk.get(), names, 1, o, q);
                             });
    if (!ev.ok()) return with_context("DescribeGroups", ev.err());
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev->get()), &n);
    if (n != 1)
        return make_error(errc::io_error,
                          "DescribeGroups returned " + std::to_string(n) + " groups");
    const rd_kafka_ConsumerGroupDescription_t* d = groups[0];
    if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d))
        return with_context("group '" + group + "'", rd_error(e));
    group_description g;
    g.group = group;
    g.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
    if (const char* assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d))
        g.assignor = assignor;
    if (const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(d))
        g.coordinator =
            broker_node{rd_kafka_Node_id(node), rd_kafka_Node_host(node), rd_kafka_Node_port(node)};
    size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
    for (size_t i = 0; i < members; ++i) {
        const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
        group_member_description gm;
        if (const char* s = rd_kafka_MemberDescription_consumer_id(m)) gm.member_id = s;
        if (const char* s = rd_kafka_MemberDescription_client_id(m)) gm.client_id = s;
        if (const char* s = rd_kafka_MemberDescription_host(m)) gm.host = s;
        const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(m);
        const rd_kafka_topic_partition_list_t* parts =
            a ? rd_kafka_MemberAssignment_partitions(a) : nullptr;
        for (int j = 0; parts && j < parts->cnt; ++j)
            gm.assignment.push_back({parts->elems[j].topic, parts->elems[j].partition});
        g.members.push_back(std::move(gm));
    }
    return g;
}

result<std::vector<group_result>> admin::delete_groups(const std::vector<std::string>& groups) {
    std::vector<rd_kafka_DeleteGroup_t*> req;
    for (const auto& g : groups)
        req.push_back(rd_kafka_DeleteGroup_new(g.c_str()));
    auto ev =
        _impl->request(RD_KAFKA_ADMIN_OP_DELETEGROUPS, RD_KAFKA_EVENT_DELETEGROUPS_RESULT,
                       [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                           rd_kafka_DeleteGroups(_impl->rk.get(), req.data(), req.size(), o, q);
                       });
    rd_kafka_DeleteGroup_destroy_array(req.data(), req.size());
    SPATE_TRY(ev);
    size_t n = 0;
    const rd_kafka_group_result_t** res =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev->get()), &n);
    std::vector<group_result> out;
    for (size_t i = 0; i < n; ++i) {
        group_result r{rd_kafka_group_result_name(res[i]), {}};
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i])) r.result = rd_error(e);
        out.push_back(std::move(r));
    }
    return out;
}

result<offset_map> admin::list_group_offsets(const std::string& group,
                                             const std::vector<topic_partition>& partitions) {
    if (!partitions.empty()) {
        tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
        for (const auto& tp : partitions)
            rd_kafka_topic_partition_list_add(l.get(), tp.topic.c_str(), tp.partition);
        return fetch_committed(*_impl, group, l.get());
    }
    // librdkafka 2.0.2 pads its all-partitions OffsetFetch (v7, null topics)
    // with stray bytes that brokers decoding strictly reject by closing the
    // connection; then the partitions of every topic in the cluster are asked
    // for instead, which misses offsets of deleted topics only.
    auto all = fetch_committed(*_impl, group, nullptr);
    if (all.ok() || all.err().message.find("_TRANSPORT") == std::string::npos) return all;
    auto md = _impl->metadata("");
    SPATE_TRY(md);
    tpl_ptr parts(rd_kafka_topic_partition_list_new(0));
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t& t = (*md)->topics[i];
        if (t.err || std::string(t.topic).starts_with("__")) continue;
        for (int j = 0; j < t.partition_cnt; ++j)
            rd_kafka_topic_partition_list_add(parts.get(), t.topic, t.partitions[j].id);
    }
    if (parts->cnt == 0) return offset_map();
    return fetch_committed(*_impl, group, parts.get());
}

result<std::vector<partition_result>> admin::alter_group_offsets(
    const std::string& group, const std::vector<partition_offset>& offsets) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& p : offsets)
        rd_kafka_topic_partition_list_add(l.get(), p.topic.c_str(), p.partition)->offset = p.offset;
    rd_kafka_AlterConsumerGroupOffsets_t* req =
        rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), l.get());
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
                             RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_AlterConsumerGroupOffsets(_impl->rk.get(), &req, 1, o, q);
                             });
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    if (!ev.ok()) return with_context("OffsetCommit", ev.err());
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get()), &n);
    std::vector<partition_result> out;
    for (size_t i = 0; i < n; ++i) {
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i]))
            return with_context("group '" + group + "'", rd_error(e));
        const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
        for (int j = 0; parts && j < parts->cnt; ++j) {
            const auto& p = parts->elems[j];
            partition_result r{p.topic, p.partition, p.offset, {}};
            if (p.err) r.result = rd_error(p.err);
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace spate::kafka::client
