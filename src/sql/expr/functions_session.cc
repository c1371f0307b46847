// Functions about the session rather than values: pg_sleep.

#include <chrono>
#include <cmath>
#include <thread>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

// Sleeps `seconds` (per row, as PostgreSQL), waking every 10 ms to honour a
// cancel request (query_canceled).
sql_status sleep_for(double seconds, const eval_context& ctx) {
    using clock = std::chrono::steady_clock;
    if (!std::isfinite(seconds) || seconds <= 0) return {};
    auto until = clock::now() + std::chrono::microseconds(
                                    static_cast<int64_t>(std::min(seconds, 86400.0 * 365) * 1e6));
    while (clock::now() < until) {
        if (ctx.cancelled && ctx.cancelled->load())
            return make_error(sql_errc::query_canceled, "canceling statement due to user request");
        std::this_thread::sleep_for(
            std::min<clock::duration>(std::chrono::milliseconds(10), until - clock::now()));
    }
    return {};
}

}  // namespace

void register_session(registry& r) {
    r.add("pg_sleep", {type_id::float64}, type_id::text,
          [](std::span<const column* const> args, size_t rows, column& out,
             const eval_context& ctx) -> sql_status {
              const column& secs = *args[0];
              for (size_t i = 0; i < rows; ++i) {
                  if (!secs.is_null(i)) {
                      if (auto s = sleep_for(secs.values<double>()[i], ctx); !s.ok()) return s;
                  }
                  out.push_string("");
              }
              return {};
          })
        .volatile_ = true;
}

}  // namespace spate::sql::detail
