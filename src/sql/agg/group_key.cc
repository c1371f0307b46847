#include "sql/agg/group_key.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "sql/agg/agg_detail.h"

namespace spate::sql {

namespace {

template <typename T>
void put_raw(std::string& out, const T& v) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    out.append(bytes, sizeof(T));
}

template <typename P>
void put_key(std::string& out, const P& v) {
    if constexpr (std::is_floating_point_v<P>) {
        P n = v;
        if (n == 0) n = 0;  // -0 -> +0
        if (std::isnan(n)) n = std::numeric_limits<P>::quiet_NaN();
        put_raw(out, n);
    } else if constexpr (std::is_same_v<P, decimal>) {
        decimal d = v;
        while (d.scale > 0 && d.unscaled % 10 == 0) {
            d.unscaled /= 10;
            --d.scale;
        }
        if (d.unscaled == 0) d.scale = 0;
        put_raw(out, d.unscaled);
        put_raw(out, d.scale);
    } else if constexpr (std::is_same_v<P, interval_value>) {
        put_raw(out, agg_detail::interval_span(v));
    } else if constexpr (std::is_same_v<P, std::string_view>) {
        agg_detail::state_writer(out).bytes(v);
    } else {
        put_raw(out, v);
    }
}

}  // namespace

void encode_group_keys(std::span<const column> keys, size_t rows, std::vector<std::string>& out) {
    out.resize(rows);
    for (auto& k : out)
        k.clear();
    for (const column& c : keys) {
        SPATE_ASSERT(c.size() == rows);
        agg_detail::with_physical(c.type().id, [&]<typename P>(agg_detail::phys<P>) {
            agg_detail::column_reader<P> x(c);
            const uint8_t* nulls = c.nulls().data();
            for (size_t r = 0; r < rows; ++r) {
                if (nulls[r]) {
                    out[r].push_back('\0');
                    continue;
                }
                out[r].push_back('\1');
                put_key(out[r], x[r]);
            }
        });
    }
}

}  // namespace spate::sql
