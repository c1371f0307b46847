#include "sql/engine/object_builder.h"

#include <algorithm>
#include <charconv>

#include "kafka/client/admin.h"
#include "sql/engine/output_mode.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"

namespace spate::sql {

namespace {

using json = nlohmann::json;

sql_error option_error(const with_option& o, const std::string& msg) {
    return make_error(sql_errc::invalid_parameter_value, msg, o.position + 1);
}

const with_option* find_option(const std::vector<with_option>& opts, std::string_view key) {
    for (const auto& o : opts)
        if (o.key == key) return &o;
    return nullptr;
}

sql_status check_known(const std::vector<with_option>& opts,
                       std::initializer_list<std::string_view> known, std::string_view what) {
    for (const auto& o : opts)
        if (std::find(known.begin(), known.end(), o.key) == known.end())
            return option_error(o, "unknown " + std::string(what) + " option \"" + o.key + "\"");
    return {};
}

std::vector<std::pair<std::string, std::string>> as_pairs(const std::vector<with_option>& opts) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& o : opts)
        out.emplace_back(o.key, o.value);
    return out;
}

sql_result<bool> bool_option(const with_option& o) {
    std::string v = o.value;
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    if (v == "true" || v == "on" || v == "1") return true;
    if (v == "false" || v == "off" || v == "0") return false;
    return option_error(o, "option \"" + o.key + "\" must be true or false");
}

sql_result<std::vector<column_def>> source_columns(const parsed_statement& s, bind_context& ctx) {
    std::vector<column_def> cols;
    const json& create = s.tree["CreateStmt"];
    if (!create.contains("tableElts") || create["tableElts"].empty())
        return make_error(sql_errc::syntax_error,
                          "a source needs at least one column (or a format whose schema the "
                          "registry holds: avro, protobuf, json_sr)",
                          s.offset + 1);
    for (const auto& el : create["tableElts"]) {
        if (!el.contains("ColumnDef"))
            return make_error(sql_errc::feature_not_supported,
                              "table constraints are not supported on sources", s.offset + 1);
        const json& cd = el["ColumnDef"];
        auto t = bind_type_name(cd["typeName"], ctx);
        if (!t.ok()) return t.error();
        std::string name = cd.value("colname", "");
        for (const auto& c : cols)
            if (c.name == name)
                return make_error(sql_errc::duplicate_object,
                                  "column \"" + name + "\" specified more than once",
                                  ctx.position(cd.value("location", -1)));
        cols.push_back({name, t.value()});
    }
    return cols;
}

sql_status check_watermark(const parsed_statement& s, const std::vector<column_def>& cols) {
    const auto& w = *s.watermark;
    bind_scope scope;
    int found = -1;
    for (size_t i = 0; i < cols.size(); ++i) {
        scope.push_back({cols[i].name, cols[i].type, false});
        if (cols[i].name == w.column) found = static_cast<int>(i);
    }
    if (found < 0)
        return make_error(sql_errc::undefined_column,
                          "watermark column \"" + w.column + "\" does not exist",
                          s.offset + w.offset + 8);
    bind_context ctx;
    ctx.statement = &s;
    ctx.tree_offset = w.offset;
    auto e = bind_expression(w.expr, scope, ctx);
    if (!e.ok()) return e.error();
    type_id t = e.value()->type.id;
    if (t != type_id::timestamp && t != type_id::timestamptz)
        return make_error(
            sql_errc::datatype_mismatch,
            "watermark expression must be a timestamp, not " + type_name(e.value()->type),
            s.offset + w.offset + 8);
    return {};
}

// The query node and its offset of a view's or sink's CREATE statement.
struct query_ref {
    json tree;
    int tree_offset = 0;
};

sql_result<stream_plan> plan_query(const parsed_statement& s, const query_ref& q,
                                   const catalog& cat, std::vector<std::string>& relations) {
    bind_context ctx;
    ctx.cat = &cat;
    ctx.statement = &s;
    ctx.tree_offset = q.tree_offset;
    auto plan = bind_query(q.tree, ctx);
    if (!plan.ok()) return plan.error();
    if (!ctx.parameter_types.empty())
        return make_error(sql_errc::feature_not_supported,
                          "parameters are not allowed in materialized views and sinks",
                          s.offset + 1);
    auto sp = plan_stream(optimize(plan.value()), {.emit_on_window_close = s.emit_on_window_close});
    if (!sp.ok()) {
        sql_error e = sp.error();
        e.position = s.offset + 1;
        return e;
    }
    relations = ctx.relations;
    return sp;
}

sql_result<query_ref> sink_query(const parsed_statement& s) {
    if (s.from.empty()) return query_ref{s.tree, s.tree_offset};
    auto parsed = parse_sql("SELECT * FROM \"" + s.from + "\"");
    if (!parsed.ok()) return parsed.error();
    return query_ref{parsed.value()[0].tree, 0};
}

