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

// Narrows scans under project/filter chains to the columns read.
plan_ptr prune_columns(plan_ptr p) {
    if (p->kind != plan_kind::project) {
        for (auto& i : p->inputs)
            i = prune_columns(i);
        return p;
    }
    // Collect the chain project -> filter* -> scan.
    std::vector<plan_ptr> filters;
    plan_ptr n = p->inputs[0];
    while (n->kind == plan_kind::filter) {
        filters.push_back(n);
        n = n->inputs[0];
    }
    if (n->kind != plan_kind::scan) {
        p->inputs[0] = prune_columns(p->inputs[0]);
        return p;
    }
    std::vector<int> used;
    for (const auto& e : p->exprs)
        referenced_columns(*e, used);
    for (const auto& f : filters)
        referenced_columns(*f->predicate, used);
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    std::vector<int> mapping(n->schema.size(), -1);
    auto scan = std::make_shared<plan_node>(*n);
    scan->scan_columns.clear();
    scan->schema.clear();
    for (size_t k = 0; k < used.size(); ++k) {
        mapping[static_cast<size_t>(used[k])] = static_cast<int>(k);
        scan->scan_columns.push_back(n->scan_columns[static_cast<size_t>(used[k])]);
        scan->schema.push_back(n->schema[static_cast<size_t>(used[k])]);
    }
    plan_ptr below = scan;
    for (auto it = filters.rbegin(); it != filters.rend(); ++it) {
        auto f = with_input(**it, below);
        f->schema = scan->schema;
        f->predicate = remap_columns((*it)->predicate, mapping);
        below = f;
    }
    auto proj = with_input(*p, below);
    for (auto& e : proj->exprs)
        e = remap_columns(e, mapping);
    return proj;
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
    return prune_columns(push_filters(std::move(root)));
}

std::string explain(const plan_node& root) {
    std::ostringstream out;
    explain_into(root, 0, out);
    return out.str();
}

}  // namespace spate::sql
