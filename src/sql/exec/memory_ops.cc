// DISTINCT and table functions (generate_series, unnest) over materialised rows (join.h).

#include <unordered_set>

#include "sql/exec/join.h"
#include "sql/exec/sort.h"
#include "sql/expr/array_text.h"
#include "sql/expr/eval.h"
#include "sql/types/text_io.h"

namespace spate::sql {

namespace {

class distinct_op final : public batch_operator {
  public:
    explicit distinct_op(batch_ptr in) : _in(std::move(in)) {}
    sql_result<std::optional<chunk>> next() override {
        for (;;) {
            auto c = _in->next();
            if (!c.ok() || !c.value()) return c;
            const chunk& ch = *c.value();
            std::vector<uint8_t> keep(ch.rows(), 0);
            bool any = false;
            for (size_t r = 0; r < ch.rows(); ++r) {
                // Row key: each value's text with a length prefix, NULL as "N".
                std::string key;
                for (size_t i = 0; i < ch.width(); ++i) {
                    if (ch.at(i).is_null(r)) {
                        key += "N";
                        continue;
                    }
                    std::string v;
                    format_text(ch.at(i), r, v);
                    key += std::to_string(v.size()) + ":" + v;
                }
                keep[r] = _seen.insert(std::move(key)).second ? 1 : 0;
                any |= keep[r] != 0;
            }
            if (any) return std::optional<chunk>(ch.filter(keep));
        }
    }

  private:
    batch_ptr _in;
    std::unordered_set<std::string> _seen;
};

class series_op final : public batch_operator {
  public:
    series_op(const plan_node& p, const batch_env& env) : _p(p), _env(env) {}
    sql_result<std::optional<chunk>> next() override {
        if (!_started) {
            _started = true;
            chunk one;
            one.set_rows(1);
            int64_t bounds[3] = {0, 0, 1};
            for (size_t i = 0; i < _p.exprs.size() && i < 3; ++i) {
                auto v = evaluate(*_p.exprs[i], one, _env.ctx);
                if (!v.ok()) return v.error();
                if (v.value().is_null(0)) return std::optional<chunk>();
                bounds[i] = v.value().values<int64_t>()[0];
            }
            if (bounds[2] == 0)
                return make_error(sql_errc::invalid_parameter_value, "step size cannot equal zero");
            _next = bounds[0];
            _stop = bounds[1];
            _step = bounds[2];
        }
        column out(data_type::of(type_id::int64));
        while (out.size() < _env.chunk_rows && (_step > 0 ? _next <= _stop : _next >= _stop)) {
            out.push<int64_t>(_next);
            _next += _step;
        }
        if (out.size() == 0) return std::optional<chunk>();
        std::vector<column> cols;
        cols.push_back(std::move(out));
        return std::optional<chunk>(chunk(std::move(cols)));
    }

  private:
    const plan_node& _p;
    const batch_env& _env;
    bool _started = false;
    int64_t _next = 0, _stop = 0, _step = 1;
};

// unnest(array literal): its elements as text rows.
class unnest_op final : public batch_operator {
  public:
    unnest_op(const plan_node& p, const batch_env& env) : _p(p), _env(env) {}
    sql_result<std::optional<chunk>> next() override {
        if (_done) return std::optional<chunk>();
        _done = true;
        chunk one;
        one.set_rows(1);
        auto v = evaluate(*_p.exprs[0], one, _env.ctx);
        if (!v.ok()) return v.error();
        if (v.value().is_null(0)) return std::optional<chunk>();
        column out(data_type::of(type_id::text));
        for (const auto& e : parse_array_literal(v.value().strings().at(0))) {
            if (e)
                out.push_string(*e);
            else
                out.push_null();
        }
        if (out.size() == 0) return std::optional<chunk>();
        std::vector<column> cols;
        cols.push_back(std::move(out));
        return std::optional<chunk>(chunk(std::move(cols)));
    }

  private:
    const plan_node& _p;
    const batch_env& _env;
    bool _done = false;
};

}  // namespace

batch_ptr make_distinct(batch_ptr input, const plan_node&) {
    return std::make_unique<distinct_op>(std::move(input));
}

batch_ptr make_table_function(const plan_node& f, const batch_env& env) {
    if (f.function == "unnest") return std::make_unique<unnest_op>(f, env);
    return std::make_unique<series_op>(f, env);
}

}  // namespace spate::sql
