#include "sql/types/column_pool.h"

#include <utility>

namespace spate::sql {

namespace {

// The capacity take() matches against: string bytes, else the value slots.
size_t capacity_of(const column& c) {
    return std::visit(
        [](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, string_data>) {
                return v.bytes.capacity();
            } else {
                return v.capacity();
            }
        },
        c.raw());
}

}  // namespace

column column_pool::take(data_type type, size_t rows, size_t bytes) {
    auto& spare = _spare[physical_layout(type.id)];
    if (spare.empty()) {
        column c(type);
        c.reserve(rows);
        if (bytes > 0 && std::holds_alternative<string_data>(c.raw()))
            c.strings().bytes.reserve(bytes);
        return c;
    }
    // Best fit: the smallest that holds `bytes`, else the largest.
    size_t best = 0;
    for (size_t i = 1; i < spare.size(); ++i) {
        size_t have = capacity_of(spare[i]), best_have = capacity_of(spare[best]);
        bool fits = have >= bytes, best_fits = best_have >= bytes;
        if (fits ? (!best_fits || have < best_have) : (!best_fits && have > best_have)) best = i;
    }
    column c = std::move(spare[best]);
    spare[best] = std::move(spare.back());
    spare.pop_back();
    c.reset(type);
    c.reserve(rows);
    if (bytes > 0 && std::holds_alternative<string_data>(c.raw())) c.strings().bytes.reserve(bytes);
    return c;
}

void column_pool::give(column&& c) {
    if (c.nulls().capacity() == 0) return;
    auto& spare = _spare[c.raw().index()];
    if (spare.size() >= _max) return;
    c.clear();
    spare.push_back(std::move(c));
}

void column_pool::give(chunk&& c) {
    for (column& col : c.columns())
        give(std::move(col));
    c = chunk();
}

size_t column_pool::spare() const {
    size_t n = 0;
    for (const auto& s : _spare)
        n += s.size();
    return n;
}

}  // namespace spate::sql
