#pragma once

// Internal to the system tables (system_tables*.cc): a builder of virtual
// tables and value shorthands. Not a public API.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/catalog/system_tables.h"
#include "sql/types/value.h"

namespace spate::sql::detail {

// Columns and rows of one virtual table.
class table_builder {
  public:
    table_builder(std::string schema, std::string name,
                  std::initializer_list<std::pair<const char*, type_id>> columns)
        : _schema(std::move(schema)), _name(std::move(name)) {
        for (const auto& [n, t] : columns) {
            _columns.push_back({n, data_type::of(t)});
            _data.emplace_back(data_type::of(t));
        }
    }
    // One row: values in column order (nulls of any type allowed).
    void row(std::initializer_list<value> values) {
        SPATE_ASSERT(values.size() == _data.size());
        size_t i = 0;
        for (const auto& v : values) {
            if (v.is_null())
                _data[i].push_null();
            else
                v.append_to(_data[i]);
            ++i;
        }
    }
    system_table build() {
        auto c = std::make_shared<chunk>(std::move(_data));
        return {_schema, _name, _columns, c};
    }

  private:
    std::string _schema, _name;
    std::vector<column_def> _columns;
    std::vector<column> _data;
};

inline constexpr type_id k_oid = type_id::int64;
inline constexpr type_id k_text = type_id::text;
inline constexpr type_id k_bool = type_id::boolean;
inline constexpr type_id k_i2 = type_id::int16;
inline constexpr type_id k_i4 = type_id::int32;

inline value oid(int64_t v) {
    return value::int64(v);
}
inline value txt(std::string v) {
    return value::text(std::move(v));
}
inline value boolean(bool b) {
    return value::boolean(b);
}
inline value null() {
    return value::null(data_type::of(type_id::text));
}

// Sources and views in creation order (sinks are not relations).
std::vector<catalog_object> relations_of(const catalog& cat);

// pg_type.typname of `type_oid` ("int8"), "" when unknown.
std::string pg_type_name(int64_t type_oid);

// The empty pg_catalog table `name` (pg_index, pg_constraint, ...), if any.
std::optional<system_table> empty_system_table(std::string_view name);

// The information_schema relation `name`; no columns when there is none.
system_table information_schema_table(std::string_view name, const catalog& cat);

}  // namespace spate::sql::detail
