#include "sql/plan/optimizer.h"

#include <algorithm>
#include <sstream>

namespace spate::sql {

namespace {

// `e` with every column reference i replaced by `exprs[i]`.
expr_ptr substitute(const expr_ptr& e, const std::vector<expr_ptr>& exprs) {
    if (e->kind == expr_kind::column_ref) return exprs[static_cast<size_t>(e->column)];
    if (e->args.empty()) return e;
    auto copy = std::make_shared<expr>(*e);
    for (auto& a : copy->args)
        a = substitute(a, exprs);
    return copy;
}

bool has_volatile(const expr& e) {
    if (e.kind == expr_kind::function && e.function.volatile_) return true;
    for (const auto& a : e.args)
        if (has_volatile(*a)) return true;
    return false;
}

plan_ptr with_input(const plan_node& n, plan_ptr input) {
    auto copy = std::make_shared<plan_node>(n);
    copy->inputs = {std::move(input)};
    return copy;
}

void conjuncts(const expr_ptr& e, std::vector<expr_ptr>& out) {
    if (e->kind != expr_kind::and_) {
        out.push_back(e);
        return;
    }
    for (const auto& a : e->args)
        conjuncts(a, out);
}

expr_ptr conjunction(std::vector<expr_ptr> terms) {
    if (terms.size() == 1) return terms[0];
    return expr::make(expr_kind::and_, data_type::of(type_id::boolean), std::move(terms));
}

// Whether a filter term may run below window `w`: it reads only the
// window's input columns (not window_start/window_end), nothing volatile
// (a HOP row is evaluated once per window above), and for SESSION only the
// session keys (dropping other rows would change the sessions).
bool below_window(const expr& term, const plan_node& w) {
    if (has_volatile(term)) return false;
    std::vector<int> cols;
    referenced_columns(term, cols);
    int width = static_cast<int>(w.schema.size()) - 2;
    const auto& keys = w.window.session_keys;
    for (int c : cols) {
        if (c >= width) return false;
        if (w.window.kind == window_kind::session &&
            std::find(keys.begin(), keys.end(), c) == keys.end())
            return false;
    }
    return true;
}

plan_ptr push_filters(plan_ptr p);

// Filter `p` over a window: the terms below_window() allows go under it.
plan_ptr push_through_window(const plan_ptr& p) {
    const plan_ptr& win = p->inputs[0];
    std::vector<expr_ptr> terms, down, up;
    conjuncts(p->predicate, terms);
    for (const auto& t : terms)
        (below_window(*t, *win) ? down : up).push_back(t);
    if (down.empty()) return p;
    auto below = with_input(*p, win->inputs[0]);
    below->schema = win->inputs[0]->schema;
    below->predicate = conjunction(std::move(down));
    plan_ptr w = with_input(*win, push_filters(below));
    if (up.empty()) return w;
    auto above = with_input(*p, w);
    above->predicate = conjunction(std::move(up));
    return above;
}

plan_ptr push_filters(plan_ptr p) {
    for (auto& i : p->inputs)
        i = push_filters(i);
    if (p->kind != plan_kind::filter) return p;
    plan_ptr child = p->inputs[0];
    if (child->kind == plan_kind::filter) {
        auto merged = with_input(*p, child->inputs[0]);
        merged->predicate = expr::make(expr_kind::and_, data_type::of(type_id::boolean),
                                       {child->predicate, p->predicate});
        return push_filters(merged);
    }
    if (child->kind == plan_kind::project) {
        for (const auto& e : child->exprs)
            if (has_volatile(*e)) return p;
        auto below = with_input(*p, child->inputs[0]);
        below->schema = child->inputs[0]->schema;
        below->predicate = substitute(p->predicate, child->exprs);
        return with_input(*child, push_filters(below));
    }
    if (child->kind == plan_kind::window) return push_through_window(p);
    if (child->kind == plan_kind::union_all) {
        auto u = std::make_shared<plan_node>(*child);
        for (auto& in : u->inputs) {
            auto f = with_input(*p, in);
            f->schema = in->schema;
            in = push_filters(f);
        }
        return u;
    }
    return p;
}

std::vector<int> all_columns(const plan_node& n) {
    std::vector<int> out(n.schema.size());
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<int>(i);
    return out;
}

// A plan narrowed to some of its output columns: `mapping[i]` is the new
// index of old output column i, -1 when dropped.
struct narrowed {
    plan_ptr plan;
    std::vector<int> mapping;
};

narrowed narrow(const plan_ptr& p, std::vector<int> used);

// `p` keeping its columns, its inputs narrowed to what they hold (the
// inputs of nodes other than those narrow() looks into keep every column).
narrowed keep_columns(const plan_ptr& p) {
    auto copy = std::make_shared<plan_node>(*p);
    for (auto& i : copy->inputs)
        i = narrow(i, all_columns(*i)).plan;
    return {copy, all_columns(*p)};
}

narrowed narrow_scan(const plan_ptr& n, const std::vector<int>& used) {
    std::vector<int> mapping(n->schema.size(), -1);
    auto scan = std::make_shared<plan_node>(*n);
    scan->scan_columns.clear();
    scan->schema.clear();
    for (size_t k = 0; k < used.size(); ++k) {
        mapping[static_cast<size_t>(used[k])] = static_cast<int>(k);
        scan->scan_columns.push_back(n->scan_columns[static_cast<size_t>(used[k])]);
        scan->schema.push_back(n->schema[static_cast<size_t>(used[k])]);
    }
    return {scan, mapping};
}

narrowed narrow_project(const plan_ptr& p, const std::vector<int>& used) {
    std::vector<int> read;
    for (int c : used)
        referenced_columns(*p->exprs[static_cast<size_t>(c)], read);
    narrowed below = narrow(p->inputs[0], std::move(read));
    auto proj = with_input(*p, below.plan);
    proj->exprs.clear();
    proj->schema.clear();
    std::vector<int> mapping(p->schema.size(), -1);
    for (int c : used) {
        mapping[static_cast<size_t>(c)] = static_cast<int>(proj->exprs.size());
        proj->exprs.push_back(remap_columns(p->exprs[static_cast<size_t>(c)], below.mapping));
        proj->schema.push_back(p->schema[static_cast<size_t>(c)]);
    }
    return {proj, mapping};
}

narrowed narrow_filter(const plan_ptr& f, std::vector<int> used) {
    referenced_columns(*f->predicate, used);
    narrowed below = narrow(f->inputs[0], std::move(used));
    auto filter = with_input(*f, below.plan);
    filter->schema = below.plan->schema;
    filter->predicate = remap_columns(f->predicate, below.mapping);
    return {filter, below.mapping};
}

// A window needs its time column and session keys besides what is used;
// window_start and window_end stay.
narrowed narrow_window(const plan_ptr& w, const std::vector<int>& used) {
    int width = static_cast<int>(w->schema.size()) - 2;
    std::vector<int> read;
    for (int c : used)
        if (c < width) read.push_back(c);
    read.push_back(w->window.time_column);
    read.insert(read.end(), w->window.session_keys.begin(), w->window.session_keys.end());
    narrowed below = narrow(w->inputs[0], std::move(read));
    auto win = with_input(*w, below.plan);
    win->schema = below.plan->schema;
    win->schema.push_back(w->schema[static_cast<size_t>(width)]);
    win->schema.push_back(w->schema[static_cast<size_t>(width) + 1]);
    win->window.time_column = below.mapping[static_cast<size_t>(w->window.time_column)];
    for (int& k : win->window.session_keys)
        k = below.mapping[static_cast<size_t>(k)];
    std::vector<int> mapping = below.mapping;
    int below_width = static_cast<int>(below.plan->schema.size());
    mapping.push_back(below_width);
    mapping.push_back(below_width + 1);
    return {win, mapping};
}

// Narrows `p` to (at least) its output columns `used`: scans decode only
// the columns read above them, projections compute only the columns used,
// through filters and windows. Other nodes keep their columns.
narrowed narrow(const plan_ptr& p, std::vector<int> used) {
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    switch (p->kind) {
        case plan_kind::scan:
            return narrow_scan(p, used);
        case plan_kind::project:
            return narrow_project(p, used);
        case plan_kind::filter:
            return narrow_filter(p, std::move(used));
        case plan_kind::window:
            return narrow_window(p, used);
        default:
            return keep_columns(p);
    }
}

const char* kind_name(plan_kind k) {
    switch (k) {
        case plan_kind::scan:
            return "Scan";
        case plan_kind::values:
            return "Values";
        case plan_kind::filter:
            return "Filter";
        case plan_kind::project:
            return "Project";
        case plan_kind::union_all:
            return "UnionAll";
        case plan_kind::sort:
            return "Sort";
        case plan_kind::limit:
            return "Limit";
        case plan_kind::memory:
            return "SystemTable";
        case plan_kind::join:
            return "NestedLoopJoin";
        case plan_kind::apply:
            return "Apply";
        case plan_kind::distinct:
            return "Distinct";
        case plan_kind::function:
            return "TableFunction";
        case plan_kind::aggregate:
            return "Aggregate";
        case plan_kind::window:
            return "Window";
    }
    return "?";
}

// "10s", "90s", "1500ms", "1d", "-3us": the largest unit that divides evenly.
std::string duration_text(int64_t us) {
    static constexpr std::pair<int64_t, const char*> k_units[] = {
        {k_micros_per_day, "d"},    {3'600'000'000, "h"}, {60'000'000, "m"},
        {k_micros_per_second, "s"}, {1000, "ms"},
    };
    if (us == 0) return "0s";
    for (const auto& [unit, name] : k_units)
        if (us % unit == 0) return std::to_string(us / unit) + name;
    return std::to_string(us) + "us";
}

// "tumble(date_time, 10s)", "hop(date_time, slide 5s, size 10s, offset 1s)",
// "cumulate(date_time, step 1m, size 1h)", "session(date_time, gap 5m) keys [bidder]".
void explain_window(const plan_node& n, std::ostringstream& out) {
    const window_def& w = n.window;
    const auto& in = n.inputs[0]->schema;
    out << " ";
    switch (w.kind) {
        case window_kind::tumble:
            out << "tumble(" << in[static_cast<size_t>(w.time_column)].name << ", "
                << duration_text(w.size_us);
            break;
        case window_kind::hop:
            out << "hop(" << in[static_cast<size_t>(w.time_column)].name << ", slide "
                << duration_text(w.slide_us) << ", size " << duration_text(w.size_us);
            break;
        case window_kind::cumulate:
            out << "cumulate(" << in[static_cast<size_t>(w.time_column)].name << ", step "
                << duration_text(w.slide_us) << ", size " << duration_text(w.size_us);
            break;
        case window_kind::session:
            out << "session(" << in[static_cast<size_t>(w.time_column)].name << ", gap "
                << duration_text(w.size_us);
            break;
    }
    if (w.offset_us != 0) out << ", offset " << duration_text(w.offset_us);
    out << ")";
    if (!w.session_keys.empty()) {
        out << " keys [";
        for (size_t i = 0; i < w.session_keys.size(); ++i)
            out << (i ? ", " : "") << in[static_cast<size_t>(w.session_keys[i])].name;
        out << "]";
    }
}

void explain_into(const plan_node& n, int depth, std::ostringstream& out) {
    out << std::string(static_cast<size_t>(depth) * 2, ' ') << kind_name(n.kind);
    switch (n.kind) {
        case plan_kind::scan: {
            out << " " << n.relation.name << " (topic " << n.relation.topic << ", "
                << format_name(n.relation.format) << ") columns [";
            for (size_t i = 0; i < n.schema.size(); ++i)
                out << (i ? ", " : "") << n.schema[i].name;
            out << "]";
            break;
        }
        case plan_kind::filter:
            out << " " << to_string(*n.predicate);
            break;
        case plan_kind::project:
            out << " [";
            for (size_t i = 0; i < n.exprs.size(); ++i) {
                std::string e = to_string(*n.exprs[i]);
                out << (i ? ", " : "") << e;
                if (i < n.schema.size() && e != n.schema[i].name) out << " AS " << n.schema[i].name;
            }
            out << "]";
            break;
        case plan_kind::sort:
            out << " [";
            for (size_t i = 0; i < n.keys.size(); ++i)
                out << (i ? ", " : "") << to_string(*n.keys[i].key)
                    << (n.keys[i].descending ? " DESC" : "");
            out << "]";
            break;
        case plan_kind::limit:
            out << " " << n.limit << " offset " << n.offset;
            break;
        case plan_kind::memory:
            out << " " << n.memory_name;
            break;
        case plan_kind::join:
            out << (n.join == join_type::left ? " left" : " inner");
            if (n.predicate) out << " " << to_string(*n.predicate);
            break;
        case plan_kind::apply:
            out << " subqueries " << n.subqueries.size();
            break;
        case plan_kind::function:
            out << " " << n.function;
            break;
        case plan_kind::window:
            explain_window(n, out);
            break;
        case plan_kind::aggregate:
            out << " [";
            for (size_t i = 0; i < n.aggregates.size(); ++i)
                out << (i ? ", " : "") << n.aggregates[i].name;
            out << "]";
            break;
        default:
            break;
    }
    out << "\n";
    for (const auto& i : n.inputs)
        explain_into(*i, depth + 1, out);
    for (const auto& sq : n.subqueries)
        explain_into(*sq.plan, depth + 1, out);
}

}  // namespace

plan_ptr optimize(plan_ptr root) {
    plan_ptr pushed = push_filters(std::move(root));
    return narrow(pushed, all_columns(*pushed)).plan;
}

std::string explain(const plan_node& root) {
    std::ostringstream out;
    explain_into(root, 0, out);
    return out.str();
}

}  // namespace spate::sql
