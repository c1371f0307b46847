#include <librdkafka/rdkafka.h>

#include "kafka/client/admin.h"
#include "kafka/client/admin_impl.h"
#include "kafka/client/error.h"

namespace spate::kafka::client {

using namespace detail;

namespace {

// The first failed entry of a topic result array, naming the topic.
status topic_results(const rd_kafka_topic_result_t** res, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_topic_result_error(res[i])) {
            std::string detail = rd_kafka_topic_result_error_string(res[i])
                                     ? rd_kafka_topic_result_error_string(res[i])
                                     : "";
            error e = rd_error(err, detail.c_str());
            e.message =
                "topic '" + std::string(rd_kafka_topic_result_name(res[i])) + "': " + e.message;
            return e;
        }
    }
    return {};
}

rd_kafka_ResourceType_t rd_resource(resource_type t) {
    return t == resource_type::topic ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_BROKER;
}

config_source to_source(rd_kafka_ConfigSource_t s) {
    switch (s) {
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG:
            return config_source::dynamic_topic;
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG:
            return config_source::dynamic_broker;
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG:
            return config_source::default_broker;
        case RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG:
            return config_source::static_broker;
        case RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG:
            return config_source::default_config;
        case RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG:
            return config_source::unknown;
        default:
            return config_source::other;
    }
}

// The first failed resource of a config result array, naming it.
status resource_errors(const char* what, const rd_kafka_ConfigResource_t** res, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_ConfigResource_error(res[i])) {
            error e = rd_error(err, rd_kafka_ConfigResource_error_string(res[i]));
            e.message = std::string(what) + " of '" + rd_kafka_ConfigResource_name(res[i]) +
                        "': " + e.message;
            return e;
        }
    }
    return {};
}

}  // namespace

std::string tp_text(const std::string& topic, int32_t partition) {
    return topic + "/" + std::to_string(partition);
}

topic_metadata to_topic_metadata(const rd_kafka_metadata_topic_t& t) {
    topic_metadata out;
    out.name = t.topic;
    if (t.err) out.error = rd_error(t.err);
    for (int i = 0; i < t.partition_cnt; ++i) {
        const auto& mp = t.partitions[i];
        partition_metadata p;
        p.id = mp.id;
        p.leader = mp.leader;
        p.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
        p.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
        if (mp.err) p.error = rd_error(mp.err);
        out.partitions.push_back(std::move(p));
    }
    return out;
}

result<admin> admin::connect(const client_config& config) {
    auto p = std::make_unique<impl>();
    p->conn.bootstrap = config.bootstrap;
    p->timeout_ms = config.timeout_ms;
    // Log ends are high watermarks, as a read_uncommitted consumer sees them.
    client_config c = config;
    c.properties.insert(c.properties.begin(), {"isolation.level", "read_uncommitted"});
    auto conf = make_conf(base_properties(c));
    SPATE_TRY(conf);
    auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf), p.get());
    SPATE_TRY(rk);
    p->rk = std::move(*rk);
    return admin(std::move(p));
}

admin::admin(std::unique_ptr<impl> p) : _impl(std::move(p)) {}
admin::admin(admin&&) noexcept = default;
admin& admin::operator=(admin&&) noexcept = default;
admin::~admin() = default;

result<cluster_metadata> admin::metadata() {
    auto md = _impl->metadata("");
    SPATE_TRY(md);
    cluster_metadata out;
    for (int i = 0; i < (*md)->broker_cnt; ++i) {
        const auto& b = (*md)->brokers[i];
        out.brokers.push_back({b.id, b.host, b.port});
    }
    for (int i = 0; i < (*md)->topic_cnt; ++i)
        out.topics.push_back(to_topic_metadata((*md)->topics[i]));
    return out;
}

result<topic_metadata> admin::topic(const std::string& topic) {
    auto md = _impl->metadata(topic);
    SPATE_TRY(md);
    return to_topic_metadata((*md)->topics[0]);
}

status admin::create_topic(const new_topic& t) {
    char errstr[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                    t.replication_factor, errstr, sizeof errstr);
    if (nt == nullptr) return make_error(errc::invalid_argument, errstr);
    for (const auto& [k, v] : t.configs) {
        if (auto err = rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str())) {
            rd_kafka_NewTopic_destroy(nt);
            return rd_error(err, ("config " + k).c_str());
        }
    }
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_CREATETOPICS, RD_KAFKA_EVENT_CREATETOPICS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_CreateTopics(_impl->rk.get(), &nt, 1, o, q);
                             });
    rd_kafka_NewTopic_destroy(nt);
    SPATE_TRY(ev);
    size_t n = 0;
    auto** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev->get()), &n);
    return topic_results(res, n);
}

status admin::delete_topic(const std::string& name) {
    rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(name.c_str());
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_DELETETOPICS, RD_KAFKA_EVENT_DELETETOPICS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_DeleteTopics(_impl->rk.get(), &dt, 1, o, q);
                             });
    rd_kafka_DeleteTopic_destroy(dt);
    SPATE_TRY(ev);
    size_t n = 0;
    auto** res =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev->get()), &n);
    return topic_results(res, n);
}

