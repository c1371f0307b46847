// The batch SESSION operator (window.h).

#include <algorithm>
#include <numeric>

#include "sql/exec/sort.h"
#include "sql/exec/window.h"

namespace spate::sql {

namespace {

class session_op final : public batch_operator {
  public:
    session_op(batch_ptr in, const plan_node& window, const batch_env& env)
        : _in(std::move(in)), _w(window.window), _type(window.schema.back().type), _env(env) {}

    sql_result<std::optional<chunk>> next() override {
        if (!_assigned) {
            if (auto s = materialise(); !s.ok()) return s.error();
            assign();
            _assigned = true;
        }
        if (_pos >= _order.size()) return std::optional<chunk>();
        size_t n = std::min(_env.chunk_rows, _order.size() - _pos);
        std::span<const uint32_t> idx(_order.data() + _pos, n);
        std::vector<column> cols;
        cols.reserve(_all.width() + 2);
        for (const auto& c : _all.columns())
            cols.push_back(c.gather(idx));
        column start(_type), end(_type);
        start.reserve(n);
        end.reserve(n);
        for (size_t i = _pos; i < _pos + n; ++i) {
            start.push<int64_t>(_windows[i].start);
            end.push<int64_t>(_windows[i].end);
        }
        _pos += n;
        cols.push_back(std::move(start));
        cols.push_back(std::move(end));
        chunk out(std::move(cols));
        out.set_rows(n);
        return std::optional<chunk>(std::move(out));
    }

  private:
    sql_status materialise() {
        for (;;) {
            auto c = _in->next();
            if (!c.ok()) return c.error();
            if (!c.value()) return {};
            const chunk& ch = *c.value();
            if (_all.width() == 0) {
                std::vector<column> cols;
                for (const auto& col : ch.columns())
                    cols.emplace_back(col.type());
                _all = chunk(std::move(cols));
            }
            for (size_t i = 0; i < ch.width(); ++i)
                for (size_t r = 0; r < ch.rows(); ++r)
                    _all.at(i).push_from(ch.at(i), r);
            _all.set_rows(_all.rows() + ch.rows());
        }
    }

    // -1, 0, 1 comparing rows a and b by the session keys (NULLs equal, first).
    int compare_keys(uint32_t a, uint32_t b) const {
        for (int k : _w.session_keys) {
            const column& c = _all.at(static_cast<size_t>(k));
            bool na = c.is_null(a), nb = c.is_null(b);
            if (na || nb) {
                if (na && nb) continue;
                return na ? -1 : 1;
            }
            int r = compare_values(c, a, c, b);
            if (r != 0) return r;
        }
        return 0;
    }

    // Orders the rows with a time by (keys, time), then gives each its session.
    void assign() {
        if (_all.width() == 0) return;
        const column& times = _all.at(static_cast<size_t>(_w.time_column));
        const auto& ts = times.values<int64_t>();
        std::vector<uint32_t> rows;
        for (size_t r = 0; r < _all.rows(); ++r)
            if (!times.is_null(r)) rows.push_back(static_cast<uint32_t>(r));
        std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
            int k = compare_keys(a, b);
            return k != 0 ? k < 0 : ts[a] < ts[b];
        });
        std::vector<int64_t> group_times;
        std::vector<time_window> sessions;
        std::vector<uint32_t> session_of;
        for (size_t begin = 0; begin < rows.size();) {
            size_t end = begin + 1;
            while (end < rows.size() && compare_keys(rows[begin], rows[end]) == 0)
                ++end;
            group_times.clear();
            sessions.clear();
            session_of.clear();
            for (size_t i = begin; i < end; ++i)
                group_times.push_back(ts[rows[i]]);
            assign_sessions(group_times, _w.size_us, sessions, session_of);
            for (size_t i = begin; i < end; ++i) {
                uint32_t s = session_of[i - begin];
                if (s == k_no_session) continue;
                _order.push_back(rows[i]);
                _windows.push_back(sessions[s]);
            }
            begin = end;
        }
    }

    batch_ptr _in;
    window_def _w;
    data_type _type;
    const batch_env& _env;
    chunk _all;
    std::vector<uint32_t> _order;       // output rows (of _all), in output order
    std::vector<time_window> _windows;  // their sessions
    size_t _pos = 0;
    bool _assigned = false;
};

}  // namespace

batch_ptr make_session_window(batch_ptr input, const plan_node& window, const batch_env& env) {
    SPATE_ASSERT(window.kind == plan_kind::window && window.window.kind == window_kind::session);
    return std::make_unique<session_op>(std::move(input), window, env);
}

}  // namespace spate::sql
