// plan_kind::aggregate for batch plans (join.h): a hash aggregate. Each
// input chunk's group keys are evaluated and encoded (sql/agg/group_key.h),
// rows map to dense group slots through a hash table, and every aggregate
// call's arguments and filter are evaluated once per chunk and applied with
// grouped_aggregate::update. Groups come out in order of first appearance
// once the input is exhausted; without keys exactly one row.

#include <unordered_map>

#include "sql/agg/aggregate_function.h"
#include "sql/agg/group_key.h"
#include "sql/exec/join.h"
#include "sql/expr/eval.h"

namespace spate::sql {

namespace {

struct key_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class hash_aggregate_op final : public batch_operator {
  public:
    hash_aggregate_op(batch_ptr in, const plan_node& p, const batch_env& env)
        : _in(std::move(in)), _p(p), _env(env) {}

    sql_result<std::optional<chunk>> next() override {
        if (!_built) {
            if (auto s = build(); !s.ok()) return s.error();
            _built = true;
        }
        if (_emitted >= _groups) return std::optional<chunk>();
        size_t n = std::min(_env.chunk_rows, _groups - _emitted);
        std::vector<column> cols;
        for (const auto& k : _keys)
            cols.push_back(k.slice(_emitted, n));
        for (size_t a = 0; a < _aggs.size(); ++a) {
            column out(_p.aggregates[a].type);
            out.reserve(n);
            for (size_t g = _emitted; g < _emitted + n; ++g)
                if (auto s = _aggs[a]->result(g, out); !s.ok()) return s.error();
            cols.push_back(std::move(out));
        }
        _emitted += n;
        chunk out(std::move(cols));
        out.set_rows(n);
        return std::optional<chunk>(std::move(out));
    }

  private:
    sql_status build() {
        for (const auto& call : _p.aggregates) {
            auto a = make_grouped_aggregate(call, /*retractions=*/false);
            if (!a.ok()) return a.error();
            _aggs.push_back(std::move(a.value()));
        }
        for (const auto& k : _p.group_keys)
            _keys.emplace_back(k->type);
        if (_keys.empty()) grow(1);
        for (;;) {
            auto c = _in->next();
            if (!c.ok()) return c.error();
            if (!c.value()) return {};
            if (auto s = consume(*c.value()); !s.ok()) return s;
        }
    }

    sql_status consume(const chunk& ch) {
        if (auto s = assign_slots(ch); !s.ok()) return s;
        std::vector<column> args;
        for (size_t a = 0; a < _aggs.size(); ++a) {
            const aggregate_call& call = _p.aggregates[a];
            args.clear();
            for (const auto& e : call.args) {
                auto v = evaluate(*e, ch, _env.ctx);
                if (!v.ok()) return v.error();
                args.push_back(std::move(v.value()));
            }
            std::optional<column> filter;
            if (call.filter) {
                auto v = evaluate(*call.filter, ch, _env.ctx);
                if (!v.ok()) return v.error();
                filter = std::move(v.value());
            }
            if (auto s = _aggs[a]->update(args, filter ? &*filter : nullptr, _slots, {}); !s.ok())
                return s;
        }
        return {};
    }

    // _slots[r] = the group of row r, new groups added with their key values.
    sql_status assign_slots(const chunk& ch) {
        _slots.assign(ch.rows(), 0);
        if (_keys.empty()) return {};
        std::vector<column> keys;
        for (const auto& k : _p.group_keys) {
            auto v = evaluate(*k, ch, _env.ctx);
            if (!v.ok()) return v.error();
            keys.push_back(std::move(v.value()));
        }
        encode_group_keys(keys, ch.rows(), _row_keys);
        for (size_t r = 0; r < ch.rows(); ++r) {
            auto it = _index.find(std::string_view(_row_keys[r]));
            if (it != _index.end()) {
                _slots[r] = it->second;
                continue;
            }
            auto slot = static_cast<uint32_t>(_groups);
            _index.emplace(_row_keys[r], slot);
            for (size_t k = 0; k < keys.size(); ++k)
                _keys[k].push_from(keys[k], r);
            _slots[r] = slot;
            grow(_groups + 1);
        }
        return {};
    }

    void grow(size_t groups) {
        _groups = groups;
        for (auto& a : _aggs)
            if (a->slots() < groups) a->resize(std::max<size_t>(groups, a->slots() * 2));
    }

    batch_ptr _in;
    const plan_node& _p;
    const batch_env& _env;
    std::vector<std::unique_ptr<grouped_aggregate>> _aggs;
    std::vector<column> _keys;  // group g's key values at row g
    std::unordered_map<std::string, uint32_t, key_hash, std::equal_to<>> _index;
    std::vector<std::string> _row_keys;
    std::vector<uint32_t> _slots;
    size_t _groups = 0;
    size_t _emitted = 0;
    bool _built = false;
};

}  // namespace

batch_ptr make_aggregate(batch_ptr input, const plan_node& aggregate, const batch_env& env) {
    return std::make_unique<hash_aggregate_op>(std::move(input), aggregate, env);
}

}  // namespace spate::sql
