#include <librdkafka/rdkafka.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/format.h"
#include "cli/group.h"
#include "cli/txn.h"

namespace spate::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) {
    g_stop = 1;
}

// ---- topic create / delete ----

status topic_create(const topic_create_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    char errstr[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(a.name.c_str(), a.partitions,
                                                    a.replication_factor, errstr, sizeof errstr);
    if (nt == nullptr) return make_error(errc::invalid_argument, errstr);
    for (const auto& [k, v] : a.configs) {
        if (auto err = rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str())) {
            rd_kafka_NewTopic_destroy(nt);
            return failed("config " + k + ": " + err_text(err, nullptr));
        }
    }
    queue_ptr q(rd_kafka_queue_new(rk->get()));
    auto opts = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(rk->get(), &nt, 1, opts.get(), q.get());
    rd_kafka_NewTopic_destroy(nt);
    auto ev = wait_admin_result(&ctx, rk->get(), q.get(), RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    SPATE_TRY(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev->get()), &n);
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_topic_result_error(res[i])) {
            return failed("topic '" + a.name +
                          "': " + err_text(err, rd_kafka_topic_result_error_string(res[i])));
        }
    }
    return {};
}

status topic_delete(const topic_name_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(a.name.c_str());
    queue_ptr q(rd_kafka_queue_new(rk->get()));
    auto opts = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_DeleteTopics(rk->get(), &dt, 1, opts.get(), q.get());
    rd_kafka_DeleteTopic_destroy(dt);
    auto ev = wait_admin_result(&ctx, rk->get(), q.get(), RD_KAFKA_EVENT_DELETETOPICS_RESULT);
    SPATE_TRY(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev->get()), &n);
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_topic_result_error(res[i])) {
            return failed("topic '" + a.name +
                          "': " + err_text(err, rd_kafka_topic_result_error_string(res[i])));
        }
    }
    return {};
}

// ---- topic list / describe ----

status topic_list(const topic_name_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    auto md = fetch_metadata(&ctx, rk->get(), "");
    SPATE_TRY(md);
    std::vector<std::string> names;
    for (int i = 0; i < (*md)->topic_cnt; ++i)
        names.emplace_back((*md)->topics[i].topic);
    std::fputs(format_topic_list(std::move(names)).c_str(), stdout);
    return {};
}

// The topic's configs as DescribeConfigs reports them.
result<std::vector<config_description>> describe_configs(
    client_context* ctx, rd_kafka_t* rk, const std::string& topic,
    std::vector<std::pair<std::string, std::string>>* overrides) {
    rd_kafka_ConfigResource_t* cr =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    queue_ptr q(rd_kafka_queue_new(rk));
    auto opts = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_DescribeConfigs(rk, &cr, 1, opts.get(), q.get());
    rd_kafka_ConfigResource_destroy(cr);
    auto ev = wait_admin_result(ctx, rk, q.get(), RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    if (!ev.ok()) return failed("DescribeConfigs: " + ev.err().message);
    size_t n = 0;
    const rd_kafka_ConfigResource_t** res = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(ev->get()), &n);
    std::vector<config_description> out;
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_ConfigResource_error(res[i])) {
            return failed("DescribeConfigs of topic '" + topic +
                          "': " + err_text(err, rd_kafka_ConfigResource_error_string(res[i])));
        }
        size_t cnt = 0;
        const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[i], &cnt);
        for (size_t j = 0; j < cnt; ++j) {
            config_description c;
            c.name = rd_kafka_ConfigEntry_name(entries[j]);
            if (const char* v = rd_kafka_ConfigEntry_value(entries[j])) c.value = v;
            c.is_default = rd_kafka_ConfigEntry_is_default(entries[j]);
            c.read_only = rd_kafka_ConfigEntry_is_read_only(entries[j]);
            c.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[j]);
            if (overrides &&
                rd_kafka_ConfigEntry_source(entries[j]) ==
                    RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG &&
                c.value) {
                overrides->emplace_back(c.name, *c.value);
            }
            out.push_back(std::move(c));
        }
    }
    return out;
}

status topic_describe(const topic_name_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    auto md = fetch_metadata(&ctx, rk->get(), a.name);
    SPATE_TRY(md);
    topic_description t;
    t.name = a.name;
    const rd_kafka_metadata_topic_t& mt = (*md)->topics[0];
    for (int i = 0; i < mt.partition_cnt; ++i) {
        const auto& mp = mt.partitions[i];
        partition_description p;
        p.id = mp.id;
        p.leader = mp.leader;
        p.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
        p.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
        if (mp.err) p.error = rd_kafka_err2name(mp.err);
        t.partitions.push_back(std::move(p));
    }
    auto configs = describe_configs(&ctx, rk->get(), a.name, nullptr);
    SPATE_TRY(configs);
    t.configs = std::move(*configs);
    std::fputs(format_topic_description(t).c_str(), stdout);
    return {};
}