// The declared columns, or those of the subject's latest schema when a
// registry format declares none.
sql_result<std::vector<column_def>> columns_of_source(const parsed_statement& s,
                                                      const relation_def& r,
                                                      const schema_registry_ref& reg) {
    const json& create = s.tree["CreateStmt"];
    bool declared = create.contains("tableElts") && !create["tableElts"].empty();
    if (declared || !is_registry_format(r.format)) {
        bind_context ctx;
        ctx.statement = &s;
        return source_columns(s, ctx);
    }
    const with_option* m = find_option(s.options, "schema.message");
    return columns_from_subject(reg, r.format, value_subject(s.options, r.topic), m ? m->value : "",
                                s.offset + 1);
}

}  // namespace

std::string view_topic(const std::string& view) {
    return "__spate_view_" + view;
}

sql_result<catalog_object> build_source(const parsed_statement& s,
                                        const kafka::client::client_config& kafka,
                                        const schema_registry_ref& reg) {
    if (auto st = check_known(
            s.options,
            {"topic", "format", "scan_startup_mode", "csv.delimiter", "csv.header",
             "dead_letter_topic", "idle_timeout_ms", "schema.subject", "schema.message"},
            "source");
        !st.ok())
        return st.error();
    catalog_object o;
    o.kind = catalog_kind::source;
    o.name = s.name;
    o.create_sql = s.text;
    o.options = as_pairs(s.options);
    relation_def& r = o.relation;
    r.kind = catalog_kind::source;
    r.name = s.name;
    const with_option* topic = find_option(s.options, "topic");
    if (!topic || topic->value.empty())
        return make_error(sql_errc::invalid_parameter_value, "a source needs WITH (topic = '...')",
                          s.offset + 1);
    r.topic = topic->value;
    if (const with_option* f = find_option(s.options, "format")) {
        auto fmt = parse_record_format(f->value);
        if (!fmt.ok()) return option_error(*f, fmt.error().message);
        r.format = fmt.value();
        if (auto st = check_registry(r.format, reg, f->position + 1); !st.ok()) return st.error();
    }
    if (const with_option* m = find_option(s.options, "scan_startup_mode")) {
        if (m->value != "earliest" && m->value != "latest")
            return option_error(*m, "scan_startup_mode must be 'earliest' or 'latest'");
        r.start_earliest = m->value == "earliest";
    }
    if (const with_option* d = find_option(s.options, "csv.delimiter")) {
        if (d->value.size() != 1) return option_error(*d, "csv.delimiter must be one character");
        r.decoding.csv_delimiter = d->value[0];
    }
    if (const with_option* h = find_option(s.options, "csv.header")) {
        auto b = bool_option(*h);
        if (!b.ok()) return b.error();
        r.decoding.csv_header = b.value();
    }
    if (const with_option* i = find_option(s.options, "idle_timeout_ms")) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(i->value.data(), i->value.data() + i->value.size(), v);
        if (ec != std::errc() || p != i->value.data() + i->value.size() || v < 0)
            return option_error(*i, "idle_timeout_ms must be a non-negative integer");
        r.idle_timeout_ms = v;
    }
    const with_option* dlq = find_option(s.options, "dead_letter_topic");
    r.dead_letter_topic = dlq ? dlq->value : s.name + "__dlq";
    auto cols = columns_of_source(s, r, reg);
    if (!cols.ok()) return cols.error();
    r.columns = std::move(cols.value());
    for (const auto& h : hidden_columns())
        for (const auto& c : r.columns)
            if (c.name == h.name)
                return make_error(sql_errc::duplicate_object,
                                  "column \"" + c.name + "\" is reserved for Kafka metadata",
                                  s.offset + 1);
    if (s.watermark) {
        if (auto st = check_watermark(s, r.columns); !st.ok()) return st.error();
        r.watermark_column = s.watermark->column;
        r.watermark_sql = s.watermark->text;
    }
    auto probe = make_decoder(r.format, r.columns, r.decoding, reg.lookup);
    if (!probe.ok()) {
        sql_error e = probe.error();
        e.position = s.offset + 1;
        return e;
    }
    auto admin = kafka::client::admin::connect(kafka);
    if (!admin.ok()) return make_error(sql_errc::io_error, admin.err().message);
    auto t = admin.value().topic(r.topic);
    if (!t.ok()) {
        if (t.err().code == errc::not_found)
            return option_error(*topic, "topic \"" + r.topic + "\" does not exist");
        return make_error(sql_errc::io_error,
                          "looking up topic " + r.topic + ": " + t.err().message);
    }
    return o;
}

sql_result<catalog_object> build_view(const parsed_statement& s, const catalog& cat) {
    const json& ctas = s.tree["CreateTableAsStmt"];
    catalog_object o;
    o.kind = catalog_kind::view;
    o.name = ctas["into"]["rel"].value("relname", "");
    o.create_sql = s.text;
    o.emit_on_window_close = s.emit_on_window_close;
    std::vector<std::string> relations;
    auto plan = plan_query(s, {ctas["query"], 0}, cat, relations);
    if (!plan.ok()) return plan.error();
    auto mode =
        view_output_mode(o.name, plan.value(), updating_view_among(relations, cat), s.offset + 1);
    if (!mode.ok()) return mode.error();
    o.depends_on = relations;
    o.output_topic = view_topic(o.name);
    o.output_format = record_format::json;
    relation_def& r = o.relation;
    r.kind = catalog_kind::view;
    r.name = o.name;
    r.topic = o.output_topic;
    r.format = record_format::json;
    r.columns = plan.value().output_columns;
    r.start_earliest = true;
    r.dead_letter_topic = o.name + "__dlq";
    if (mode.value().type == sink_type::upsert) r.upsert_key = mode.value().key_columns;
    return o;
}

