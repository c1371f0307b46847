// The stateful plan of an aggregating continuous query (stream_planner.h):
// [filter/project]* -> aggregate -> [filter/project]* -> [window] ->
// [filter/project]* -> scan, cut into sub-topology A and B.

#include <algorithm>

#include "sql/exec/transform.h"
#include "sql/plan/binder.h"
#include "sql/plan/stream_planner.h"

namespace spate::sql {

namespace stream_planner_detail {

namespace {

using chain = std::vector<const plan_node*>;  // outermost first

sql_error unsupported(const std::string& what) {
    return make_error(sql_errc::feature_not_supported,
                      what + " is not supported in materialized views and sinks yet");
}

// Follows `p` down through filter/project nodes, collecting them.
const plan_node* strip(const plan_node* p, chain& out) {
    while (p->kind == plan_kind::filter || p->kind == plan_kind::project) {
        out.push_back(p);
        p = p->inputs[0].get();
    }
    return p;
}

// The column below `c` (outermost first) that column `col` of its top is,
// or -1 when an expression computes it.
int trace(const chain& c, int col) {
    for (const plan_node* n : c) {
        if (n->kind == plan_kind::filter) continue;
        const expr& e = *n->exprs[static_cast<size_t>(col)];
        if (e.kind != expr_kind::column_ref) return -1;
        col = e.column;
    }
    return col;
}

struct shape {
    chain post;  // above the aggregate
    const plan_node* agg = nullptr;
    chain above_window;  // between the aggregate and the window (or scan)
    const plan_node* window = nullptr;
    chain below_window;  // between the window and the scan
    const plan_node* scan = nullptr;
};

sql_result<shape> decompose(const plan_ptr& root) {
    shape s;
    s.agg = strip(root.get(), s.post);
    const plan_node* n = strip(s.agg->inputs[0].get(), s.above_window);
    if (n->kind == plan_kind::window) {
        s.window = n;
        n = strip(n->inputs[0].get(), s.below_window);
    }
    if (n->kind == plan_kind::scan) {
        s.scan = n;
        return s;
    }
    if (n->kind == plan_kind::aggregate)
        return unsupported(
            "an aggregation over an aggregation in one query (create the inner aggregation as a "
            "materialized view and aggregate the view)");
    if (n->kind == plan_kind::union_all) return unsupported("an aggregation over UNION ALL");
    if (n->kind == plan_kind::join) return unsupported("an aggregation over a join");
    if (n->kind == plan_kind::window) return unsupported("two window functions in one query");
    return unsupported("an aggregation over this operator");
}

// A relation-level expression (over the declared columns) from its SQL.
sql_result<expr_ptr> bind_relation_expr(const relation_def& r, const std::string& sql) {
    auto parsed = parse_sql("SELECT " + sql);
    if (!parsed.ok()) return parsed.error();
    const auto& tree = parsed.value()[0].tree;
    const auto& targets = tree["SelectStmt"]["targetList"];
    if (!targets.is_array() || targets.size() != 1)
        return make_error(sql_errc::internal_error, "bad watermark expression: " + sql);
    bind_scope scope;
    for (const auto& c : r.columns)
        scope.push_back({c.name, c.type, false, r.name});
    bind_context ctx;
    ctx.statement = &parsed.value()[0];
    return bind_expression(targets[0]["ResTarget"]["val"], scope, ctx);
}

int declared_index(const relation_def& r, const std::string& name) {
    for (size_t i = 0; i < r.columns.size(); ++i)
        if (r.columns[i].name == name) return static_cast<int>(i);
    return -1;
}

// The relation column (declared, or declared count + hidden index) the
// window's time column reads, or -1.
int window_time_source(const shape& s) {
    int c = trace(s.below_window, s.window->window.time_column);
    if (c < 0) return -1;
    return s.scan->scan_columns[static_cast<size_t>(c)];
}

bool is_proctime(const relation_def& r, int relation_column) {
    int hidden = relation_column - static_cast<int>(r.columns.size());
    const auto& h = hidden_columns();
    return hidden >= 0 && static_cast<size_t>(hidden) < h.size() &&
           h[static_cast<size_t>(hidden)].name == "_proctime";
}

// The group key reading the window's output column `window_col`, or -1.
int key_reading(const shape& s, int window_col) {
    for (size_t k = 0; k < s.agg->group_keys.size(); ++k) {
        const expr& e = *s.agg->group_keys[k];
        if (e.kind == expr_kind::column_ref && trace(s.above_window, e.column) == window_col)
            return static_cast<int>(k);
    }
    return -1;
}

bool reads_any(const expr& e, const std::vector<int>& cols) {
    std::vector<int> used;
    referenced_columns(e, used);
    for (int u : used)
        if (std::find(cols.begin(), cols.end(), u) != cols.end()) return true;
    return false;
}

// SESSION bounds are known only in the aggregate: before it, window_start
// and window_end may only be passed on and grouped by.
sql_status check_session_use(const shape& s) {
    int w = static_cast<int>(s.window->inputs[0]->schema.size());
    std::vector<int> cols{w, w + 1};
    sql_error bad = unsupported("an expression over a SESSION window's window_start/window_end");
    for (auto it = s.above_window.rbegin(); it != s.above_window.rend(); ++it) {
        const plan_node& n = **it;
        if (n.kind == plan_kind::filter) {
            if (reads_any(*n.predicate, cols)) return bad;
            continue;
        }
        std::vector<int> next;
        for (size_t i = 0; i < n.exprs.size(); ++i) {
            const expr& e = *n.exprs[i];
            bool ref = e.kind == expr_kind::column_ref &&
                       std::find(cols.begin(), cols.end(), e.column) != cols.end();
            if (ref)
                next.push_back(static_cast<int>(i));
            else if (reads_any(e, cols))
                return bad;
        }
        cols = std::move(next);
    }
    for (const auto& k : s.agg->group_keys)
        if (k->kind != expr_kind::column_ref && reads_any(*k, cols)) return bad;
    for (const auto& call : s.agg->aggregates) {
        for (const auto& a : call.args)
            if (reads_any(*a, cols)) return bad;
        if (call.filter && reads_any(*call.filter, cols)) return bad;
    }
    return {};
}

// SESSION in sub-topology A: window_start = window_end = the row's time
// (the aggregate operator assigns the real bounds).
class session_placeholder final : public transform {
  public:
    explicit session_placeholder(int time_column) : _time(static_cast<size_t>(time_column)) {}
    sql_result<chunk> apply(chunk input, const eval_context&) override {
        size_t rows = input.rows();
        column t = input.at(_time);
        input.columns().push_back(t);
        input.columns().push_back(std::move(t));
        input.set_rows(rows);
        return input;
    }

