#include "sql/exec/join.h"

#include <deque>

#include "sql/expr/array_text.h"
#include "sql/expr/eval.h"
#include "sql/types/text_io.h"

namespace spate::sql {

namespace {

class memory_op final : public batch_operator {
  public:
    explicit memory_op(std::shared_ptr<const chunk> rows) : _rows(std::move(rows)) {}
    sql_result<std::optional<chunk>> next() override {
        if (_done || !_rows || _rows->rows() == 0) return std::optional<chunk>();
        _done = true;
        return std::optional<chunk>(*_rows);
    }

  private:
    std::shared_ptr<const chunk> _rows;
    bool _done = false;
};

// All of `in`'s rows in one chunk of `schema`'s types.
sql_result<chunk> drain(batch_operator& in, const std::vector<column_def>& schema) {
    std::vector<column> cols;
    for (const auto& c : schema)
        cols.emplace_back(c.type);
    size_t rows = 0;
    for (;;) {
        auto c = in.next();
        if (!c.ok()) return c.error();
        if (!c.value()) break;
        const chunk& ch = *c.value();
        for (size_t i = 0; i < cols.size(); ++i)
            for (size_t r = 0; r < ch.rows(); ++r)
                cols[i].push_from(ch.at(i), r);
        rows += ch.rows();
    }
    chunk out(std::move(cols));
    out.set_rows(rows);
    return out;
}

class nested_loop_op final : public batch_operator {
  public:
    nested_loop_op(batch_ptr left, batch_ptr right, const plan_node& p, const batch_env& env)
        : _left(std::move(left)), _right(std::move(right)), _p(p), _env(env) {}

    sql_result<std::optional<chunk>> next() override {
        if (!_right_rows) {
            std::vector<column_def> right_schema(
                _p.schema.begin() + static_cast<long>(_p.inputs[0]->schema.size()),
                _p.schema.end());
            auto r = drain(*_right, right_schema);
            if (!r.ok()) return r.error();
            _right_rows = std::move(r.value());
        }
        while (_pending.empty()) {
            auto c = _left->next();
            if (!c.ok()) return c.error();
            if (!c.value()) return std::optional<chunk>();
            if (auto s = join_chunk(*c.value()); !s.ok()) return s.error();
        }
        chunk out = std::move(_pending.front());
        _pending.pop_front();
        return std::optional<chunk>(std::move(out));
    }

  private:
    // Pairs rows [begin, end) of `left` with every right row.
    sql_status join_block(const chunk& left, size_t begin, size_t end) {
        size_t right_n = _right_rows->rows();
        std::vector<uint32_t> li, ri;
        for (size_t l = begin; l < end; ++l)
            for (size_t r = 0; r < right_n; ++r) {
                li.push_back(static_cast<uint32_t>(l));
                ri.push_back(static_cast<uint32_t>(r));
            }
        std::vector<column> cols;
        for (const auto& c : left.columns())
            cols.push_back(c.gather(li));
        for (const auto& c : _right_rows->columns())
            cols.push_back(c.gather(ri));
        chunk pairs(std::move(cols));
        pairs.set_rows(li.size());
        std::vector<uint8_t> keep(li.size(), 1);
        if (_p.predicate && !li.empty()) {
            auto m = evaluate_predicate(*_p.predicate, pairs, _env.ctx);
            if (!m.ok()) return m.error();
            keep = std::move(m.value());
        }
        if (!li.empty()) {
            chunk matched = pairs.filter(keep);
            if (matched.rows() > 0) _pending.push_back(std::move(matched));
        }
        if (_p.join == join_type::left) {
            std::vector<uint32_t> unmatched;
            for (size_t l = begin; l < end; ++l) {
                bool any = false;
                for (size_t r = 0; r < right_n && !any; ++r)
                    any = keep[(l - begin) * right_n + r] != 0;
                if (!any) unmatched.push_back(static_cast<uint32_t>(l));
            }
            if (!unmatched.empty()) {
                std::vector<column> out;
                for (const auto& c : left.columns())
                    out.push_back(c.gather(unmatched));
                for (const auto& c : _right_rows->columns()) {
                    column nulls(c.type());
                    for (size_t k = 0; k < unmatched.size(); ++k)
                        nulls.push_null();
                    out.push_back(std::move(nulls));
                }
                chunk extra(std::move(out));
                extra.set_rows(unmatched.size());
                _pending.push_back(std::move(extra));
            }
        }
        return {};
    }

    sql_status join_chunk(const chunk& left) {
        constexpr size_t k_max_pairs = 65536;
        size_t step = std::max<size_t>(1, k_max_pairs / std::max<size_t>(1, _right_rows->rows()));
        for (size_t b = 0; b < left.rows(); b += step)
            if (auto s = join_block(left, b, std::min(left.rows(), b + step)); !s.ok()) return s;
        return {};
    }

