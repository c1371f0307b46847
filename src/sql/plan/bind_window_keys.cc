#include "sql/plan/bind_window_keys.h"

namespace spate::sql {

namespace {

struct traced {
    plan_node* window = nullptr;
    int column = -1;  // of the window node's output
};

// Column `c` of `n` followed down through filters and plain-reference
// project columns to a window node.
traced trace(plan_node* n, int c) {
    for (;;) {
        if (n->kind == plan_kind::filter) {
            n = n->inputs[0].get();
        } else if (n->kind == plan_kind::project) {
            const expr& e = *n->exprs[static_cast<size_t>(c)];
            if (e.kind != expr_kind::column_ref) return {};
            c = e.column;
            n = n->inputs[0].get();
        } else if (n->kind == plan_kind::window) {
            return {n, c};
        } else {
            return {};
        }
    }
}

// The column of `n` that is column `c` of `window` (below `n` through
// filters and projects), appended to the projects that lack it.
int expose(plan_node* n, const plan_node* window, int c) {
    if (n == window) return c;
    int below = expose(n->inputs[0].get(), window, c);
    if (n->kind == plan_kind::filter) {
        n->schema = n->inputs[0]->schema;
        return below;
    }
    for (size_t i = 0; i < n->exprs.size(); ++i) {
        const expr& e = *n->exprs[i];
        if (e.kind == expr_kind::column_ref && e.column == below) return static_cast<int>(i);
    }
    const column_def& def = n->inputs[0]->schema[static_cast<size_t>(below)];
    n->exprs.push_back(expr::make_column(below, def.type, def.name));
    n->schema.push_back(def);
    return static_cast<int>(n->exprs.size() - 1);
}

sql_status session_keys(plan_node& aggregate, plan_node* window, int start, int end) {
    std::vector<int> keys;
    for (const auto& k : aggregate.group_keys) {
        traced t;
        if (k->kind == expr_kind::column_ref) t = trace(aggregate.inputs[0].get(), k->column);
        if (t.window == window && (t.column == start || t.column == end)) continue;
        if (t.window != window || t.column >= start)
            return make_error(sql_errc::feature_not_supported,
                              "GROUP BY over a SESSION window supports only plain columns of "
                              "the window's input besides window_start and window_end");
        keys.push_back(t.column);
    }
    window->window.session_keys = std::move(keys);
    return {};
}

}  // namespace

sql_status bind_window_keys(plan_node& aggregate) {
    plan_node* input = aggregate.inputs[0].get();
    plan_node* window = input;
    while (window->kind == plan_kind::filter || window->kind == plan_kind::project)
        window = window->inputs[0].get();
    if (window->kind != plan_kind::window) return {};
    const int start = static_cast<int>(window->inputs[0]->schema.size());
    const int end = start + 1;
    int start_key = -1, end_key = -1;
    for (size_t i = 0; i < aggregate.group_keys.size(); ++i) {
        const expr& k = *aggregate.group_keys[i];
        if (k.kind != expr_kind::column_ref) continue;
        traced t = trace(input, k.column);
        if (t.window != window) continue;
        if (t.column == end && end_key < 0) end_key = static_cast<int>(i);
        if (t.column == start && start_key < 0) start_key = static_cast<int>(i);
    }
    if (end_key < 0 && start_key >= 0) {
        int c = expose(input, window, end);
        const column_def& def = input->schema[static_cast<size_t>(c)];
        aggregate.group_keys.push_back(expr::make_column(c, def.type, def.name));
        end_key = static_cast<int>(aggregate.group_keys.size() - 1);
    }
    aggregate.window_end_key = end_key;
    if (window->window.kind == window_kind::session)
        return session_keys(aggregate, window, start, end);
    return {};
}

}  // namespace spate::sql