sql_result<catalog_object> build_sink(
    const parsed_statement& s, const catalog& cat, const schema_registry_ref& reg,
    const std::function<sql_status(const std::vector<std::string>&)>& check_reads) {
    if (auto st = check_known(s.options,
                              {"topic", "format", "type", "primary_key", "delivery_guarantee",
                               "at_least_once", "commit_interval_ms", "schema.subject"},
                              "sink");
        !st.ok())
        return st.error();
    catalog_object o;
    o.kind = catalog_kind::sink;
    o.name = s.name;
    o.create_sql = s.text;
    o.from = s.from;
    o.query_sql = s.query_text;
    o.emit_on_window_close = s.emit_on_window_close;
    o.options = as_pairs(s.options);
    const with_option* topic = find_option(s.options, "topic");
    if (!topic || topic->value.empty())
        return make_error(sql_errc::invalid_parameter_value, "a sink needs WITH (topic = '...')",
                          s.offset + 1);
    o.output_topic = topic->value;
    if (const with_option* f = find_option(s.options, "format")) {
        auto fmt = parse_record_format(f->value);
        if (!fmt.ok()) return option_error(*f, fmt.error().message);
        o.output_format = fmt.value();
        if (auto st = check_registry(o.output_format, reg, f->position + 1); !st.ok())
            return st.error();
    }
    if (const with_option* d = find_option(s.options, "delivery_guarantee")) {
        if (d->value != "exactly_once" && d->value != "at_least_once")
            return option_error(*d, "delivery_guarantee must be 'exactly_once' or 'at_least_once'");
        o.exactly_once = d->value == "exactly_once";
    }
    if (const with_option* a = find_option(s.options, "at_least_once")) {
        auto b = bool_option(*a);
        if (!b.ok()) return b.error();
        o.exactly_once = !b.value();
    }
    o.commit_interval_ms = 100;
    if (const with_option* c = find_option(s.options, "commit_interval_ms")) {
        int v = 0;
        auto [p, ec] = std::from_chars(c->value.data(), c->value.data() + c->value.size(), v);
        if (ec != std::errc() || p != c->value.data() + c->value.size() || v < 1 || v > 600000)
            return option_error(*c, "commit_interval_ms must be an integer between 1 and 600000");
        o.commit_interval_ms = v;
    }
    if (!s.from.empty() && !cat.find_relation(s.from))
        return make_error(sql_errc::undefined_table, "relation \"" + s.from + "\" does not exist",
                          s.offset + 1);
    auto q = sink_query(s);
    if (!q.ok()) return q.error();
    std::vector<std::string> relations;
    auto plan = plan_query(s, q.value(), cat, relations);
    if (!plan.ok()) return plan.error();
    if (check_reads)
        if (auto st = check_reads(relations); !st.ok()) return st.error();
    auto mode = sink_output_mode(o.name, s.options, plan.value(),
                                 updating_view_among(relations, cat), s.offset + 1);
    if (!mode.ok()) return mode.error();
    if (mode.value().type == sink_type::debezium && o.output_format != record_format::json)
        return option_error(*find_option(s.options, "type"),
                            "a sink of type 'debezium' writes JSON: use format = 'json'");
    o.depends_on = relations;
    if (is_registry_format(o.output_format)) {
        auto id = register_sink_schema(reg, o.output_format, o.name,
                                       value_subject(s.options, o.output_topic),
                                       plan.value().output_columns, s.offset + 1);
        if (!id.ok()) return id.error();
        o.output_schema_id = id.value();
    }
    return o;
}

sql_result<output_mode> output_mode_of(const catalog_object& o, const stream_plan& plan,
                                       const catalog& cat) {
    std::string updating = updating_view_among(plan.relations, cat);
    if (o.kind == catalog_kind::view) return view_output_mode(o.name, plan, updating, 0);
    std::vector<with_option> options;
    for (const auto& [k, v] : o.options)
        options.push_back({k, v, -1});
    return sink_output_mode(o.name, options, plan, updating, 0);
}

sql_result<stream_plan> plan_continuous(const catalog_object& o, const catalog& cat) {
    auto parsed = parse_sql(o.create_sql);
    if (!parsed.ok()) return parsed.error();
    if (parsed.value().size() != 1)
        return make_error(sql_errc::internal_error,
                          "stored CREATE of " + o.name + " is not one statement");
    const parsed_statement& s = parsed.value()[0];
    std::vector<std::string> relations;
    if (o.kind == catalog_kind::view)
        return plan_query(s, {s.tree["CreateTableAsStmt"]["query"], 0}, cat, relations);
    auto q = sink_query(s);
    if (!q.ok()) return q.error();
    return plan_query(s, q.value(), cat, relations);
}

}  // namespace spate::sql