// ---- topic alter-config ----
// librdkafka 2.0.2 has no IncrementalAlterConfigs (added in 2.2), so this reads
// the current overrides with DescribeConfigs and sends the merged full set
// with AlterConfigs. Not atomic against a concurrent alteration.
status topic_alter_config(const topic_alter_config_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    std::vector<std::pair<std::string, std::string>> current;
    auto described = describe_configs(&ctx, rk->get(), a.name, &current);
    SPATE_TRY(described);
    auto merged = merge_config_overrides(std::move(current), a.set, a.remove);
    rd_kafka_ConfigResource_t* cr =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, a.name.c_str());
    for (const auto& [k, v] : merged) {
        if (auto err = rd_kafka_ConfigResource_set_config(cr, k.c_str(), v.c_str())) {
            rd_kafka_ConfigResource_destroy(cr);
            return failed("config " + k + ": " + err_text(err, nullptr));
        }
    }
    queue_ptr q(rd_kafka_queue_new(rk->get()));
    auto opts = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    rd_kafka_AlterConfigs(rk->get(), &cr, 1, opts.get(), q.get());
    rd_kafka_ConfigResource_destroy(cr);
    auto ev = wait_admin_result(&ctx, rk->get(), q.get(), RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
    if (!ev.ok()) return failed("AlterConfigs: " + ev.err().message);
    size_t n = 0;
    const rd_kafka_ConfigResource_t** res =
        rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev->get()), &n);
    for (size_t i = 0; i < n; ++i) {
        if (auto err = rd_kafka_ConfigResource_error(res[i])) {
            return failed("AlterConfigs of topic '" + a.name +
                          "': " + err_text(err, rd_kafka_ConfigResource_error_string(res[i])));
        }
    }
    return {};
}

// ---- topic delete-records ----

status topic_delete_records(const topic_delete_records_args& a) {
    client_context ctx;
    auto rk = make_admin(a.bootstrap, &ctx);
    SPATE_TRY(rk);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, a.name.c_str(), a.partition)->offset =
        a.before < 0 ? RD_KAFKA_OFFSET_END : a.before;
    rd_kafka_DeleteRecords_t* dr = rd_kafka_DeleteRecords_new(parts);
    rd_kafka_topic_partition_list_destroy(parts);
    queue_ptr q(rd_kafka_queue_new(rk->get()));
    auto opts = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_DELETERECORDS);
    rd_kafka_DeleteRecords(rk->get(), &dr, 1, opts.get(), q.get());
    rd_kafka_DeleteRecords_destroy(dr);
    auto ev = wait_admin_result(&ctx, rk->get(), q.get(), RD_KAFKA_EVENT_DELETERECORDS_RESULT);
    SPATE_TRY(ev);
    const rd_kafka_topic_partition_list_t* res =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev->get()));
    for (int i = 0; res && i < res->cnt; ++i) {
        if (res->elems[i].err) {
            return failed("partition " + std::to_string(res->elems[i].partition) + ": " +
                          err_text(res->elems[i].err, nullptr));
        }
        std::printf("%s\t%d\tlow watermark %lld\n", a.name.c_str(), res->elems[i].partition,
                    static_cast<long long>(res->elems[i].offset));
    }
    return {};
}

// ---- produce ----

extern "C" void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* st = static_cast<client_context*>(opaque);
    if (m->err) {
        if (st->failed++ == 0) {
            st->first_delivery_error = err_text(m->err, rd_kafka_message_errstr(m));
        }
    } else {
        ++st->delivered;
    }
}

