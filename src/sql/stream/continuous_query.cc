#include "sql/stream/continuous_query.h"

#include <pthread.h>
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "base/log.h"
#include "kafka/client/admin.h"
#include "sql/state/task_state.h"
#include "sql/stream/query_impl.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

sql_error io_error(const std::string& what, const error& e) {
    return make_error(sql_errc::io_error, what + ": " + e.message);
}

sql_status validate(const query_spec& spec) {
    if (spec.inputs.empty())
        return make_error(sql_errc::invalid_parameter_value, "a continuous query needs an input");
    if (spec.output_topic.empty())
        return make_error(sql_errc::invalid_parameter_value, "a continuous query needs an output");
    if (spec.group_id.empty())
        return make_error(sql_errc::invalid_parameter_value, "a continuous query needs a group id");
    if (spec.exactly_once && spec.transactional_id.empty())
        return make_error(sql_errc::invalid_parameter_value,
                          "an exactly-once query needs a transactional id");
    if (spec.commit_interval_ms <= 0)
        return make_error(sql_errc::invalid_parameter_value, "commit interval must be positive");
    if (spec.aggregate) {
        if (spec.inputs.size() != 1)
            return make_error(sql_errc::feature_not_supported,
                              "an aggregating query reads exactly one relation yet");
        if (spec.query_id.empty() || spec.state_dir.empty())
            return make_error(sql_errc::internal_error,
                              "a stateful query needs a query id and a state directory");
    }
    return {};
}

// max.message.bytes of the topics a query creates (output, dead letters,
// internal): its producer's batches may be this large (query_loop.cc), so a
// busy query sends fewer, larger Produce requests (docs/performance.md).
constexpr const char* k_created_max_message_bytes = "8388608";
// What Kafka assumes when a topic's limit cannot be read.
constexpr int64_t k_default_max_message_bytes = 1048588;

// The partition count of `topic`, creating it with `partitions` when missing
// (a concurrent creator winning the race is fine).
sql_result<int32_t> ensure_topic(kc::admin& admin, const std::string& topic, int32_t partitions) {
    auto md = admin.topic(topic);
    if (md.ok()) return static_cast<int32_t>(md->partitions.size());
    if (md.err().code != errc::not_found) return io_error("topic '" + topic + "'", md.err());
    auto s = admin.create_topic(
        {topic, partitions, 1, {{"max.message.bytes", k_created_max_message_bytes}}});
    if (!s.ok() && s.err().code != errc::already_exists)
        return io_error("create topic '" + topic + "'", s.err());
    logging::get("sql").info("created topic '{}' ({} partitions)", topic, partitions);
    md = admin.topic(topic);
    if (!md.ok()) return io_error("topic '" + topic + "'", md.err());
    return static_cast<int32_t>(md->partitions.size());
}

struct topic_counts {
    int32_t input = 1;  // the first input's partitions
    int32_t output = 1;
};

// The internal topics of a stateful query: the repartition topic and the
// late-row topic (plain), the state changelog (compacted).
sql_status prepare_internal_topics(kc::admin& admin, const query_spec& spec, int32_t partitions) {
    auto r = ensure_topic(admin, repartition_topic(spec.query_id), partitions);
    if (!r.ok()) return r.error();
    if (r.value() != partitions)
        return make_error(sql_errc::internal_error, "topic '" + repartition_topic(spec.query_id) +
                                                        "' has " + std::to_string(r.value()) +
                                                        " partitions, the source " +
                                                        std::to_string(partitions));
    if (!spec.late_topic.empty()) {
        auto l = ensure_topic(admin, spec.late_topic, partitions);
        if (!l.ok()) return l.error();
    }
    if (spec.inputs.front().upsert) {
        auto s = task_state::ensure_changelog_topic(
            spec.client, input_changelog_topic(spec.query_id), partitions);
        if (!s.ok()) return s;
    }
    return task_state::ensure_changelog_topic(spec.client, changelog_topic(spec.query_id),
                                              partitions);
}

