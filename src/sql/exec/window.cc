// Window assignment math and the TUMBLE/HOP/CUMULATE transform (window.h,
// transform.h).

#include "sql/exec/window.h"

#include <limits>

#include "sql/exec/transform.h"

namespace spate::sql {

namespace {

using wide = __int128;

constexpr int64_t k_minus_infinity = std::numeric_limits<int64_t>::min();
constexpr int64_t k_infinity = std::numeric_limits<int64_t>::max();

// floor(a / b) for b > 0.
wide floor_div(wide a, wide b) {
    wide q = a / b;
    return a % b < 0 ? q - 1 : q;
}

// A finite time: strictly between the infinities.
bool finite(wide t) {
    return t > k_minus_infinity && t < k_infinity;
}

// The start of the window of period `period` aligned to `offset` that holds `t`.
wide aligned_start(int64_t t, int64_t period, int64_t offset) {
    return floor_div(wide(t) - offset, period) * period + offset;
}

}  // namespace

bool windows_of(const window_def& w, int64_t t, std::vector<time_window>& out) {
    if (!finite(t)) return false;
    switch (w.kind) {
        case window_kind::tumble: {
            wide start = aligned_start(t, w.size_us, w.offset_us);
            wide end = start + w.size_us;
            if (!finite(start) || !finite(end)) return false;
            out.push_back({static_cast<int64_t>(start), static_cast<int64_t>(end)});
            return true;
        }
        case window_kind::hop: {
            wide last = aligned_start(t, w.slide_us, w.offset_us);
            int64_t count = w.size_us / w.slide_us;
            wide first = last - wide(count - 1) * w.slide_us;
            if (!finite(first) || !finite(last + w.size_us)) return false;
            for (wide s = first; s <= last; s += w.slide_us)
                out.push_back({static_cast<int64_t>(s), static_cast<int64_t>(s + w.size_us)});
            return true;
        }
        case window_kind::cumulate: {
            wide start = aligned_start(t, w.size_us, w.offset_us);
            if (!finite(start) || !finite(start + w.size_us)) return false;
            // Ends start + j * step for j from the first past t up to size / step.
            int64_t steps = w.size_us / w.slide_us;
            int64_t first = static_cast<int64_t>((wide(t) - start) / w.slide_us) + 1;
            for (int64_t j = first; j <= steps; ++j)
                out.push_back({static_cast<int64_t>(start),
                               static_cast<int64_t>(start + wide(j) * w.slide_us)});
            return true;
        }
        case window_kind::session:
            break;
    }
    SPATE_ASSERT(false && "windows_of: SESSION windows depend on other rows");
    return false;
}

std::optional<time_window> session_of_event(int64_t t, int64_t gap) {
    wide end = wide(t) + gap;
    if (!finite(t) || !finite(end)) return std::nullopt;
    return time_window{t, static_cast<int64_t>(end)};
}

void assign_sessions(std::span<const int64_t> sorted, int64_t gap,
                     std::vector<time_window>& sessions, std::vector<uint32_t>& session_of) {
    bool open = false;  // sessions.back() is this call's current session
    for (int64_t t : sorted) {
        auto w = session_of_event(t, gap);
        if (!w) {
            session_of.push_back(k_no_session);
            continue;
        }
        if (open && sessions_overlap(sessions.back(), *w)) {
            sessions.back() = merge_sessions(sessions.back(), *w);
        } else {
            sessions.push_back(*w);
            open = true;
        }
        session_of.push_back(static_cast<uint32_t>(sessions.size() - 1));
    }
}

namespace {

// Each input row once per window of its time, window_start and window_end
// appended. Buffers are members so steady-state chunks allocate only their
// output columns.
class window_assign final : public transform {
  public:
    window_assign(window_def w, data_type time_type) : _w(std::move(w)), _type(time_type) {}

    sql_result<chunk> apply(chunk input, const eval_context&) override {
        size_t rows = input.rows();
        const column& times = input.at(static_cast<size_t>(_w.time_column));
        const auto& ts = times.values<int64_t>();
        column start(_type), end(_type);
        start.reserve(rows);
        end.reserve(rows);
        _index.clear();
        bool one_each = true;  // every row got exactly one window: no gather
        for (size_t r = 0; r < rows; ++r) {
            _windows.clear();
            if (times.is_null(r) || !windows_of(_w, ts[r], _windows)) {
                one_each = false;
                continue;
            }
            one_each &= _windows.size() == 1;
            for (const auto& w : _windows) {
                _index.push_back(static_cast<uint32_t>(r));
                start.push<int64_t>(w.start);
                end.push<int64_t>(w.end);
            }
        }
        std::vector<column> out;
        out.reserve(input.width() + 2);
        if (one_each) {
            for (auto& c : input.columns())
                out.push_back(std::move(c));
        } else {
            for (const auto& c : input.columns())
                out.push_back(c.gather(_index));
        }
        out.push_back(std::move(start));
        out.push_back(std::move(end));
        chunk result(std::move(out));
        result.set_rows(_index.size());
        return result;
    }

  private:
    window_def _w;
    data_type _type;
    std::vector<uint32_t> _index;
    std::vector<time_window> _windows;
};

}  // namespace

transform_ptr make_window_assign(const plan_node& window) {
    SPATE_ASSERT(window.kind == plan_kind::window && window.window.kind != window_kind::session);
    // window_end has the time column's type.
    return std::make_unique<window_assign>(window.window, window.schema.back().type);
}

}  // namespace spate::sql
