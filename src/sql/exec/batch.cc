#include "sql/exec/batch.h"

#include <algorithm>
#include <numeric>

#include "sql/exec/join.h"
#include "sql/exec/sort.h"
#include "sql/exec/transform.h"
#include "sql/exec/window.h"

namespace spate::sql {

namespace {

class values_op final : public batch_operator {
  public:
    sql_result<std::optional<chunk>> next() override {
        if (_done) return std::optional<chunk>();
        _done = true;
        chunk one;
        one.set_rows(1);
        return std::optional<chunk>(std::move(one));
    }

  private:
    bool _done = false;
};

// A stateless transform over its input's chunks (empty results skipped).
class transform_op final : public batch_operator {
  public:
    transform_op(batch_ptr in, transform_ptr t, const batch_env& env)
        : _in(std::move(in)), _t(std::move(t)), _env(env) {}
    sql_result<std::optional<chunk>> next() override {
        for (;;) {
            auto c = _in->next();
            if (!c.ok() || !c.value()) return c;
            auto out = _t->apply(std::move(*c.value()), _env.ctx);
            if (!out.ok()) return out.error();
            if (out.value().rows() > 0) return std::optional<chunk>(std::move(out.value()));
        }
    }

  private:
    batch_ptr _in;
    transform_ptr _t;
    const batch_env& _env;
};

class union_op final : public batch_operator {
  public:
    explicit union_op(std::vector<batch_ptr> in) : _in(std::move(in)) {}
    sql_result<std::optional<chunk>> next() override {
        while (_i < _in.size()) {
            auto c = _in[_i]->next();
            if (!c.ok() || c.value()) return c;
            ++_i;
        }
        return std::optional<chunk>();
    }

  private:
    std::vector<batch_ptr> _in;
    size_t _i = 0;
};

class limit_op final : public batch_operator {
  public:
    limit_op(batch_ptr in, int64_t limit, int64_t offset)
        : _in(std::move(in)), _left(limit), _skip(offset) {}
    sql_result<std::optional<chunk>> next() override {
        while (_left != 0) {
            auto c = _in->next();
            if (!c.ok() || !c.value()) return c;
            chunk& ch = *c.value();
            size_t begin = 0;
            if (_skip > 0) {
                begin =
                    static_cast<size_t>(std::min<int64_t>(_skip, static_cast<int64_t>(ch.rows())));
                _skip -= static_cast<int64_t>(begin);
            }
            size_t count = ch.rows() - begin;
            if (_left >= 0) count = std::min<size_t>(count, static_cast<size_t>(_left));
            if (count == 0) continue;
            if (_left > 0) _left -= static_cast<int64_t>(count);
            if (begin == 0 && count == ch.rows()) return c;
            return std::optional<chunk>(ch.slice(begin, count));
        }
        return std::optional<chunk>();
    }

  private:
    batch_ptr _in;
    int64_t _left;  // -1: unlimited
    int64_t _skip;
};

}  // namespace

sql_result<batch_ptr> build_batch(const plan_ptr& p, const batch_env& env) {
    // A filter over an updating view's scan: key lookups on its replica.
    if (p->kind == plan_kind::filter && p->inputs[0]->kind == plan_kind::scan &&
        !p->inputs[0]->relation.upsert_key.empty()) {
        auto scan = make_replica_scan(*p->inputs[0], p->predicate.get(), env);
        if (!scan.ok()) return scan;
        return batch_ptr(std::make_unique<transform_op>(std::move(scan.value()),
                                                        make_filter(p->predicate), env));
    }
    std::vector<batch_ptr> inputs;
    for (const auto& i : p->inputs) {
        auto b = build_batch(i, env);
        if (!b.ok()) return b;
        inputs.push_back(std::move(b.value()));
    }
    switch (p->kind) {
        case plan_kind::scan:
            if (!p->relation.upsert_key.empty()) return make_replica_scan(*p, nullptr, env);
            return make_history_scan(*p, env);
        case plan_kind::values:
            return batch_ptr(std::make_unique<values_op>());
        case plan_kind::filter:
            return batch_ptr(std::make_unique<transform_op>(std::move(inputs[0]),
                                                            make_filter(p->predicate), env));
        case plan_kind::project:
            return batch_ptr(
                std::make_unique<transform_op>(std::move(inputs[0]), make_project(p->exprs), env));
        case plan_kind::union_all:
            return batch_ptr(std::make_unique<union_op>(std::move(inputs)));
        case plan_kind::sort:
            return make_sort(std::move(inputs[0]), p->keys, env);
        case plan_kind::limit:
            return batch_ptr(std::make_unique<limit_op>(std::move(inputs[0]), p->limit, p->offset));
        case plan_kind::memory:
            return make_memory_scan(*p);
        case plan_kind::join:
            return make_nested_loop_join(std::move(inputs[0]), std::move(inputs[1]), *p, env);
        case plan_kind::apply:
            return make_apply(std::move(inputs[0]), *p, env);
        case plan_kind::distinct:
            return make_distinct(std::move(inputs[0]), *p);
        case plan_kind::function:
            return make_table_function(*p, env);
        case plan_kind::aggregate:
            return make_aggregate(std::move(inputs[0]), *p, env);
        case plan_kind::window:
            if (p->window.kind == window_kind::session)
                return make_session_window(std::move(inputs[0]), *p, env);
            return batch_ptr(
                std::make_unique<transform_op>(std::move(inputs[0]), make_window_assign(*p), env));
    }
    return make_error(sql_errc::internal_error, "unknown plan node");
}

}  // namespace spate::sql