// The smallest max.message.bytes of `topics` (a batch larger than a topic's
// limit is refused). A limit that cannot be read counts as Kafka's default.
int64_t smallest_max_message_bytes(kc::admin& admin, const std::vector<std::string>& topics) {
    int64_t out = INT64_MAX;
    for (const auto& t : topics) {
        int64_t limit = k_default_max_message_bytes;
        auto configs = admin.describe_configs(kc::resource_type::topic, t);
        if (!configs.ok()) {
            logging::get("sql").warn("topic '{}': max.message.bytes unknown ({}), assuming {}", t,
                                     configs.err().message, limit);
        } else {
            for (const auto& c : *configs) {
                if (c.name != "max.message.bytes" || !c.value) continue;
                char* end = nullptr;
                long long v = std::strtoll(c.value->c_str(), &end, 10);
                if (end != c.value->c_str() && v > 0) limit = v;
            }
        }
        out = std::min(out, limit);
    }
    return out == INT64_MAX ? k_default_max_message_bytes : out;
}

// Checks the inputs exist and creates the output, dead-letter and internal
// topics.
sql_result<topic_counts> prepare_topics(kc::admin& admin, const query_spec& spec) {
    std::vector<int32_t> input_partitions;
    for (const auto& in : spec.inputs) {
        auto md = admin.topic(in.topic);
        if (!md.ok()) {
            if (md.err().code == errc::not_found)
                return make_error(sql_errc::undefined_source_topic,
                                  "topic \"" + in.topic + "\" does not exist");
            return io_error("topic '" + in.topic + "'", md.err());
        }
        input_partitions.push_back(static_cast<int32_t>(md->partitions.size()));
    }
    for (size_t i = 0; i < spec.inputs.size(); ++i) {
        const auto& dlt = spec.inputs[i].dead_letter_topic;
        if (dlt.empty()) continue;
        auto n = ensure_topic(admin, dlt, input_partitions[i]);
        if (!n.ok()) return n.error();
    }
    topic_counts out;
    out.input = std::max(1, input_partitions.front());
    if (spec.aggregate) {
        if (auto s = prepare_internal_topics(admin, spec, out.input); !s.ok()) return s.error();
    }
    auto o = ensure_topic(admin, spec.output_topic, out.input);
    if (!o.ok()) return o.error();
    out.output = o.value();
    return out;
}

std::string aggregate_name(const aggregate_def& def) {
    std::string out = def.has_session           ? "SessionAggregate ["
                      : def.window_end_key >= 0 ? "WindowAggregate ["
                                                : "HashAggregate [";
    for (size_t i = 0; i < def.calls.size(); ++i)
        out += (i ? ", " : "") + def.calls[i].name;
    return out + "]";
}

// Source -> Repartition -> Aggregate -> Sink, from the query's counters.
std::vector<operator_stats> stateful_operators(const query_spec& spec, const query_stats& st) {
    std::vector<operator_stats> out(4);
    operator_stats& src = out[0];
    src.name = "Source " + spec.inputs.front().topic;
    src.rows_in = st.records_in.load();
    src.late_rows = st.late_rows.load();
    src.rows_out = src.rows_in - st.dead_letters.load() - src.late_rows;
    src.watermark_us = st.source_watermark_us.load();
    operator_stats& rep = out[1];
    rep.name = "Repartition " + repartition_topic(spec.query_id);
    rep.rows_in = rep.rows_out = st.repartition_rows.load();
    operator_stats& agg = out[2];
    agg.name = aggregate_name(*spec.aggregate);
    agg.rows_in = st.aggregate_rows_in.load();
    agg.rows_out = st.aggregate_rows_out.load();
    agg.late_rows = st.aggregate_late_rows.load();
    agg.state_keys = st.state_keys.load();
    agg.state_bytes = st.state_bytes.load();
    agg.memory_bytes = st.memory_bytes.load();
    agg.watermark_us = st.aggregate_watermark_us.load();
    operator_stats& sink = out[3];
    sink.name = "Sink " + spec.output_topic;
    sink.rows_in = agg.rows_out;
    sink.rows_out = st.rows_out.load();
    if (spec.inputs.front().upsert) {
        operator_stats norm;
        norm.name = "Normalise " + input_changelog_topic(spec.query_id);
        norm.rows_in = src.rows_in;
        norm.rows_out = st.normalised_rows.load();
        norm.state_keys = st.input_state_keys.load();
        norm.state_bytes = st.input_state_bytes.load();
        out.insert(out.begin() + 1, norm);
    }
    return out;
}

}  // namespace

