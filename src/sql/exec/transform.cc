#include "sql/exec/transform.h"

#include <algorithm>

namespace spate::sql {

namespace {

class filter_transform final : public transform {
  public:
    explicit filter_transform(expr_ptr p) : _predicate(std::move(p)) {}
    sql_result<chunk> apply(chunk input, const eval_context& ctx) override {
        if (input.rows() == 0) return input;
        auto keep = evaluate_predicate(*_predicate, input, ctx);
        if (!keep.ok()) return keep.error();
        const auto& mask = keep.value();
        if (std::all_of(mask.begin(), mask.end(), [](uint8_t k) { return k != 0; })) return input;
        chunk kept = input.filter(mask);
        if (ctx.spare) ctx.spare->give(std::move(input));
        return kept;
    }

  private:
    expr_ptr _predicate;
};

class project_transform final : public transform {
  public:
    explicit project_transform(std::vector<expr_ptr> e) : _exprs(std::move(e)) {}
    sql_result<chunk> apply(chunk input, const eval_context& ctx) override {
        // Computed columns first (they may read any input column), then the
        // plain references: a column referenced once is moved, not copied.
        std::vector<column> out(_exprs.size());
        for (size_t i = 0; i < _exprs.size(); ++i) {
            if (_exprs[i]->kind == expr_kind::column_ref) continue;
            auto c = evaluate(*_exprs[i], input, ctx);
            if (!c.ok()) return c.error();
            out[i] = std::move(c.value());
        }
        std::vector<uint32_t> uses(input.width(), 0);
        for (const auto& e : _exprs)
            if (e->kind == expr_kind::column_ref) ++uses[static_cast<size_t>(e->column)];
        for (size_t i = 0; i < _exprs.size(); ++i) {
            if (_exprs[i]->kind != expr_kind::column_ref) continue;
            auto at = static_cast<size_t>(_exprs[i]->column);
            if (--uses[at] == 0) {
                out[i] = std::move(input.at(at));
            } else {
                out[i] = input.at(at);
            }
        }
        size_t rows = input.rows();
        // Moved-from columns have no capacity and are not kept.
        if (ctx.spare) ctx.spare->give(std::move(input));
        chunk result(std::move(out));
        result.set_rows(rows);
        return result;
    }

  private:
    std::vector<expr_ptr> _exprs;
};

class select_transform final : public transform {
  public:
    explicit select_transform(std::vector<int> picks) : _picks(std::move(picks)) {}
    sql_result<chunk> apply(chunk input, const eval_context& ctx) override {
        std::vector<column> out;
        out.reserve(_picks.size());
        // A column picked twice is copied; otherwise moved.
        std::vector<int> uses(input.width(), 0);
        for (int p : _picks)
            ++uses[static_cast<size_t>(p)];
        for (int p : _picks) {
            auto& c = input.at(static_cast<size_t>(p));
            if (--uses[static_cast<size_t>(p)] == 0) {
                out.push_back(std::move(c));
            } else {
                out.push_back(c);
            }
        }
        size_t rows = input.rows();
        // The columns not picked (moved-from ones are not kept).
        if (ctx.spare) ctx.spare->give(std::move(input));
        chunk result(std::move(out));
        result.set_rows(rows);
        return result;
    }

  private:
    std::vector<int> _picks;
};

class pipeline final : public chunk_processor {
  public:
    explicit pipeline(std::vector<transform_ptr> t) : _transforms(std::move(t)) {}
    sql_result<chunk> process(chunk input, const eval_context& ctx) override {
        chunk current = std::move(input);
        for (auto& t : _transforms) {
            auto next = t->apply(std::move(current), ctx);
            if (!next.ok()) return next.error();
            current = std::move(next.value());
            if (current.rows() == 0) break;
        }
        return current;
    }

  private:
    std::vector<transform_ptr> _transforms;
};

}  // namespace

transform_ptr make_filter(expr_ptr predicate) {
    return std::make_unique<filter_transform>(std::move(predicate));
}

transform_ptr make_project(std::vector<expr_ptr> exprs) {
    return std::make_unique<project_transform>(std::move(exprs));
}

std::vector<int> decoded_declared_columns(const plan_node& scan) {
    int declared = static_cast<int>(scan.relation.columns.size());
    std::vector<int> out;
    if (scan.relation.format == record_format::csv) {
        for (int i = 0; i < declared; ++i)
            out.push_back(i);
        return out;
    }
    for (int c : scan.scan_columns)
        if (c < declared) out.push_back(c);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

transform_ptr make_scan_select(const plan_node& scan, const std::vector<int>& decoded_declared) {
    int declared = static_cast<int>(scan.relation.columns.size());
    std::vector<int> picks;
    for (int c : scan.scan_columns) {
        if (c < declared) {
            auto it = std::find(decoded_declared.begin(), decoded_declared.end(), c);
            picks.push_back(static_cast<int>(it - decoded_declared.begin()));
        } else {
            picks.push_back(static_cast<int>(decoded_declared.size()) + (c - declared));
        }
    }
    return std::make_unique<select_transform>(std::move(picks));
}

std::shared_ptr<chunk_processor> make_pipeline(std::vector<transform_ptr> transforms) {
    return std::make_shared<pipeline>(std::move(transforms));
}

}  // namespace spate::sql
