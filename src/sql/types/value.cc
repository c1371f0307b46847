#include "sql/types/value.h"

#include <type_traits>

namespace spate::sql {

void value::append_to(column& out) const {
    if (is_null()) {
        out.push_null();
        return;
    }
    std::visit(
        [&out](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>) {
                out.push_null();
            } else if constexpr (std::is_same_v<V, std::string>) {
                out.push_string(v);
            } else {
                out.push<V>(v);
            }
        },
        _v);
}

column value::broadcast(size_t rows) const {
    column out(_type);
    out.reserve(rows);
    for (size_t i = 0; i < rows; ++i)
        append_to(out);
    return out;
}

value value::from_column(const column& c, size_t row) {
    SPATE_ASSERT(row < c.size());
    if (c.is_null(row)) return null(c.type());
    return std::visit(
        [&](const auto& vals) -> value {
            using V = std::decay_t<decltype(vals)>;
            if constexpr (std::is_same_v<V, string_data>) {
                return value(c.type(), std::string(vals.at(row)));
            } else {
                return value(c.type(), vals[row]);
            }
        },
        c.raw());
}

}  // namespace spate::sql