    batch_ptr _left, _right;
    const plan_node& _p;
    const batch_env& _env;
    std::optional<chunk> _right_rows;
    std::deque<chunk> _pending;
};

// A PostgreSQL array literal of `c`'s values: {a,"b c",NULL}.
std::string array_literal(const column& c, size_t rows) {
    std::string out = "{";
    std::string v;
    for (size_t r = 0; r < rows; ++r) {
        if (r) out += ",";
        if (c.is_null(r)) {
            out += "NULL";
            continue;
        }
        v.clear();
        format_text(c, r, v);
        append_array_element(v, out);
    }
    return out + "}";
}

class apply_op final : public batch_operator {
  public:
    apply_op(batch_ptr in, const plan_node& p, const batch_env& env)
        : _in(std::move(in)), _p(p), _env(env) {}

    sql_result<std::optional<chunk>> next() override {
        auto c = _in->next();
        if (!c.ok() || !c.value()) return c;
        chunk& ch = *c.value();
        for (const auto& sq : _p.subqueries) {
            column out(sq.kind == subquery_kind::array    ? data_type::of(type_id::text)
                       : sq.kind == subquery_kind::scalar ? sq.plan->schema[0].type
                                                          : data_type::of(type_id::boolean));
            for (size_t r = 0; r < ch.rows(); ++r) {
                auto v = run(sq, ch, r);
                if (!v.ok()) return v.error();
                if (v.value().is_null())
                    out.push_null();
                else
                    v.value().append_to(out);
            }
            ch.columns().push_back(std::move(out));
        }
        return c;
    }

  private:
    sql_result<value> run(const subquery_def& sq, const chunk& ch, size_t row) {
        std::vector<std::pair<int, value>> outer;
        for (const auto& [param, col] : sq.outer)
            outer.emplace_back(param, value::from_column(ch.at(static_cast<size_t>(col)), row));
        plan_ptr bound = bind_outer_references(sq.plan, outer);  // outlives the operators
        auto b = build_batch(bound, _env);
        if (!b.ok()) return b.error();
        auto rows = drain(*b.value(), sq.plan->schema);
        if (!rows.ok()) return rows.error();
        const chunk& res = rows.value();
        if (sq.kind == subquery_kind::exists) return value::boolean(res.rows() > 0);
        if (sq.kind == subquery_kind::any || sq.kind == subquery_kind::all) {
            // The comparisons' quantified result with SQL's three-valued logic.
            bool decisive = false, null_seen = false;
            const column& cmp = res.at(0);
            for (size_t r = 0; r < res.rows(); ++r) {
                if (cmp.is_null(r))
                    null_seen = true;
                else if ((cmp.values<uint8_t>()[r] != 0) == (sq.kind == subquery_kind::any))
                    decisive = true;
            }
            if (decisive) return value::boolean(sq.kind == subquery_kind::any);
            if (null_seen) return value::null(data_type::of(type_id::boolean));
            return value::boolean(sq.kind == subquery_kind::all);
        }
        if (sq.kind == subquery_kind::array)
            return value::text(array_literal(res.at(0), res.rows()));
        if (res.rows() == 0) return value::null(sq.plan->schema[0].type);
        if (res.rows() > 1)
            return make_error(sql_errc::invalid_parameter_value,
                              "more than one row returned by a subquery used as an expression");
        return value::from_column(res.at(0), 0);
    }

    batch_ptr _in;
    const plan_node& _p;
    const batch_env& _env;
};

expr_ptr bind_outer_expr(const expr_ptr& e, const std::vector<std::pair<int, value>>& values) {
    if (!e) return e;
    if (e->kind == expr_kind::parameter && e->parameter >= k_outer_parameter_base) {
        for (const auto& [p, v] : values)
            if (p == e->parameter) return expr::make_constant(v);
        return e;
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<expr>(*e);
    for (auto& a : copy->args)
        a = bind_outer_expr(a, values);
    return copy;
}

}  // namespace

batch_ptr make_memory_scan(const plan_node& memory) {
    return std::make_unique<memory_op>(memory.rows);
}

batch_ptr make_nested_loop_join(batch_ptr left, batch_ptr right, const plan_node& join,
                                const batch_env& env) {
    return std::make_unique<nested_loop_op>(std::move(left), std::move(right), join, env);
}

batch_ptr make_apply(batch_ptr input, const plan_node& apply, const batch_env& env) {
    return std::make_unique<apply_op>(std::move(input), apply, env);
}

plan_ptr bind_outer_references(const plan_ptr& p,
                               const std::vector<std::pair<int, value>>& values) {
    auto copy = std::make_shared<plan_node>(*p);
    for (auto& i : copy->inputs)
        i = bind_outer_references(i, values);
    copy->predicate = bind_outer_expr(copy->predicate, values);
    for (auto& e : copy->exprs)
        e = bind_outer_expr(e, values);
    for (auto& k : copy->keys)
        k.key = bind_outer_expr(k.key, values);
    for (auto& sq : copy->subqueries)
        sq.plan = bind_outer_references(sq.plan, values);
    return copy;
}

}  // namespace spate::sql
