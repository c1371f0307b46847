#include "sql/exec/sort.h"

#include <algorithm>
#include <numeric>

namespace spate::sql {

namespace {

template <typename T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_decimal(const decimal& a, const decimal& b) {
    __int128 x = a.unscaled, y = b.unscaled;
    int sa = a.scale, sb = b.scale;
    // Align scales; values beyond int128 after scaling compare by sign.
    while (sa < sb) {
        if (__builtin_mul_overflow(x, 10, &x)) return a.unscaled < 0 ? -1 : 1;
        ++sa;
    }
    while (sb < sa) {
        if (__builtin_mul_overflow(y, 10, &y)) return b.unscaled < 0 ? 1 : -1;
        ++sb;
    }
    return three_way(x, y);
}

class sort_op final : public batch_operator {
  public:
    sort_op(batch_ptr in, std::vector<sort_key> keys, const batch_env& env)
        : _in(std::move(in)), _keys(std::move(keys)), _env(env) {}

    sql_result<std::optional<chunk>> next() override {
        if (!_sorted) {
            if (auto s = materialise(); !s.ok()) return s.error();
            _sorted = true;
        }
        if (_pos >= _order.size()) return std::optional<chunk>();
        size_t n = std::min(_env.chunk_rows, _order.size() - _pos);
        std::span<const uint32_t> idx(_order.data() + _pos, n);
        _pos += n;
        std::vector<column> cols;
        for (const auto& c : _all.columns())
            cols.push_back(c.gather(idx));
        chunk out(std::move(cols));
        out.set_rows(n);
        return std::optional<chunk>(std::move(out));
    }

  private:
    sql_status materialise() {
        for (;;) {
            auto c = _in->next();
            if (!c.ok()) return c.error();
            if (!c.value()) break;
            append(*c.value());
        }
        _order.resize(_all.rows());
        std::iota(_order.begin(), _order.end(), 0u);
        std::stable_sort(_order.begin(), _order.end(), [this](uint32_t a, uint32_t b) {
            for (const auto& k : _keys) {
                const column& c = _all.at(static_cast<size_t>(k.key->column));
                bool na = c.is_null(a), nb = c.is_null(b);
                if (na || nb) {
                    if (na && nb) continue;
                    return na == k.nulls_first;
                }
                int r = compare_values(c, a, c, b);
                if (r != 0) return k.descending ? r > 0 : r < 0;
            }
            return false;
        });
        return {};
    }

    void append(const chunk& c) {
        if (_all.width() == 0 && c.width() > 0) {
            std::vector<column> cols;
            for (const auto& col : c.columns())
                cols.emplace_back(col.type());
            _all = chunk(std::move(cols));
        }
        for (size_t i = 0; i < c.width(); ++i)
            for (size_t r = 0; r < c.rows(); ++r)
                _all.at(i).push_from(c.at(i), r);
        _all.set_rows(_all.rows() + c.rows());
    }

    batch_ptr _in;
    std::vector<sort_key> _keys;
    const batch_env& _env;
    chunk _all;
    std::vector<uint32_t> _order;
    size_t _pos = 0;
    bool _sorted = false;
};

}  // namespace

int compare_values(const column& x, size_t a, const column& y, size_t b) {
    return std::visit(
        [&](const auto& xs) -> int {
            using V = std::decay_t<decltype(xs)>;
            const auto& ys = std::get<V>(y.raw());
            if constexpr (std::is_same_v<V, string_data>) {
                int r = xs.at(a).compare(ys.at(b));
                return r < 0 ? -1 : (r > 0 ? 1 : 0);
            } else if constexpr (std::is_same_v<V, std::vector<decimal>>) {
                return compare_decimal(xs[a], ys[b]);
            } else if constexpr (std::is_same_v<V, std::vector<interval_value>>) {
                const auto& p = xs[a];
                const auto& q = ys[b];
                // PostgreSQL compares intervals as 30-day months.
                __int128 l = (__int128(p.months) * 30 + p.days) * k_micros_per_day + p.micros;
                __int128 r = (__int128(q.months) * 30 + q.days) * k_micros_per_day + q.micros;
                return three_way(l, r);
            } else {
                return three_way(xs[a], ys[b]);
            }
        },
        x.raw());
}

sql_result<batch_ptr> make_sort(batch_ptr input, std::vector<sort_key> keys, const batch_env& env) {
    return batch_ptr(std::make_unique<sort_op>(std::move(input), std::move(keys), env));
}

}  // namespace spate::sql
