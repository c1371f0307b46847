#include "sql/exec/key_range.h"

#include <algorithm>
#include <optional>

#include "sql/expr/eval.h"
#include "sql/serving/key_codec.h"

namespace spate::sql {

namespace {

// Beyond this many IN-list combinations the prefix stops growing.
constexpr size_t k_max_prefixes = 4096;

struct bound {
    std::string key;  // encoded value
    bool inclusive = true;
};

struct column_constraint {
    std::optional<std::vector<std::string>> eq;  // sorted, unique; empty: nothing matches
    std::optional<bound> lower;
    std::optional<bound> upper;
};

void conjuncts(const expr& e, std::vector<const expr*>& out) {
    if (e.kind == expr_kind::and_) {
        for (const auto& a : e.args)
            conjuncts(*a, out);
        return;
    }
    out.push_back(&e);
}

bool foldable(const expr& e) {
    if (e.kind == expr_kind::column_ref) return false;
    if (e.kind == expr_kind::parameter && e.parameter >= k_outer_parameter_base) return false;
    if ((e.kind == expr_kind::function || e.kind == expr_kind::nullif ||
         e.kind == expr_kind::in_list) &&
        e.function.volatile_)
        return false;
    for (const auto& a : e.args)
        if (!foldable(*a)) return false;
    return true;
}

// The key position of a column reference of the scan's output (-1: none).
int key_position(const expr& e, const plan_node& scan) {
    if (e.kind != expr_kind::column_ref || e.column < 0 ||
        static_cast<size_t>(e.column) >= scan.scan_columns.size())
        return -1;
    int rc = scan.scan_columns[static_cast<size_t>(e.column)];
    const auto& key = scan.relation.upsert_key;
    auto it = std::find(key.begin(), key.end(), rc);
    if (it == key.end()) return -1;
    if (scan.relation.columns[static_cast<size_t>(rc)].type.id != e.type.id) return -1;
    return static_cast<int>(it - key.begin());
}

// The encoded value of `c` (nullopt: NULL, which no comparison matches).
sql_result<std::optional<std::string>> encode_constant(const expr& c, const eval_context& ctx) {
    chunk one;
    one.set_rows(1);
    auto v = evaluate(c, one, ctx);
    if (!v.ok()) return v.error();
    if (v.value().is_null(0)) return std::optional<std::string>();
    std::string out;
    encode_key_column(v.value(), 0, out);
    return std::optional<std::string>(std::move(out));
}

void tighten_lower(column_constraint& k, bound b) {
    if (!k.lower || b.key > k.lower->key || (b.key == k.lower->key && !b.inclusive)) k.lower = b;
}

void tighten_upper(column_constraint& k, bound b) {
    if (!k.upper || b.key < k.upper->key || (b.key == k.upper->key && !b.inclusive)) k.upper = b;
}

void restrict_eq(column_constraint& k, std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (!k.eq) {
        k.eq = std::move(values);
        return;
    }
    std::vector<std::string> both;
    std::set_intersection(k.eq->begin(), k.eq->end(), values.begin(), values.end(),
                          std::back_inserter(both));
    k.eq = std::move(both);
}

std::string flip(const std::string& op) {
    if (op == "<") return ">";
    if (op == "<=") return ">=";
    if (op == ">") return "<";
    if (op == ">=") return "<=";
    return op;
}

// Adds what conjunct `e` says about a key column to `cons`.
sql_status constrain(const expr& e, const plan_node& scan, const eval_context& ctx,
                     std::vector<column_constraint>& cons) {
    if (e.kind == expr_kind::in_list) {
        int k = key_position(*e.args[0], scan);
        if (k < 0) return {};
        std::vector<std::string> values;
        for (size_t i = 1; i < e.args.size(); ++i) {
            if (!foldable(*e.args[i]) || e.args[i]->type.id != e.args[0]->type.id) return {};
            auto v = encode_constant(*e.args[i], ctx);
            if (!v.ok()) return v.error();
            if (v.value()) values.push_back(std::move(*v.value()));
        }
        restrict_eq(cons[static_cast<size_t>(k)], std::move(values));
        return {};
    }
    if (e.kind != expr_kind::function || e.args.size() != 2) return {};
    std::string op = e.function.name;
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") return {};
    const expr* col = e.args[0].get();
    const expr* val = e.args[1].get();
    if (key_position(*col, scan) < 0) {
        std::swap(col, val);
        op = flip(op);
    }
    int k = key_position(*col, scan);
    if (k < 0 || !foldable(*val) || val->type.id != col->type.id) return {};
    auto v = encode_constant(*val, ctx);
    if (!v.ok()) return v.error();
    column_constraint& c = cons[static_cast<size_t>(k)];
    if (!v.value()) {
        c.eq = std::vector<std::string>();  // x op NULL is never true
        return {};
    }
    std::string key = std::move(*v.value());
    if (op == "=") {
        restrict_eq(c, {key});
    } else if (op == "<" || op == "<=") {
        tighten_upper(c, {key, op == "<="});
    } else {
        tighten_lower(c, {key, op == ">="});
    }
    return {};
}

void add_range(std::string lower, std::string upper, key_lookup& out) {
    if (!upper.empty() && upper <= lower) return;
    out.ranges.push_back({std::move(lower), std::move(upper)});
}

}  // namespace

sql_result<key_lookup> plan_key_lookup(const expr& predicate, const plan_node& scan,
                                       const eval_context& ctx) {
    std::vector<column_constraint> cons(scan.relation.upsert_key.size());
    std::vector<const expr*> parts;
    conjuncts(predicate, parts);
    for (const expr* e : parts)
        if (auto s = constrain(*e, scan, ctx, cons); !s.ok()) return s.error();
    key_lookup out;
    std::vector<std::string> prefixes{""};
    size_t m = 0;
    for (; m < cons.size() && cons[m].eq; ++m) {
        if (prefixes.size() * cons[m].eq->size() > k_max_prefixes) break;
        std::vector<std::string> longer;
        for (const auto& p : prefixes)
            for (const auto& v : *cons[m].eq)
                longer.push_back(p + v);
        prefixes = std::move(longer);
    }
    out.prefix_columns = m;
    const column_constraint* next = m < cons.size() ? &cons[m] : nullptr;
    out.bounded_next = next && !next->eq && (next->lower || next->upper);
    for (const auto& p : prefixes) {
        if (!out.bounded_next) {
            add_range(p, prefix_successor(p), out);
            continue;
        }
        std::string lower = p, upper = prefix_successor(p);
        if (next->lower)
            lower = next->lower->inclusive ? p + next->lower->key
                                           : prefix_successor(p + next->lower->key);
        if (next->upper)
            upper = next->upper->inclusive ? prefix_successor(p + next->upper->key)
                                           : p + next->upper->key;
        add_range(std::move(lower), std::move(upper), out);
    }
    return out;
}

}  // namespace spate::sql
