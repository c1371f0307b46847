#include "sql/stream/continuous_query.h"

#include "base/log.h"
#include "kafka/client/admin.h"
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
    return {};
}

// The partition count of `topic`, creating it with `partitions` when missing
// (a concurrent creator winning the race is fine).
sql_result<int32_t> ensure_topic(kc::admin& admin, const std::string& topic, int32_t partitions) {
    auto md = admin.topic(topic);
    if (md.ok()) return static_cast<int32_t>(md->partitions.size());
    if (md.err().code != errc::not_found) return io_error("topic '" + topic + "'", md.err());
    auto s = admin.create_topic({topic, partitions, 1, {}});
    if (!s.ok() && s.err().code != errc::already_exists)
        return io_error("create topic '" + topic + "'", s.err());
    logging::get("sql").info("created topic '{}' ({} partitions)", topic, partitions);
    md = admin.topic(topic);
    if (!md.ok()) return io_error("topic '" + topic + "'", md.err());
    return static_cast<int32_t>(md->partitions.size());
}

// Checks the inputs exist and creates the output and dead-letter topics;
// returns the output's partition count.
sql_result<int32_t> prepare_topics(const query_spec& spec) {
    auto admin = kc::admin::connect(spec.client);
    if (!admin.ok()) return io_error("admin client", admin.err());
    std::vector<int32_t> input_partitions;
    for (const auto& in : spec.inputs) {
        auto md = admin->topic(in.topic);
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
        auto n = ensure_topic(*admin, dlt, input_partitions[i]);
        if (!n.ok()) return n.error();
    }
    return ensure_topic(*admin, spec.output_topic, std::max(1, input_partitions.front()));
}

}  // namespace

continuous_query::continuous_query(std::unique_ptr<impl> p) : _impl(std::move(p)) {}

continuous_query::~continuous_query() {
    stop();
}

sql_result<std::unique_ptr<continuous_query>> continuous_query::start(query_spec spec) {
    if (auto s = validate(spec); !s.ok()) return s.error();
    auto output_partitions = prepare_topics(spec);
    if (!output_partitions.ok()) return output_partitions.error();
    auto p = std::make_unique<impl>();
    p->spec = std::move(spec);
    auto router = detail::record_router::create(p->spec, output_partitions.value(), p->stats);
    if (!router.ok()) return router.error();
    p->router = std::move(router).value();
    impl* raw = p.get();
    p->thread = std::thread([raw] { raw->run(); });
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

std::vector<operator_stats> continuous_query::operators() const {
    // Stateless queries: the sources and the sink (the streaming runtime of
    // part 2 reports each operator of its topology).
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