status admin::create_partitions(const std::string& topic, int32_t total) {
    char errstr[512];
    rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(
        topic.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
    if (np == nullptr) return make_error(errc::invalid_argument, errstr);
    auto ev =
        _impl->request(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT,
                       [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                           rd_kafka_CreatePartitions(_impl->rk.get(), &np, 1, o, q);
                       });
    rd_kafka_NewPartitions_destroy(np);
    SPATE_TRY(ev);
    size_t n = 0;
    auto** res = rd_kafka_CreatePartitions_result_topics(
        rd_kafka_event_CreatePartitions_result(ev->get()), &n);
    return topic_results(res, n);
}

result<std::vector<config_entry>> admin::describe_configs(resource_type type,
                                                          const std::string& name) {
    rd_kafka_ConfigResource_t* cr = rd_kafka_ConfigResource_new(rd_resource(type), name.c_str());
    auto ev =
        _impl->request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT,
                       [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                           rd_kafka_DescribeConfigs(_impl->rk.get(), &cr, 1, o, q);
                       });
    rd_kafka_ConfigResource_destroy(cr);
    if (!ev.ok()) return make_error(ev.err().code, "DescribeConfigs: " + ev.err().message);
    size_t n = 0;
    auto** res = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(ev->get()), &n);
    SPATE_TRY(resource_errors("DescribeConfigs", res, n));
    std::vector<config_entry> out;
    for (size_t i = 0; i < n; ++i) {
        size_t cnt = 0;
        const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[i], &cnt);
        for (size_t j = 0; j < cnt; ++j) {
            config_entry c;
            c.name = rd_kafka_ConfigEntry_name(entries[j]);
            if (const char* v = rd_kafka_ConfigEntry_value(entries[j])) c.value = v;
            c.is_default = rd_kafka_ConfigEntry_is_default(entries[j]);
            c.read_only = rd_kafka_ConfigEntry_is_read_only(entries[j]);
            c.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[j]);
            c.source = to_source(rd_kafka_ConfigEntry_source(entries[j]));
            out.push_back(std::move(c));
        }
    }
    return out;
}

status admin::alter_configs(resource_type type, const std::string& name,
                            const property_list& configs) {
    rd_kafka_ConfigResource_t* cr = rd_kafka_ConfigResource_new(rd_resource(type), name.c_str());
    for (const auto& [k, v] : configs) {
        if (auto err = rd_kafka_ConfigResource_set_config(cr, k.c_str(), v.c_str())) {
            rd_kafka_ConfigResource_destroy(cr);
            return rd_error(err, ("config " + k).c_str());
        }
    }
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_AlterConfigs(_impl->rk.get(), &cr, 1, o, q);
                             });
    rd_kafka_ConfigResource_destroy(cr);
    if (!ev.ok()) return make_error(ev.err().code, "AlterConfigs: " + ev.err().message);
    size_t n = 0;
    auto** res =
        rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev->get()), &n);
    return resource_errors("AlterConfigs", res, n);
}

result<std::vector<partition_result>> admin::delete_records(
    const std::vector<partition_offset>& to) {
    tpl_ptr parts(rd_kafka_topic_partition_list_new(static_cast<int>(to.size())));
    for (const auto& p : to) {
        rd_kafka_topic_partition_list_add(parts.get(), p.topic.c_str(), p.partition)->offset =
            p.offset < 0 ? RD_KAFKA_OFFSET_END : p.offset;
    }
    rd_kafka_DeleteRecords_t* dr = rd_kafka_DeleteRecords_new(parts.get());
    auto ev = _impl->request(RD_KAFKA_ADMIN_OP_DELETERECORDS, RD_KAFKA_EVENT_DELETERECORDS_RESULT,
                             [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                 rd_kafka_DeleteRecords(_impl->rk.get(), &dr, 1, o, q);
                             });
    rd_kafka_DeleteRecords_destroy(dr);
    SPATE_TRY(ev);
    const rd_kafka_topic_partition_list_t* res =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev->get()));
    std::vector<partition_result> out;
    for (int i = 0; res && i < res->cnt; ++i) {
        const auto& e = res->elems[i];
        partition_result r{e.topic, e.partition, e.offset, {}};
        if (e.err) r.result = rd_error(e.err, ("partition " + std::to_string(e.partition)).c_str());
        out.push_back(std::move(r));
    }
    return out;
}

result<offset_map> admin::list_offsets(const std::vector<topic_partition>& partitions,
                                       int64_t timestamp) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (const auto& tp : partitions)
        rd_kafka_topic_partition_list_add(l.get(), tp.topic.c_str(), tp.partition)->offset =
            timestamp;
    if (auto err = rd_kafka_offsets_for_times(_impl->rk.get(), l.get(), _impl->timeout_ms)) {
        error e = rd_error(err);
        e.message = "ListOffsets: " + e.message;
        return e;
    }
    offset_map out;
    for (int i = 0; i < l->cnt; ++i) {
        const auto& p = l->elems[i];
        if (p.err) {
            error e = rd_error(p.err);
            e.message = "ListOffsets of " + tp_text(p.topic, p.partition) + ": " + e.message;
            return e;
        }
        out[{p.topic, p.partition}] = p.offset;
    }
    return out;
}

}  // namespace spate::kafka::client
