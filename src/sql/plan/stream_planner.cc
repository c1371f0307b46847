#include "sql/plan/stream_planner.h"

#include <algorithm>

#include "sql/exec/transform.h"

namespace spate::sql {

namespace {

using namespace stream_planner_detail;

const char* unsupported_name(plan_kind k) {
    switch (k) {
        case plan_kind::sort:
            return "ORDER BY";
        case plan_kind::limit:
            return "LIMIT/OFFSET";
        case plan_kind::values:
            return "a query without FROM";
        case plan_kind::join:
            return "a join";
        case plan_kind::distinct:
            return "DISTINCT";
        case plan_kind::apply:
            return "a subquery";
        case plan_kind::function:
            return "a table function";
        case plan_kind::aggregate:
            return "an aggregation below another operator";
        default:
            return "this operator";
    }
}

bool contains_aggregate(const plan_node& p) {
    if (p.kind == plan_kind::aggregate) return true;
    for (const auto& in : p.inputs)
        if (contains_aggregate(*in)) return true;
    return false;
}

// Walks down from `p` collecting stateless nodes (outermost first) until a
// scan.
sql_status collect(const plan_ptr& p, std::vector<const plan_node*> chain, stream_plan& out) {
    switch (p->kind) {
        case plan_kind::filter:
        case plan_kind::project:
        case plan_kind::window:
            chain.push_back(p.get());
            return collect(p->inputs[0], std::move(chain), out);
        case plan_kind::union_all:
            for (const auto& in : p->inputs)
                if (auto s = collect(in, chain, out); !s.ok()) return s;
            return {};
        case plan_kind::scan: {
            if (!p->relation.upsert_key.empty())
                return make_error(sql_errc::feature_not_supported,
                                  "a query without GROUP BY over materialized view \"" +
                                      p->relation.name +
                                      "\", whose rows update, is not supported in materialized "
                                      "views and sinks yet (aggregate it: GROUP BY ...)");
            std::vector<transform_ptr> transforms;
            for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
                auto t = node_transform(**it);
                if (!t.ok()) return t.error();
                transforms.push_back(std::move(t.value()));
            }
            std::vector<int> decoded;
            input_spec in = make_input(*p, {}, decoded);
            in.decoding.hidden_read = hidden_read(*p);
            transforms.insert(transforms.begin(), make_scan_select(*p, decoded));
            in.processor = make_pipeline(std::move(transforms));
            for (const auto& other : out.inputs)
                if (other.topic == in.topic)
                    return make_error(sql_errc::feature_not_supported,
                                      "a continuous query may read relation \"" + p->relation.name +
                                          "\" only once yet");
            out.inputs.push_back(std::move(in));
            out.relations.push_back(p->relation.name);
            return {};
        }
        default:
            return make_error(sql_errc::feature_not_supported,
                              std::string(unsupported_name(p->kind)) +
                                  " is not supported in materialized views and sinks yet");
    }
}

// The aggregate below the outermost filter/project chain, if any.
const plan_node* top_aggregate(const plan_node* p) {
    while (p->kind == plan_kind::filter || p->kind == plan_kind::project)
        p = p->inputs[0].get();
    return p->kind == plan_kind::aggregate ? p : nullptr;
}

}  // namespace

namespace stream_planner_detail {

uint32_t hidden_read(const plan_node& scan) {
    auto declared = static_cast<int>(scan.relation.columns.size());
    uint32_t read = 0;
    for (int c : scan.scan_columns)
        if (c >= declared) read |= 1u << static_cast<unsigned>(c - declared);
    return read;
}

input_spec make_input(const plan_node& scan, const std::vector<int>& extra_declared,
                      std::vector<int>& decoded) {
    const relation_def& r = scan.relation;
    decoded = decoded_declared_columns(scan);
    decoded.insert(decoded.end(), extra_declared.begin(), extra_declared.end());
    std::sort(decoded.begin(), decoded.end());
    decoded.erase(std::unique(decoded.begin(), decoded.end()), decoded.end());
    input_spec in;
    in.topic = r.topic;
    in.format = r.format;
    for (int c : decoded)
        in.columns.push_back(r.columns[static_cast<size_t>(c)]);
    in.decoding = r.decoding;
    in.start_earliest = r.start_earliest;
    in.dead_letter_topic = r.dead_letter_topic;
    const auto& hidden = hidden_columns();
    auto headers = std::find_if(hidden.begin(), hidden.end(),
                                [](const column_def& c) { return c.name == "_headers"; });
    int headers_column = static_cast<int>(r.columns.size() + (headers - hidden.begin()));
    in.read_headers = std::find(scan.scan_columns.begin(), scan.scan_columns.end(),
                                headers_column) != scan.scan_columns.end();
    return in;
}

sql_result<transform_ptr> node_transform(const plan_node& n) {
    switch (n.kind) {
        case plan_kind::filter:
            return make_filter(n.predicate);
        case plan_kind::project:
            return make_project(n.exprs);
        case plan_kind::window:
            if (n.window.kind == window_kind::session)
                return make_error(sql_errc::feature_not_supported,
                                  "SESSION windows need an aggregation (GROUP BY window_start, "
                                  "window_end) in materialized views and sinks");
            return make_window_assign(n);
        default:
            return make_error(sql_errc::internal_error, "not a stateless operator");
    }
}

}  // namespace stream_planner_detail

sql_result<stream_plan> plan_stream(const plan_ptr& optimised, const stream_options& o) {
    if (top_aggregate(optimised.get())) return plan_aggregate(optimised, o);
    if (contains_aggregate(*optimised))
        return make_error(sql_errc::feature_not_supported,
                          "an aggregation below UNION ALL or another aggregation is not supported "
                          "in materialized views and sinks yet");
    if (o.emit_on_window_close)
        return make_error(sql_errc::feature_not_supported,
                          "EMIT ON WINDOW CLOSE needs a windowed aggregation (GROUP BY "
                          "window_start, window_end over TUMBLE, HOP, CUMULATE or SESSION)");
    stream_plan out;
    out.output_columns = optimised->schema;
    if (auto s = collect(optimised, {}, out); !s.ok()) return s.error();
    return out;
}

}  // namespace spate::sql
