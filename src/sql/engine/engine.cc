#include "sql/engine/engine.h"

#include <algorithm>
#include <random>

#include "base/log.h"
#include "kafka/client/admin.h"
#include "sql/engine/authorization.h"
#include "sql/engine/object_builder.h"
#include "sql/engine/session_impl.h"
#include "sql/stream/topic_cleanup.h"

namespace spate::sql {

namespace {

std::string random_id() {
    std::random_device rd;
    std::mt19937_64 g((uint64_t(rd()) << 32) ^ rd());
    static const char* k_hex = "0123456789abcdef";
    std::string out;
    uint64_t v = g();
    for (int i = 0; i < 12; ++i, v >>= 4)
        out += k_hex[v & 15];
    return out;
}

namespace kc = kafka::client;

// An updating view's topic, created compacted (with its first input's
// partition count) before the query starts, which would create it with
// the default cleanup policy. An existing topic is kept as it is.
sql_status create_changelog_topic(const query_spec& spec) {
    auto admin = kc::admin::connect(spec.client);
    if (!admin.ok()) return make_error(sql_errc::io_error, "admin client: " + admin.err().message);
    auto existing = admin->topic(spec.output_topic);
    if (existing.ok()) return {};
    if (existing.err().code != errc::not_found)
        return make_error(sql_errc::io_error,
                          "topic " + spec.output_topic + ": " + existing.err().message);
    auto input = admin->topic(spec.inputs.front().topic);
    int32_t partitions = input.ok() ? std::max<int32_t>(1, int32_t(input->partitions.size())) : 1;
    auto s =
        admin->create_topic({spec.output_topic, partitions, 1, {{"cleanup.policy", "compact"}}});
    if (!s.ok() && s.err().code != errc::already_exists)
        return make_error(sql_errc::io_error,
                          "create topic " + spec.output_topic + ": " + s.err().message);
    logging::get("sql").info("created changelog topic '{}' ({} partitions, compacted)",
                             spec.output_topic, partitions);
    return {};
}

}  // namespace

engine::engine(engine_options o) : _options(std::move(o)), _replicas(_options.kafka) {
    if (_options.registry) {
        _registry.service = _options.registry;
        _registry.lookup = make_registry_lookup(_options.registry);
    }
}

engine::~engine() {
    stop();
}

sql_result<std::shared_ptr<engine>> engine::start(engine_options o) {
    std::shared_ptr<engine> e(new engine(std::move(o)));
    auto log = catalog_log::open(e->_options.kafka);
    if (!log.ok()) return log.error();
    e->_log = std::move(log.value());
    auto records = e->_log->load();
    if (!records.ok()) return records.error();
    std::lock_guard lock(e->_ddl);
    for (const auto& r : records.value()) {
        auto obj = catalog_object_from_json(r.definition);
        if (!obj.ok()) {
            logging::get("sql").error("catalog record {} skipped: {}", r.key, obj.error().message);
            continue;
        }
        if (auto s = e->_catalog.add(obj.value()); !s.ok()) {
            logging::get("sql").error("catalog record {} skipped: {}", r.key, s.error().message);
            continue;
        }
        if (obj.value().kind != catalog_kind::source) {
            if (auto s = e->start_query(obj.value()); !s.ok())
                logging::get("sql").error("{} {} not resumed: {}",
                                          catalog_kind_name(obj.value().kind), obj.value().name,
                                          s.error().message);
        }
    }
    logging::get("sql").info("catalog loaded: {} objects, {} queries running",
                             e->_catalog.all().size(), e->_queries.size());
    return e;
}

void engine::stop() {
    _replicas.stop_all();
    std::map<std::string, std::unique_ptr<continuous_query>> queries;
    {
        std::lock_guard lock(_ddl);
        queries.swap(_queries);
    }
    for (auto& [name, q] : queries)
        q->stop();
}

sql_result<std::unique_ptr<session>> engine::open(const session_options& o) {
    if (!o.database.empty() && o.database != "spate" && o.database != o.user)
        return make_error(sql_errc::invalid_catalog_name,
                          "database \"" + o.database + "\" does not exist");
    return make_session(shared_from_this(), o);
}

sql_status engine::start_query(const catalog_object& o) {
    auto plan = plan_continuous(o, _catalog);
    if (!plan.ok()) return plan.error();
    query_spec spec;
    spec.name = o.name;
    spec.group_id = "spate-sql-" + o.name + "-" + o.id;
    spec.transactional_id = "spate-sql-" + o.name + "-" + o.id + "-" + _options.node_id;
    spec.group_instance_id = "spate-sql-node-" + _options.node_id;
    spec.inputs = std::move(plan.value().inputs);
    spec.output_topic = o.output_topic;
    spec.output_format = o.output_format;
    spec.output_columns = plan.value().output_columns;
    spec.schemas = _registry.lookup;
    if (is_registry_format(o.output_format)) {
        if (auto st = check_registry(o.output_format, _registry, 0); !st.ok()) return st;
        auto writer = _registry.lookup->by_id(o.output_schema_id);
        if (!writer.ok()) return writer.error();
        spec.output_schema = writer.value();
    }
    spec.exactly_once = o.exactly_once;
    spec.commit_interval_ms = o.commit_interval_ms;
    spec.client = _options.kafka;
    if (plan.value().aggregate) {
        spec.aggregate = plan.value().aggregate;
        spec.query_id = o.id;
        spec.state_dir = _options.state_dir + "/" + o.id;
        spec.late_topic = o.name + "__late";
    }
    auto mode = output_mode_of(o, plan.value(), _catalog);
    if (!mode.ok()) return mode.error();
    spec.output_type = mode.value().type;
    spec.key_columns = mode.value().key_columns;
    if (o.kind == catalog_kind::view && spec.output_type == sink_type::upsert)
        if (auto st = create_changelog_topic(spec); !st.ok()) return st;
    auto q = continuous_query::start(std::move(spec));
    if (!q.ok()) return q.error();
    _queries[o.name] = std::move(q.value());
    return {};
}

sql_status engine::persist_and_start(catalog_object o) {
    if (o.kind != catalog_kind::source) {
        if (auto s = start_query(o); !s.ok()) return s;
    }
    if (auto s = _log->put({catalog_key(o), to_json(o)}); !s.ok()) {
        auto q = _queries.find(o.name);
        if (q != _queries.end()) {
            q->second->stop();
            _queries.erase(q);
        }
        return s;
    }
    return _catalog.add(std::move(o));
}

sql_status engine::create_source(const parsed_statement& s, const access_subject& who) {
    std::lock_guard lock(_ddl);
    if (_catalog.find(s.name)) {
        if (s.if_not_exists) return {};
        return make_error(sql_errc::duplicate_table, "relation \"" + s.name + "\" already exists",
                          s.offset + 1);
    }
    // Before the topic is looked up: a refused user learns nothing of it.
    for (const auto& opt : s.options)
        if (opt.key == "topic" && !opt.value.empty())
            if (auto st =
                    authorize_topic(access(), who, opt.value, topic_access::read, "CREATE SOURCE");
                !st.ok())
                return st;
    auto o = build_source(s, _options.kafka, _registry);
    if (!o.ok()) return o.error();
    o.value().id = random_id();
    return persist_and_start(std::move(o.value()));
}

sql_status engine::create_view(const parsed_statement& s, const access_subject& who) {
    std::lock_guard lock(_ddl);
    auto o = build_view(s, _catalog);
    if (!o.ok()) return o.error();
    if (auto st = authorize_reads(access(), who, o.value().depends_on, _catalog,
                                  "CREATE MATERIALIZED VIEW");
        !st.ok())
        return st;
    if (_catalog.find(o.value().name)) {
        if (s.tree["CreateTableAsStmt"].value("if_not_exists", false)) return {};
        return make_error(sql_errc::duplicate_table,
                          "relation \"" + o.value().name + "\" already exists", s.offset + 1);
    }
    o.value().id = random_id();
    return persist_and_start(std::move(o.value()));
}

sql_status engine::create_sink(const parsed_statement& s, const access_subject& who) {
    std::lock_guard lock(_ddl);
    if (_catalog.find(s.name)) {
        if (s.if_not_exists) return {};
        return make_error(sql_errc::duplicate_object, "sink \"" + s.name + "\" already exists",
                          s.offset + 1);
    }
    if (auto st = authorize_sink_topic(s, who); !st.ok()) return st;
    auto check_reads = [&](const std::vector<std::string>& relations) {
        return authorize_reads(access(), who, relations, _catalog, "CREATE SINK");
    };
    auto o = build_sink(s, _catalog, _registry, check_reads);
    if (!o.ok()) return o.error();
    o.value().id = random_id();
    return persist_and_start(std::move(o.value()));
}

sql_status engine::authorize_sink_topic(const parsed_statement& s, const access_subject& who) {
    if (!access()) return {};
    std::string topic;
    for (const auto& opt : s.options)
        if (opt.key == "topic") topic = opt.value;
    if (topic.empty()) return {};  // build_sink refuses it
    const std::string what = "CREATE SINK";
    if (auto st = authorize_topic(access(), who, topic, topic_access::write, what); !st.ok())
        return st;
    if (access()->allows(who, topic_access::create, topic, what, false)) return {};
    // Without CREATE, the topic must exist already (the sink would create it).
    auto admin = kc::admin::connect(_options.kafka);
    if (!admin.ok()) return make_error(sql_errc::io_error, "admin client: " + admin.err().message);
    auto t = admin->topic(topic);
    if (t.ok()) return {};
    if (t.err().code != errc::not_found)
        return make_error(sql_errc::io_error, "looking up topic " + topic + ": " + t.err().message);
    return authorize_topic(access(), who, topic, topic_access::create, what);
}

sql_status engine::drop(catalog_kind kind, const std::vector<std::string>& names, bool if_exists,
                        bool cascade) {
    std::lock_guard lock(_ddl);
    for (const auto& name : names) {
        auto o = _catalog.find(name);
        if (!o || o->kind != kind) {
            if (if_exists) continue;
            return make_error(
                kind == catalog_kind::sink ? sql_errc::undefined_object : sql_errc::undefined_table,
                std::string(catalog_kind_name(kind)) + " \"" + name + "\" does not exist");
        }
        auto deps = _catalog.dependents(name);
        if (!deps.empty() && !cascade) {
            sql_error e = make_error(sql_errc::dependent_objects_still_exist,
                                     "cannot drop " + std::string(catalog_kind_name(kind)) + " " +
                                         name + " because other objects depend on it");
            for (const auto& d : deps) {
                auto dep = _catalog.find(d);
                e.detail += (e.detail.empty() ? "" : "\n") +
                            std::string(catalog_kind_name(dep->kind)) + " " + d + " depends on " +
                            std::string(catalog_kind_name(kind)) + " " + name;
            }
            e.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
            return e;
        }
    }
    for (const auto& name : names) {
        if (!_catalog.find(name)) continue;
        if (auto s = drop_one(name, cascade); !s.ok()) return s;
    }
    return {};
}

sql_status engine::drop_one(const std::string& name, bool cascade) {
    for (const auto& d : _catalog.dependents(name))
        if (auto s = drop_one(d, cascade); !s.ok()) return s;
    auto o = _catalog.find(name);
    if (!o) return {};
    auto q = _queries.find(name);
    std::optional<query_spec> stopped;
    if (q != _queries.end()) {
        q->second->stop();
        stopped = q->second->spec();
        _queries.erase(q);
    }
    if (auto s = _log->remove(catalog_key(*o)); !s.ok()) return s;
    _catalog.remove(name);
    _replicas.drop(name);
    if (stopped) discard_query_state(*stopped);
    if (o->kind == catalog_kind::view) discard_view_topic(*o);
    return {};
}

// A view's output topic belongs to the view (a sink's to the user): it goes
// with the view, so a later view of the same name starts empty. A failure is
// logged; the drop stands.
void engine::discard_view_topic(const catalog_object& o) const {
    delete_owned_topics(_options.kafka, "view " + o.name, {o.output_topic});
}

sql_result<std::vector<operator_stats>> engine::query_operators(const std::string& name) const {
    std::lock_guard lock(_ddl);
    auto q = _queries.find(name);
    if (q == _queries.end())
        return make_error(sql_errc::undefined_object,
                          "\"" + name + "\" is not a running materialized view or sink");
    return q->second->operators();
}

std::string engine::query_status(const std::string& name) const {
    std::lock_guard lock(_ddl);
    auto q = _queries.find(name);
    if (q == _queries.end()) return "stopped";
    std::string err = q->second->last_error();
    return err.empty() ? "running" : "error: " + err;
}

}  // namespace spate::sql