status produce(const produce_args& a) {
    client_context ctx;
    client_context& st = ctx;
    auto rk = make_client(RD_KAFKA_PRODUCER, a.bootstrap,
                          {{"acks", a.acks},
                           {"compression.codec", a.compression},
                           {"linger.ms", "5"},
                           {"message.timeout.ms", "30000"},
                           {"allow.auto.create.topics", "false"}},
                          &ctx, on_delivery);
    SPATE_TRY(rk);
    auto md = fetch_metadata(&ctx, rk->get(), a.topic);
    SPATE_TRY(md);
    if (a.partition >= (*md)->topics[0].partition_cnt) {
        return make_error(errc::invalid_argument, "topic '" + a.topic + "' has no partition " +
                                                      std::to_string(a.partition));
    }
    rd_kafka_headers_t* hdrs = nullptr;
    if (!a.headers.empty()) {
        hdrs = rd_kafka_headers_new(a.headers.size());
        for (const auto& [k, v] : a.headers) {
            rd_kafka_header_add(hdrs, k.c_str(), static_cast<ssize_t>(k.size()), v.data(),
                                static_cast<ssize_t>(v.size()));
        }
    }
    std::string line;
    int64_t lineno = 0;
    status result;
    while (!g_stop && std::getline(std::cin, line)) {
        ++lineno;
        std::string_view key, value = line;
        bool has_key = false;
        if (a.key_separator) {
            auto kv = split_key_value(line, *a.key_separator);
            if (!kv) {
                result = make_error(errc::invalid_argument, "line " + std::to_string(lineno) +
                                                                ": no key separator '" +
                                                                *a.key_separator + "'");
                break;
            }
            key = kv->first;
            value = kv->second;
            has_key = true;
        }
        for (;;) {
            rd_kafka_headers_t* h = hdrs ? rd_kafka_headers_copy(hdrs) : nullptr;
            rd_kafka_resp_err_t err = rd_kafka_producev(
                rk->get(), RD_KAFKA_V_TOPIC(a.topic.c_str()), RD_KAFKA_V_PARTITION(a.partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(has_key ? key.data() : nullptr, key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
            if (!err) break;
            if (h) rd_kafka_headers_destroy(h);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk->get(), 50);
                continue;
            }
            result = failed("line " + std::to_string(lineno) + ": " + err_text(err, nullptr));
            break;
        }
        if (!result.ok()) break;
        rd_kafka_poll(rk->get(), 0);
    }
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    // Deliver (or time out) everything queued so far, even after an input error.
    while (rd_kafka_outq_len(rk->get()) > 0)
        rd_kafka_flush(rk->get(), 1000);
    rd_kafka_poll(rk->get(), 0);
    if (!result.ok()) return result;
    if (st.failed > 0) {
        return failed(std::to_string(st.failed) + " of " +
                      std::to_string(st.failed + st.delivered) +
                      " records not delivered; first error: " + st.first_delivery_error);
    }
    std::fprintf(stderr, "spate produce: %lld records delivered to %s\n",
                 static_cast<long long>(st.delivered), a.topic.c_str());
    return {};
}

// ---- consume ----

bool fatal_consume_error(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_INVALID_MSG:
        case RD_KAFKA_RESP_ERR__BAD_MSG:
            return true;
        default:
            return false;
    }
}

status consume(const consume_args& a) {
    client_context ctx;
    auto rk = make_client(RD_KAFKA_CONSUMER, a.bootstrap,
                          {// librdkafka 2.0 refuses assign() without a group.id; no
                           // group request is made: offsets are neither committed
                           // nor fetched, the group is never joined.
                           {"group.id", "spate-cli-consume"},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           {"enable.partition.eof", "false"},
                           {"auto.offset.reset", "error"},
                           {"allow.auto.create.topics", "false"}},
                          &ctx);
    SPATE_TRY(rk);
    auto md = fetch_metadata(&ctx, rk->get(), a.topic);
    SPATE_TRY(md);
    int32_t partition_cnt = (*md)->topics[0].partition_cnt;
    tpl_ptr parts(rd_kafka_topic_partition_list_new(partition_cnt));
    int64_t start = a.start == start_position::beginning ? RD_KAFKA_OFFSET_BEGINNING
                    : a.start == start_position::end     ? RD_KAFKA_OFFSET_END
                                                         : a.start_value;
    if (a.partition) {
        if (*a.partition >= partition_cnt) {
            return make_error(errc::invalid_argument, "topic '" + a.topic + "' has no partition " +
                                                          std::to_string(*a.partition));
        }
        rd_kafka_topic_partition_list_add(parts.get(), a.topic.c_str(), *a.partition)->offset =
            start;
    } else {
        for (int i = 0; i < partition_cnt; ++i) {
            int32_t id = (*md)->topics[0].partitions[i].id;
            rd_kafka_topic_partition_list_add(parts.get(), a.topic.c_str(), id)->offset = start;
        }
    }
    if (a.start == start_position::timestamp) {
        if (auto err = rd_kafka_offsets_for_times(rk->get(), parts.get(), k_admin_timeout_ms)) {
            return failed("offsets for timestamp: " + err_text(err, nullptr));
        }
        for (int i = 0; i < parts->cnt; ++i) {
            if (parts->elems[i].err) {
                return failed("offsets for timestamp, partition " +
                              std::to_string(parts->elems[i].partition) + ": " +
                              err_text(parts->elems[i].err, nullptr));
            }
            // -1: no record at or after the timestamp; start at the end.
            if (parts->elems[i].offset < 0) parts->elems[i].offset = RD_KAFKA_OFFSET_END;
        }
    }
    rd_kafka_poll_set_consumer(rk->get());
    if (auto err = rd_kafka_assign(rk->get(), parts.get())) {
        return failed("assign: " + err_text(err, nullptr));
    }
    int64_t received = 0;
    auto last = std::chrono::steady_clock::now();
    status result;
    while (!g_stop && (!a.count || received < *a.count)) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 100);
        if (m == nullptr) {
            std::fflush(stdout);
            auto idle = std::chrono::steady_clock::now() - last;
            if (a.timeout_ms >= 0 && idle >= std::chrono::milliseconds(a.timeout_ms)) {
                if (a.count) {
                    result = make_error(errc::timed_out, "timed out after " +
                                                             std::to_string(received) + " of " +
                                                             std::to_string(*a.count) + " records");
                }
                break;
            }
            continue;
        }
        if (m->err) {
            std::string text = err_text(m->err, rd_kafka_message_errstr(m));
            bool fatal = fatal_consume_error(m->err);
            rd_kafka_message_destroy(m);
            if (fatal) {
                result = failed(text);
                break;
            }
            std::fprintf(stderr, "spate consume: warning: %s\n", text.c_str());
            continue;
        }
        last = std::chrono::steady_clock::now();
        record_fields r;
        r.partition = m->partition;
        r.offset = m->offset;
        rd_kafka_timestamp_type_t tst;
        r.timestamp_ms = rd_kafka_message_timestamp(m, &tst);
        if (m->key) r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
        if (m->payload) r.value = std::string_view(static_cast<const char*>(m->payload), m->len);
        if (a.print_headers) {
            rd_kafka_headers_t* hdrs = nullptr;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char* name;
                const void* val;
                size_t size;
                for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == 0; ++i) {
                    std::optional<std::string> v;
                    if (val) v = std::string(static_cast<const char*>(val), size);
                    r.headers.emplace_back(name, std::move(v));
                }
            }
        }
        std::string line = format_record(a, r);
        std::fwrite(line.data(), 1, line.size(), stdout);
        rd_kafka_message_destroy(m);
        ++received;
    }
    std::fflush(stdout);
    rd_kafka_consumer_close(rk->get());
    return result;
}

}  // namespace

