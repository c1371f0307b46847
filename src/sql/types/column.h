#pragma once

// Columnar batches: the unit every operator consumes and produces.
//
// A `column` holds one type's values for `size()` rows plus a null flag per
// row. Fixed-width types live in a typed std::vector (see types.h for which
// C++ type), variable-width ones in `string_data` (offsets + one byte
// buffer). A null row's value slot exists and holds a default value.
// A `chunk` is columns of equal length. Invariant: every column of a chunk
// has `rows()` rows. Not thread-safe; moved between operators, not shared.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/assert.h"
#include "sql/types/types.h"

namespace spate::sql {

// Variable-width values: value i is bytes[offsets[i], offsets[i+1]).
struct string_data {
    std::vector<uint32_t> offsets{0};
    std::string bytes;

    size_t size() const { return offsets.size() - 1; }
    std::string_view at(size_t i) const {
        return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
    void push(std::string_view v) {
        bytes.append(v);
        offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
    void reserve(size_t rows, size_t bytes_hint) {
        offsets.reserve(rows + 1);
        bytes.reserve(bytes_hint);
    }
    void clear() {
        offsets.assign(1, 0);
        bytes.clear();
    }
};

using column_values = std::variant<std::vector<uint8_t>, std::vector<int16_t>, std::vector<int32_t>,
                                   std::vector<int64_t>, std::vector<float>, std::vector<double>,
                                   std::vector<decimal>, std::vector<interval_value>, string_data>;

// The index in `column_values` of type `t`'s physical representation
// (equal to column(data_type::of(t)).raw().index()).
size_t physical_layout(type_id t);

class column {
  public:
    column() : column(data_type::of(type_id::unknown)) {}
    explicit column(data_type type);

    const data_type& type() const { return _type; }
    size_t size() const { return _nulls.size(); }

    bool is_null(size_t row) const { return _nulls[row] != 0; }
    // 1 = null, 0 = value; one byte per row.
    const std::vector<uint8_t>& nulls() const { return _nulls; }
    std::vector<uint8_t>& nulls() { return _nulls; }
    bool has_nulls() const;

    // Typed access: T must be the physical type of type() (types.h).
    template <typename T>
    std::vector<T>& values() {
        return std::get<std::vector<T>>(_values);
    }
    template <typename T>
    const std::vector<T>& values() const {
        return std::get<std::vector<T>>(_values);
    }
    string_data& strings() { return std::get<string_data>(_values); }
    const string_data& strings() const { return std::get<string_data>(_values); }
    column_values& raw() { return _values; }
    const column_values& raw() const { return _values; }

    // Appends a null row (default value in the slot).
    void push_null();
    // Appends row `row` of `other` (same physical type).
    void push_from(const column& other, size_t row);
    // Appends rows `rows` of `other` (same physical type), in that order.
    void push_from(const column& other, std::span<const uint32_t> rows);
    // Appends typed values; the caller keeps nulls() in step via these only.
    template <typename T>
    void push(T v) {
        values<T>().push_back(v);
        _nulls.push_back(0);
    }
    void push_string(std::string_view v) {
        strings().push(v);
        _nulls.push_back(0);
    }

    void reserve(size_t rows);
    void clear();
    // Empties the column, keeps its buffers' capacity and makes it a column
    // of `type`, whose physical representation must be the column's.
    void reset(data_type type);
    // Drops rows from `rows` on (rows <= size()); keeps the capacity.
    void truncate(size_t rows);

    // Rows whose `keep[i]` is non-zero, in order.
    column filter(std::span<const uint8_t> keep) const;
    // Rows at `indexes`, in that order.
    column gather(std::span<const uint32_t> indexes) const;
    // Rows [begin, begin + count).
    column slice(size_t begin, size_t count) const;

  private:
    data_type _type;
    std::vector<uint8_t> _nulls;
    column_values _values;
};

class chunk {
  public:
    chunk() = default;
    explicit chunk(std::vector<column> columns);

    size_t rows() const { return _rows; }
    size_t width() const { return _columns.size(); }
    const column& at(size_t i) const { return _columns[i]; }
    column& at(size_t i) { return _columns[i]; }
    std::vector<column>& columns() { return _columns; }
    const std::vector<column>& columns() const { return _columns; }

    // Recomputes rows() after columns were appended to in place; asserts
    // they agree.
    void sync_rows();
    // A chunk with no columns still counts rows (SELECT count(*), VALUES ()).
    void set_rows(size_t rows) { _rows = rows; }

    chunk filter(std::span<const uint8_t> keep) const;
    chunk slice(size_t begin, size_t count) const;

  private:
    std::vector<column> _columns;
    size_t _rows = 0;
};

}  // namespace spate::sql
