#pragma once

// One scalar SQL value: constants in plans, bound parameters, catalog
// defaults. Hot paths use columns (column.h), never vectors of values.

#include <cstdint>
#include <string>
#include <variant>

#include "sql/types/column.h"
#include "sql/types/types.h"

namespace spate::sql {

class value {
  public:
    // NULL of type `t`.
    static value null(data_type t) { return value(t, std::monostate{}); }
    static value boolean(bool b) { return value(data_type::of(type_id::boolean), uint8_t(b)); }
    static value int16(int16_t v) { return value(data_type::of(type_id::int16), v); }
    static value int32(int32_t v) { return value(data_type::of(type_id::int32), v); }
    static value int64(int64_t v) { return value(data_type::of(type_id::int64), v); }
    static value float32(float v) { return value(data_type::of(type_id::float32), v); }
    static value float64(double v) { return value(data_type::of(type_id::float64), v); }
    static value numeric(decimal v, data_type t = data_type::of(type_id::numeric)) {
        return value(t, v);
    }
    // text, varchar, bytea, jsonb or an unknown-typed literal.
    static value string(data_type t, std::string v) { return value(t, std::move(v)); }
    static value text(std::string v) { return string(data_type::of(type_id::text), std::move(v)); }
    // date (int32 days), time/timestamp/timestamptz (int64 micros).
    static value date(int32_t days) { return value(data_type::of(type_id::date), days); }
    static value temporal(type_id t, int64_t micros) { return value(data_type::of(t), micros); }
    static value interval(interval_value v) { return value(data_type::of(type_id::interval), v); }

    const data_type& type() const { return _type; }
    bool is_null() const { return std::holds_alternative<std::monostate>(_v); }

    template <typename T>
    const T& get() const {
        return std::get<T>(_v);
    }

    // Appends this value as one row of `out` (whose physical type must match).
    void append_to(column& out) const;
    // A column of `rows` copies of this value.
    column broadcast(size_t rows) const;
    // Row `row` of `c` as a value.
    static value from_column(const column& c, size_t row);

  private:
    using storage = std::variant<std::monostate, uint8_t, int16_t, int32_t, int64_t, float, double,
                                 decimal, interval_value, std::string>;
    value(data_type t, storage v) : _type(t), _v(std::move(v)) {}

    data_type _type;
    storage _v;
};

}  // namespace spate::sql
