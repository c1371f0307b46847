#include "sql/types/column.h"

#include <algorithm>
#include <utility>

namespace spate::sql {

namespace {

column_values empty_values(type_id t) {
    switch (t) {
        case type_id::boolean:
            return std::vector<uint8_t>{};
        case type_id::int16:
            return std::vector<int16_t>{};
        case type_id::int32:
        case type_id::date:
            return std::vector<int32_t>{};
        case type_id::int64:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return std::vector<int64_t>{};
        case type_id::float32:
            return std::vector<float>{};
        case type_id::float64:
            return std::vector<double>{};
        case type_id::numeric:
            return std::vector<decimal>{};
        case type_id::interval:
            return std::vector<interval_value>{};
        case type_id::unknown:
        case type_id::text:
        case type_id::bytea:
        case type_id::jsonb:
            return string_data{};
    }
    return string_data{};
}

template <typename V, size_t I = 0>
constexpr size_t alternative_index() {
    if constexpr (std::is_same_v<std::variant_alternative_t<I, column_values>, V>) {
        return I;
    } else {
        return alternative_index<V, I + 1>();
    }
}

template <typename Pred>
void append_rows(const column_values& from, column_values& to, size_t count, Pred&& row_of) {
    std::visit(
        [&](const auto& src) {
            using V = std::decay_t<decltype(src)>;
            auto& dst = std::get<V>(to);
            // One row at a time (push_from) grows geometrically: an exact
            // reserve per row would copy the column every time.
            if constexpr (std::is_same_v<V, string_data>) {
                if (count > 1) dst.offsets.reserve(dst.offsets.size() + count);
                for (size_t i = 0; i < count; ++i)
                    dst.push(src.at(row_of(i)));
            } else {
                if (count > 1) dst.reserve(dst.size() + count);
                for (size_t i = 0; i < count; ++i)
                    dst.push_back(src[row_of(i)]);
            }
        },
        from);
}

}  // namespace

size_t physical_layout(type_id t) {
    switch (t) {
        case type_id::boolean:
            return alternative_index<std::vector<uint8_t>>();
        case type_id::int16:
            return alternative_index<std::vector<int16_t>>();
        case type_id::int32:
        case type_id::date:
            return alternative_index<std::vector<int32_t>>();
        case type_id::int64:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return alternative_index<std::vector<int64_t>>();
        case type_id::float32:
            return alternative_index<std::vector<float>>();
        case type_id::float64:
            return alternative_index<std::vector<double>>();
        case type_id::numeric:
            return alternative_index<std::vector<decimal>>();
        case type_id::interval:
            return alternative_index<std::vector<interval_value>>();
        case type_id::unknown:
        case type_id::text:
        case type_id::bytea:
        case type_id::jsonb:
            return alternative_index<string_data>();
    }
    return alternative_index<string_data>();
}

column::column(data_type type) : _type(type), _values(empty_values(type.id)) {}

bool column::has_nulls() const {
    return std::any_of(_nulls.begin(), _nulls.end(), [](uint8_t n) { return n != 0; });
}

void column::push_null() {
    std::visit(
        [](auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, string_data>) {
                v.push({});
            } else {
                v.emplace_back();
            }
        },
        _values);
    _nulls.push_back(1);
}

void column::push_from(const column& other, size_t row) {
    SPATE_ASSERT(other._values.index() == _values.index());
    SPATE_ASSERT(row < other.size());
    append_rows(other._values, _values, 1, [row](size_t) { return row; });
    _nulls.push_back(other._nulls[row]);
}

void column::push_from(const column& other, std::span<const uint32_t> rows) {
    SPATE_ASSERT(other._values.index() == _values.index());
    // Grows geometrically over many calls (append_rows reserves exactly).
    if (size() + rows.size() > _nulls.capacity())
        reserve(std::max(size() + rows.size(), 2 * size()));
    for (uint32_t r : rows) {
        SPATE_ASSERT(r < other.size());
        _nulls.push_back(other._nulls[r]);
    }
    append_rows(other._values, _values, rows.size(), [rows](size_t i) { return rows[i]; });
}

void column::reserve(size_t rows) {
    _nulls.reserve(rows);
    std::visit(
        [rows](auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, string_data>) {
                v.offsets.reserve(rows + 1);
            } else {
                v.reserve(rows);
            }
        },
        _values);
}

void column::clear() {
    _nulls.clear();
    std::visit([](auto& v) { v.clear(); }, _values);
}

void column::reset(data_type type) {
    SPATE_ASSERT(physical_layout(type.id) == _values.index());
    _type = type;
    clear();
}

void column::truncate(size_t rows) {
    SPATE_ASSERT(rows <= size());
    _nulls.resize(rows);
    std::visit(
        [rows](auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, string_data>) {
                v.bytes.resize(v.offsets[rows]);
                v.offsets.resize(rows + 1);
            } else {
                v.resize(rows);
            }
        },
        _values);
}

column column::filter(std::span<const uint8_t> keep) const {
    SPATE_ASSERT(keep.size() == size());
    std::vector<uint32_t> rows;
    rows.reserve(keep.size());
    for (size_t i = 0; i < keep.size(); ++i) {
        if (keep[i]) rows.push_back(static_cast<uint32_t>(i));
    }
    return gather(rows);
}

column column::gather(std::span<const uint32_t> indexes) const {
    column out(_type);
    out._nulls.reserve(indexes.size());
    for (uint32_t i : indexes) {
        SPATE_ASSERT(i < size());
        out._nulls.push_back(_nulls[i]);
    }
    append_rows(_values, out._values, indexes.size(), [&](size_t i) { return indexes[i]; });
    return out;
}

column column::slice(size_t begin, size_t count) const {
    SPATE_ASSERT(begin + count <= size());
    column out(_type);
    out._nulls.assign(_nulls.begin() + begin, _nulls.begin() + begin + count);
    append_rows(_values, out._values, count, [begin](size_t i) { return begin + i; });
    return out;
}

chunk::chunk(std::vector<column> columns) : _columns(std::move(columns)) {
    if (!_columns.empty()) sync_rows();
}

void chunk::sync_rows() {
    if (_columns.empty()) return;
    _rows = _columns.front().size();
    for (const column& c : _columns)
        SPATE_ASSERT_MSG(c.size() == _rows, "ragged chunk");
}

chunk chunk::filter(std::span<const uint8_t> keep) const {
    SPATE_ASSERT(keep.size() == _rows);
    chunk out;
    out._columns.reserve(_columns.size());
    for (const column& c : _columns)
        out._columns.push_back(c.filter(keep));
    out._rows = static_cast<size_t>(
        std::count_if(keep.begin(), keep.end(), [](uint8_t k) { return k != 0; }));
    return out;
}

chunk chunk::slice(size_t begin, size_t count) const {
    SPATE_ASSERT(begin + count <= _rows);
    chunk out;
    out._columns.reserve(_columns.size());
    for (const column& c : _columns)
        out._columns.push_back(c.slice(begin, count));
    out._rows = count;
    return out;
}

}  // namespace spate::sql