continuous_query::continuous_query(std::unique_ptr<impl> p) : _impl(std::move(p)) {}

continuous_query::~continuous_query() {
    stop();
}

sql_result<std::unique_ptr<continuous_query>> continuous_query::start(query_spec spec) {
    if (auto s = validate(spec); !s.ok()) return s.error();
    auto admin = kc::admin::connect(spec.client);
    if (!admin.ok()) return io_error("admin client", admin.err());
    auto counts = prepare_topics(*admin, spec);
    if (!counts.ok()) return counts.error();
    auto p = std::make_unique<impl>();
    p->spec = std::move(spec);
    if (p->spec.aggregate) {
        auto flow = detail::make_stateful_dataflow(p->spec, p->stats, counts.value().input,
                                                   counts.value().output);
        if (!flow.ok()) return flow.error();
        p->flow = std::move(flow).value();
        if (auto s = detail::init_start_offsets(p->spec, counts.value().input); !s.ok())
            return s.error();
    } else {
        auto router = detail::record_router::create(p->spec, counts.value().output, p->stats);
        if (!router.ok()) return router.error();
        p->flow = detail::make_stateless_dataflow(p->spec, std::move(router).value());
    }
    p->max_batch_bytes = smallest_max_message_bytes(*admin, p->flow->written_topics());
    impl* raw = p.get();
    p->thread = std::thread([raw] {
        // "sql:<query>" in ps/top/perf (15 characters at most).
        pthread_setname_np(pthread_self(), ("sql:" + raw->spec.name).substr(0, 15).c_str());
        raw->run();
    });
    logging::get("sql").info("query {} started ({} inputs -> '{}', {})", raw->spec.name,
                             raw->spec.inputs.size(), raw->spec.output_topic,
                             raw->spec.exactly_once ? "exactly once" : "at least once");
    return std::unique_ptr<continuous_query>(new continuous_query(std::move(p)));
}

void continuous_query::stop() {
    if (!_impl || !_impl->thread.joinable()) return;
    {
        std::lock_guard lock(_impl->mu);
        _impl->stopping = true;
    }
    _impl->wake.notify_all();
    _impl->thread.join();
    logging::get("sql").info("query {} stopped", _impl->spec.name);
}

const query_stats& continuous_query::stats() const {
    return _impl->stats;
}

std::string repartition_topic(const std::string& query_id) {
    return "__spate_q_" + query_id + "_repartition";
}

std::string changelog_topic(const std::string& query_id) {
    return "__spate_q_" + query_id + "_state";
}

std::string input_changelog_topic(const std::string& query_id) {
    return "__spate_q_" + query_id + "_input_state";
}

std::vector<operator_stats> continuous_query::operators() const {
    if (_impl->spec.aggregate) return stateful_operators(_impl->spec, _impl->stats);
    // Stateless queries: the sources and the sink.
    std::vector<operator_stats> out;
    const auto& st = _impl->stats;
    for (const auto& in : _impl->spec.inputs) {
        operator_stats o;
        o.name = "Source " + in.topic;
        o.rows_in = st.records_in.load();
        o.rows_out = st.records_in.load() - st.dead_letters.load();
        out.push_back(o);
    }
    operator_stats sink;
    sink.name = "Sink " + _impl->spec.output_topic;
    sink.rows_in = sink.rows_out = st.rows_out.load();
    out.push_back(sink);
    return out;
}

const query_spec& continuous_query::spec() const {
    return _impl->spec;
}

std::string continuous_query::last_error() const {
    std::lock_guard lock(_impl->mu);
    return _impl->last_error;
}

}  // namespace spate::sql