  private:
    size_t _time;
};

struct event_time_plan {
    event_time_def def;
    std::vector<int> needs;  // declared relation columns the expressions read
};

sql_result<event_time_plan> plan_event_time(const shape& s, bool window_on_proctime) {
    event_time_plan out;
    const relation_def& r = s.scan->relation;
    out.def.idle_timeout_ms = r.idle_timeout_ms;
    if (window_on_proctime) {
        out.def.processing_time = true;
        return out;
    }
    if (r.watermark_column.empty()) return out;
    int col = declared_index(r, r.watermark_column);
    if (col < 0)
        return make_error(sql_errc::internal_error, "watermark column \"" + r.watermark_column +
                                                        "\" of " + r.name + " does not exist");
    auto wm = bind_relation_expr(r, r.watermark_sql);
    if (!wm.ok()) return wm.error();
    out.def.time =
        expr::make_column(col, r.columns[static_cast<size_t>(col)].type, r.watermark_column);
    out.def.watermark = wm.value();
    referenced_columns(*wm.value(), out.needs);
    out.needs.push_back(col);
    return out;
}

// Event-time expressions over the relation's columns -> over the decoded chunk.
void remap_event_time(event_time_def& et, const std::vector<int>& decoded, size_t declared) {
    if (!et.time) return;
    std::vector<int> mapping(declared, -1);
    for (size_t i = 0; i < decoded.size(); ++i)
        mapping[static_cast<size_t>(decoded[i])] = static_cast<int>(i);
    et.time = remap_columns(et.time, mapping);
    et.watermark = remap_columns(et.watermark, mapping);
}

// The pre-aggregate projection: keys, call arguments, call filters
// (then the session time). Fills the layout fields of `def`.
std::vector<expr_ptr> pre_aggregate(const plan_node& agg, aggregate_def& def) {
    std::vector<expr_ptr> exprs;
    auto add = [&](const expr_ptr& e) {
        def.pre_columns.push_back({e->name.empty() ? "#" : e->name, e->type});
        exprs.push_back(e);
        return static_cast<int>(exprs.size()) - 1;
    };
    for (const auto& k : agg.group_keys) {
        def.key_types.push_back(k->type);
        add(k);
    }
    for (const auto& call : agg.aggregates) {
        std::vector<int> args;
        for (const auto& a : call.args)
            args.push_back(add(a));
        def.call_args.push_back(std::move(args));
        def.calls.push_back(call);
    }
    for (const auto& call : agg.aggregates)
        def.call_filters.push_back(call.filter ? add(call.filter) : -1);
    if (def.has_session)
        def.session.time_column = add(agg.group_keys[static_cast<size_t>(def.session.start_key)]);
    return exprs;
}

// HAVING and the SELECT list over the aggregate's output plus a row id.
std::shared_ptr<chunk_processor> post_processor(const shape& s) {
    std::vector<transform_ptr> transforms;
    int width = static_cast<int>(s.agg->schema.size()) + 1;
    for (auto it = s.post.rbegin(); it != s.post.rend(); ++it) {
        const plan_node& n = **it;
        if (n.kind == plan_kind::filter) {
            transforms.push_back(make_filter(n.predicate));
            continue;
        }
        std::vector<expr_ptr> exprs = n.exprs;
        exprs.push_back(expr::make_column(width - 1, data_type::of(type_id::int64), "_row"));
        width = static_cast<int>(exprs.size());
        transforms.push_back(make_project(std::move(exprs)));
    }
    return make_pipeline(std::move(transforms));
}

std::vector<int> unique_key(const shape& s, size_t outputs) {
    size_t keys = s.agg->group_keys.size();
    std::vector<int> out(keys, -1);
    for (size_t j = 0; j < outputs; ++j) {
        int a = trace(s.post, static_cast<int>(j));
        if (a >= 0 && static_cast<size_t>(a) < keys && out[static_cast<size_t>(a)] < 0)
            out[static_cast<size_t>(a)] = static_cast<int>(j);
    }
    for (int c : out)
        if (c < 0) return {};
    return out;
}

// Window facts of `def` (keys, session) and whether windows close.
sql_status plan_windows(const shape& s, const event_time_def& et, aggregate_def& def) {
    if (!s.window) return {};
    const window_def& w = s.window->window;
    int width = static_cast<int>(s.window->inputs[0]->schema.size());
    def.window_end_key =
        s.agg->window_end_key >= 0 ? s.agg->window_end_key : key_reading(s, width + 1);
    if (w.kind == window_kind::session) {
        int start = key_reading(s, width), end = key_reading(s, width + 1);
        if (start < 0 || end < 0)
            return make_error(sql_errc::feature_not_supported,
                              "a SESSION window's aggregation must GROUP BY window_start and "
                              "window_end");
        if (auto st = check_session_use(s); !st.ok()) return st;
        def.has_session = true;
        def.session.gap_us = w.size_us;
        def.session.start_key = start;
        def.session.end_key = end;
        def.window_end_key = -1;
    }
    bool windowed = def.has_session || def.window_end_key >= 0;
    int source = window_time_source(s);
    const relation_def& r = s.scan->relation;
    bool on_watermark = source >= 0 && source < static_cast<int>(r.columns.size()) &&
                        r.columns[static_cast<size_t>(source)].name == r.watermark_column;
    def.windows_close = windowed && (et.processing_time || (et.time && on_watermark));
    return {};
}

}  // namespace

sql_result<stream_plan> plan_aggregate(const plan_ptr& optimised, const stream_options& o) {
    auto sh = decompose(optimised);
    if (!sh.ok()) return sh.error();
    const shape& s = sh.value();
    bool on_proctime = s.window && is_proctime(s.scan->relation, window_time_source(s));
    auto et = plan_event_time(s, on_proctime);
    if (!et.ok()) return et.error();
    auto def = std::make_shared<aggregate_def>();
    if (auto st = plan_windows(s, et.value().def, *def); !st.ok()) return st.error();
    // An updating relation (an upsert view): its rows come normalised into
    // retractions and insertions (upsert_normaliser.h).
    bool updating = !s.scan->relation.upsert_key.empty();
    def->input_retracts = updating;
    if (updating && (def->has_session || def->windows_close))
        return unsupported(
            "a SESSION window or a window closing with the watermark over "
            "materialized view \"" +
            s.scan->relation.name + "\", whose rows update,");
    def->emit_on_window_close = o.emit_on_window_close;
    if (o.emit_on_window_close && !def->windows_close)
        return make_error(
            sql_errc::feature_not_supported,
            "EMIT ON WINDOW CLOSE needs a windowed aggregation (GROUP BY window_end of TUMBLE, "
            "HOP, CUMULATE or SESSION) whose windows are over the source's WATERMARK column or "
            "_proctime");

    std::vector<transform_ptr> transforms;
    for (auto it = s.below_window.rbegin(); it != s.below_window.rend(); ++it) {
        auto t = node_transform(**it);
        if (!t.ok()) return t.error();
        transforms.push_back(std::move(t.value()));
    }
    if (s.window) {
        if (def->has_session) {
            transforms.push_back(
                std::make_unique<session_placeholder>(s.window->window.time_column));
        } else {
            auto t = node_transform(*s.window);
            if (!t.ok()) return t.error();
            transforms.push_back(std::move(t.value()));
        }
    }
    for (auto it = s.above_window.rbegin(); it != s.above_window.rend(); ++it) {
        auto t = node_transform(**it);
        if (!t.ok()) return t.error();
        transforms.push_back(std::move(t.value()));
    }
    transforms.push_back(make_project(pre_aggregate(*s.agg, *def)));
    def->post = post_processor(s);
    def->post_filters = std::any_of(s.post.begin(), s.post.end(),
                                    [](const auto& n) { return n->kind == plan_kind::filter; });

    stream_plan out;
    out.output_columns = optimised->schema;
    std::vector<int> decoded;
    input_spec in = make_input(*s.scan, et.value().needs, decoded);
    transforms.insert(transforms.begin(), make_scan_select(*s.scan, decoded));
    in.processor = make_pipeline(std::move(transforms));
    in.event_time = et.value().def;
    in.upsert = updating;
    remap_event_time(in.event_time, decoded, s.scan->relation.columns.size());
    out.inputs.push_back(std::move(in));
    out.relations.push_back(s.scan->relation.name);
    out.append_only = o.emit_on_window_close;
    out.unique_key = unique_key(s, out.output_columns.size());
    def->output_key = out.unique_key;
    out.aggregate = std::move(def);
    return out;
}

}  // namespace stream_planner_detail

}  // namespace spate::sql
