#include "sql/engine/explain_analyze.h"

namespace spate::sql {

namespace {

void push_known(column& c, int64_t v, bool known) {
    if (known)
        c.push<int64_t>(v);
    else
        c.push_null();
}

}  // namespace

const std::vector<column_def>& explain_analyze_columns() {
    static const std::vector<column_def> k_columns = {
        {"operator", data_type::of(type_id::text)},
        {"rows_in", data_type::of(type_id::int64)},
        {"rows_out", data_type::of(type_id::int64)},
        {"state_keys", data_type::of(type_id::int64)},
        {"state_bytes", data_type::of(type_id::int64)},
        {"watermark", data_type::of(type_id::timestamptz)},
        {"lag", data_type::of(type_id::int64)},
        {"late_rows", data_type::of(type_id::int64)},
        {"memory_bytes", data_type::of(type_id::int64)},
    };
    return k_columns;
}

chunk explain_analyze_rows(const std::vector<operator_stats>& ops) {
    std::vector<column> cols;
    for (const auto& c : explain_analyze_columns())
        cols.emplace_back(c.type);
    for (const auto& o : ops) {
        cols[0].push_string(o.name);
        cols[1].push<int64_t>(o.rows_in);
        cols[2].push<int64_t>(o.rows_out);
        push_known(cols[3], o.state_keys, o.state_keys >= 0);
        push_known(cols[4], o.state_bytes, o.state_bytes >= 0);
        push_known(cols[5], o.watermark_us, o.watermark_us != std::numeric_limits<int64_t>::min());
        push_known(cols[6], o.lag, o.lag >= 0);
        cols[7].push<int64_t>(o.late_rows);
        push_known(cols[8], o.memory_bytes, o.memory_bytes >= 0);
    }
    chunk out(std::move(cols));
    out.set_rows(ops.size());
    return out;
}

}  // namespace spate::sql
