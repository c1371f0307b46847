// `spate topic ...`, `spate produce`, `spate consume` over kafka/client.

#include "cli/commands.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/format.h"
#include "kafka/client/admin.h"
#include "kafka/client/client_properties.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "model/compression.h"

namespace spate::cli {

namespace kc = kafka::client;

volatile std::sig_atomic_t g_stop = 0;

result<kc::client_config> client_config_for(const std::string& bootstrap,
                                            const std::string& command_config) {
    kc::client_config c;
    c.bootstrap = bootstrap;
    c.client_id = "spate-cli";
    if (!command_config.empty()) SPATE_TRY(kc::load_client_properties(c, command_config));
    return c;
}

namespace {

template <typename Args>
result<kc::admin> connect_admin(const Args& a) {
    auto c = client_config_of(a);
    SPATE_TRY(c);
    return kc::admin::connect(*c);
}

// The topic's configs; dynamic topic overrides also go to `overrides`.
result<std::vector<config_description>> describe_configs(
    kc::admin& admin, const std::string& topic,
    std::vector<std::pair<std::string, std::string>>* overrides) {
    auto entries = admin.describe_configs(kc::resource_type::topic, topic);
    SPATE_TRY(entries);
    std::vector<config_description> out;
    for (auto& e : *entries) {
        if (overrides && e.source == kc::config_source::dynamic_topic && e.value)
            overrides->emplace_back(e.name, *e.value);
        out.push_back(
            {std::move(e.name), std::move(e.value), e.is_default, e.read_only, e.sensitive});
    }
    return out;
}

error no_partition(const std::string& topic, int32_t p) {
    return make_error(errc::invalid_argument,
                      "topic '" + topic + "' has no partition " + std::to_string(p));
}

}  // namespace

status topic_create(const topic_create_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    return admin->create_topic({a.name, a.partitions, a.replication_factor, a.configs});
}

status topic_delete(const topic_name_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    return admin->delete_topic(a.name);
}

status topic_list(const topic_name_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    auto md = admin->metadata();
    SPATE_TRY(md);
    std::vector<std::string> names;
    for (const auto& t : md->topics)
        names.push_back(t.name);
    std::fputs(format_topic_list(std::move(names)).c_str(), stdout);
    return {};
}

status topic_describe(const topic_name_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    auto md = admin->topic(a.name);
    SPATE_TRY(md);
    topic_description t;
    t.name = a.name;
    for (const auto& mp : md->partitions) {
        partition_description p{mp.id, mp.leader, mp.replicas, mp.isr, ""};
        if (!mp.error.ok()) p.error = mp.error.err().message;
        t.partitions.push_back(std::move(p));
    }
    auto configs = describe_configs(*admin, a.name, nullptr);
    SPATE_TRY(configs);
    t.configs = std::move(*configs);
    std::fputs(format_topic_description(t).c_str(), stdout);
    return {};
}

// librdkafka 2.0.2 has no IncrementalAlterConfigs (added in 2.2), so this reads
// the current overrides with DescribeConfigs and sends the merged full set
// with AlterConfigs. Not atomic against a concurrent alteration.
status topic_alter_config(const topic_alter_config_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    std::vector<std::pair<std::string, std::string>> current;
    auto described = describe_configs(*admin, a.name, &current);
    SPATE_TRY(described);
    auto merged = merge_config_overrides(std::move(current), a.set, a.remove);
    return admin->alter_configs(kc::resource_type::topic, a.name, merged);
}

status topic_delete_records(const topic_delete_records_args& a) {
    auto admin = connect_admin(a);
    SPATE_TRY(admin);
    auto res = admin->delete_records(
        {{a.name, a.partition, a.before < 0 ? kc::k_offset_end : a.before, {}}});
    SPATE_TRY(res);
    for (const auto& r : *res) {
        SPATE_TRY(r.result);
        std::printf("%s\t%d\tlow watermark %lld\n", a.name.c_str(), r.partition,
                    static_cast<long long>(r.offset));
    }
    return {};
}

status produce(const produce_args& a) {
    kc::producer_options o;
    auto client = client_config_of(a);
    SPATE_TRY(client);
    o.client = std::move(*client);
    o.acks = a.acks == "0" ? kc::acks::none : a.acks == "1" ? kc::acks::leader : kc::acks::all;
    for (auto c : {kc::compression::gzip, kc::compression::snappy, kc::compression::lz4,
                   kc::compression::zstd}) {
        if (a.compression == model::compression_name(c)) o.compression = c;
    }
    auto p = kc::producer::create(o);
    SPATE_TRY(p);
    auto partitions = p->partition_count(a.topic);
    SPATE_TRY(partitions);
    if (a.partition >= *partitions) return no_partition(a.topic, a.partition);
    std::vector<kc::header> headers;
    for (const auto& [k, v] : a.headers)
        headers.push_back({k, v});
    std::string line;
    int64_t lineno = 0;
    status result;
    while (!g_stop && std::getline(std::cin, line)) {
        ++lineno;
        kc::outgoing_record r{a.topic, a.partition, std::nullopt, line, &headers};
        if (a.key_separator) {
            auto kv = split_key_value(line, *a.key_separator);
            if (!kv) {
                result = make_error(errc::invalid_argument, "line " + std::to_string(lineno) +
                                                                ": no key separator '" +
                                                                *a.key_separator + "'");
                break;
            }
            r.key = kv->first;
            r.value = kv->second;
        }
        if (auto s = p->produce(r); !s.ok()) {
            result =
                make_error(s.err().code, "line " + std::to_string(lineno) + ": " + s.err().message);
            break;
        }
        p->poll(0);
    }
    // Deliver (or time out) everything queued so far, even after an input error.
    while (p->outstanding() > 0)
        (void)p->flush(1000);  // a timeout here only means: keep waiting
    p->poll(0);
    if (!result.ok()) return result;
    if (p->failed() > 0) {
        return make_error(errc::io_error,
                          std::to_string(p->failed()) + " of " +
                              std::to_string(p->failed() + p->delivered()) +
                              " records not delivered; first error: " + p->first_failure());
    }
    std::fprintf(stderr, "spate produce: %lld records delivered to %s\n",
                 static_cast<long long>(p->delivered()), a.topic.c_str());
    return {};
}

namespace {

// The partitions and start offsets `a` asks for.
result<std::vector<kc::partition_offset>> consume_start(kc::consumer& c, const consume_args& a) {
    auto ids = c.partitions_of(a.topic);
    SPATE_TRY(ids);
    int64_t start = a.start == start_position::beginning ? kc::k_offset_beginning
                    : a.start == start_position::end     ? kc::k_offset_end
                                                         : a.start_value;
    std::vector<kc::partition_offset> parts;
    if (a.partition) {
        if (*a.partition >= static_cast<int32_t>(ids->size()))
            return no_partition(a.topic, *a.partition);
        parts.push_back({a.topic, *a.partition, start, {}});
    } else {
        for (int32_t id : *ids)
            parts.push_back({a.topic, id, start, {}});
    }
    if (a.start != start_position::timestamp) return parts;
    auto found = c.offsets_for_times(parts, kc::k_default_timeout_ms);
    SPATE_TRY(found);
    // -1: no record at or after the timestamp; start at the end.
    for (auto& p : *found)
        if (p.offset < 0) p.offset = kc::k_offset_end;
    return found;
}

}  // namespace

status consume(const consume_args& a) {
    kc::consumer_options o;
    auto client = client_config_of(a);
    SPATE_TRY(client);
    o.client = std::move(*client);
    // librdkafka 2.0 refuses assign() without a group.id; no group request is
    // made: offsets are neither committed nor fetched, the group is never joined.
    o.group_id = "spate-cli-consume";
    o.reset = kc::offset_reset::error;
    o.on_warning = [](const error& e) {
        std::fprintf(stderr, "spate consume: warning: %s\n", e.message.c_str());
    };
    auto c = kc::consumer::create(o);
    SPATE_TRY(c);
    auto parts = consume_start(*c, a);
    SPATE_TRY(parts);
    SPATE_TRY(c->assign(*parts));
    int64_t received = 0;
    auto last = std::chrono::steady_clock::now();
    status result;
    while (!g_stop && (!a.count || received < *a.count)) {
        auto m = c->poll(100);
        if (!m.ok()) {
            result = m.err();
            break;
        }
        if (!*m) {
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
        last = std::chrono::steady_clock::now();
        const kc::message& msg = **m;
        record_fields r{msg.partition(), msg.offset(), msg.timestamp_ms(),
                        msg.key(),       msg.value(),  {}};
        if (a.print_headers) {
            for (auto& h : msg.headers())
                r.headers.emplace_back(std::move(h.key), std::move(h.value));
        }
        std::string line = format_record(a, r);
        std::fwrite(line.data(), 1, line.size(), stdout);
        ++received;
    }
    std::fflush(stdout);
    c->close();
    return result;
}

}  // namespace spate::cli
