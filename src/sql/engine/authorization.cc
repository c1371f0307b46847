#include "sql/engine/authorization.h"

#include <algorithm>
#include <set>

namespace spate::sql {

namespace {

void collect_scans(const plan_ptr& p, std::vector<std::string>& out) {
    if (!p) return;
    if (p->kind == plan_kind::scan &&
        std::find(out.begin(), out.end(), p->relation.name) == out.end())
        out.push_back(p->relation.name);
    for (const auto& in : p->inputs)
        collect_scans(in, out);
    for (const auto& sq : p->subqueries)
        collect_scans(sq.plan, out);
}

void collect_topics(const std::string& relation, const catalog& cat, std::set<std::string>& topics,
                    std::set<std::string>& seen) {
    if (!seen.insert(relation).second) return;
    auto o = cat.find(relation);
    if (!o) return;
    if (o->kind == catalog_kind::source) {
        topics.insert(o->relation.topic);
        return;
    }
    for (const auto& d : o->depends_on)
        collect_topics(d, cat, topics, seen);
}

}  // namespace

const char* topic_access_name(topic_access a) {
    switch (a) {
        case topic_access::read:
            return "READ";
        case topic_access::write:
            return "WRITE";
        case topic_access::create:
            return "CREATE";
    }
    return "READ";
}

std::vector<std::string> scanned_relations(const plan_ptr& plan) {
    std::vector<std::string> out;
    collect_scans(plan, out);
    return out;
}

std::vector<std::string> source_topics(const std::vector<std::string>& relations,
                                       const catalog& cat) {
    std::set<std::string> topics, seen;
    for (const auto& r : relations)
        collect_topics(r, cat, topics, seen);
    return {topics.begin(), topics.end()};
}

sql_error permission_denied(const std::string& topic, topic_access access) {
    sql_error e = make_error(sql_errc::insufficient_privilege,
                             "permission denied for topic \"" + topic + "\"");
    e.detail = std::string(topic_access_name(access)) + " on topic " + topic + " is required.";
    if (access == topic_access::create)
        e.detail =
            "The topic does not exist; creating it requires CREATE on the cluster or on "
            "topic " +
            topic + ".";
    return e;
}

sql_status authorize_topic(access_policy* policy, const access_subject& who,
                           const std::string& topic, topic_access access,
                           std::string_view statement) {
    if (!policy || policy->allows(who, access, topic, statement, true)) return {};
    return permission_denied(topic, access);
}

sql_status authorize_reads(access_policy* policy, const access_subject& who,
                           const std::vector<std::string>& relations, const catalog& cat,
                           std::string_view statement) {
    if (!policy) return {};
    for (const auto& t : source_topics(relations, cat))
        if (auto s = authorize_topic(policy, who, t, topic_access::read, statement); !s.ok())
            return s;
    return {};
}

}  // namespace spate::sql