const char* usage_text() {
    static const std::string text =
        std::string(
            "  topic create NAME [--partitions N] [--replication-factor N] [--config k=v]...\n"
            "  topic list\n"
            "  topic describe NAME\n"
            "  topic delete NAME\n"
            "  topic alter-config NAME [--set k=v]... [--delete k]...\n"
            "  topic delete-records NAME --partition N --before OFFSET  (-1: everything)\n") +
        group_usage_text() + txn_usage_text() +
        "  produce TOPIC [--key-separator SEP] [--header k=v]... [--partition N]\n"
        "                [--acks all|1|0] [--compression none|gzip|snappy|lz4|zstd]\n"
        "                (one record per stdin line)\n"
        "  consume TOPIC [--from-beginning | --offset N | --timestamp MS] [--partition N]\n"
        "                [--count N] [--print-key] [--print-timestamp] [--print-headers]\n"
        "                [--separator SEP] [--timeout-ms N]\n"
        "  (every client command takes --bootstrap HOST:PORT, default 127.0.0.1:9092)\n";
    return text.c_str();
}

bool handles(const std::string& command) {
    return command == "topic" || command == "group" || command == "txn" || command == "produce" ||
           command == "consume";
}

int run(const std::string& command, const std::vector<std::string>& args) {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    if (command == "produce") return run_parsed("produce", parse_produce(args), produce);
    if (command == "consume") return run_parsed("consume", parse_consume(args), consume);
    if (command == "group") return run_group(args);
    if (command == "txn") return run_txn(args);
    if (command != "topic") {
        std::fprintf(stderr, "spate: unknown command '%s'\n", command.c_str());
        return 2;
    }
    if (args.empty()) {
        std::fprintf(stderr,
                     "spate topic: missing sub-command (create, list, describe, "
                     "delete, alter-config, delete-records)\n");
        return 2;
    }
    const std::string& sub = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "create") return run_parsed("topic create", parse_topic_create(rest), topic_create);
    if (sub == "list") return run_parsed("topic list", parse_topic_name(rest, false), topic_list);
    if (sub == "describe") {
        return run_parsed("topic describe", parse_topic_name(rest, true), topic_describe);
    }
    if (sub == "delete") {
        return run_parsed("topic delete", parse_topic_name(rest, true), topic_delete);
    }
    if (sub == "delete-records") {
        return run_parsed("topic delete-records", parse_topic_delete_records(rest),
                          topic_delete_records);
    }
    if (sub == "alter-config") {
        return run_parsed("topic alter-config", parse_topic_alter_config(rest), topic_alter_config);
    }
    std::fprintf(stderr, "spate topic: unknown sub-command '%s'\n", sub.c_str());
    return 2;
}

}  // namespace spate::cli
