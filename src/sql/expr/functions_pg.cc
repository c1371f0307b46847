// PostgreSQL catalog functions clients call while introspecting (psql's \d
// family, JDBC, psycopg): visibility, owners, type names, descriptions.
// Spate has one user, no comments and no expressions stored in catalogs, so
// most answer constants; format_type names Spate's types (system_tables.h).

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "sql/catalog/system_tables.h"
#include "sql/expr/array_text.h"
#include "sql/expr/kernels.h"

namespace spate::sql {

std::vector<std::optional<std::string>> parse_array_literal(std::string_view array) {
    std::vector<std::optional<std::string>> out;
    size_t begin = array.find('{'), end = array.rfind('}');
    if (begin == std::string_view::npos || end == std::string_view::npos || end <= begin + 1)
        return out;
    std::string item;
    bool quoted = false, in_quotes = false;
    auto flush = [&] {
        if (item == "NULL" && !quoted)
            out.emplace_back();
        else
            out.emplace_back(item);
        item.clear();
        quoted = false;
    };
    for (size_t i = begin + 1; i < end; ++i) {
        char c = array[i];
        if (in_quotes) {
            if (c == '\\' && i + 1 < end)
                item += array[++i];
            else if (c == '"')
                in_quotes = false;
            else
                item += c;
        } else if (c == '"') {
            in_quotes = quoted = true;
        } else if (c == ',') {
            flush();
        } else if (c != ' ') {
            item += c;
        }
    }
    flush();
    return out;
}

}  // namespace spate::sql

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
constexpr type_id k_oid = type_id::int64;
using namespace sig;

// A kernel answering NULL for every row (descriptions: Spate stores none).
kernel_fn all_null() {
    return [](std::span<const column* const>, size_t rows, column& out,
              const eval_context&) -> sql_status {
        for (size_t i = 0; i < rows; ++i)
            out.push_null();
        return {};
    };
}

// format_type(type oid, typmod): NULL oid gives NULL; NULL typmod none.
sql_status format_type_kernel(std::span<const column* const> args, size_t rows, column& out,
                              const eval_context&) {
    const column& oids = *args[0];
    for (size_t i = 0; i < rows; ++i) {
        if (oids.is_null(i)) {
            out.push_null();
            continue;
        }
        std::optional<int32_t> mod;
        if (args.size() > 1 && !args[1]->is_null(i)) mod = args[1]->values<int32_t>()[i];
        out.push_string(pg_format_type(oids.values<int64_t>()[i], mod));
    }
    return {};
}

// array_to_string: NULL elements skipped, as PostgreSQL without a null string.
std::string array_to_string(sv array, sv sep) {
    std::string out;
    bool first = true;
    for (const auto& e : parse_array_literal(array)) {
        if (!e) continue;
        if (!first) out.append(sep);
        out += *e;
        first = false;
    }
    return out;
}

// x = ANY (array) (`all` false) or x <> ALL (array) (`all` true) with SQL's
// null rules; elements compare as text renderings of x.
template <typename T>
kernel_fn quantified(bool all) {
    return [all](std::span<const column* const> args, size_t rows, column& out,
                 const eval_context&) -> sql_status {
        for (size_t i = 0; i < rows; ++i) {
            if (args[0]->is_null(i) || args[1]->is_null(i)) {
                out.push_null();
                continue;
            }
            std::string x;
            if constexpr (std::is_same_v<T, sv>)
                x = std::string(args[0]->strings().at(i));
            else
                x = std::to_string(args[0]->values<T>()[i]);
            bool hit = false, null_seen = false;
            for (const auto& e : parse_array_literal(args[1]->strings().at(i))) {
                if (!e)
                    null_seen = true;
                else if (*e == x)
                    hit = true;
            }
            // ANY: true on a match; ALL (<>): false on a match; else NULL if a NULL was seen.
            if (hit)
                out.push<uint8_t>(all ? 0 : 1);
            else if (null_seen)
                out.push_null();
            else
                out.push<uint8_t>(all ? 1 : 0);
        }
        return {};
    };
}

// pg_size_pretty: bytes below 10 kB, then the largest unit keeping the
// value at or above 10, rounded half up.
std::string size_pretty(int64_t bytes) {
    static const char* k_units[] = {"kB", "MB", "GB", "TB", "PB"};
    int64_t v = bytes;
    if (v > -10240 && v < 10240) return std::to_string(v) + " bytes";
    for (const char* unit : k_units) {
        int64_t half = v / 512;  // value in half-units of the next unit
        v = (half + (half >= 0 ? 1 : -1)) / 2;
        if ((v > -10240 && v < 10240) || std::string_view(unit) == "PB")
            return std::to_string(v) + " " + unit;
    }
    return std::to_string(v) + " PB";
}

}  // namespace

void register_pg_catalog(registry& r) {
    r.add("pg_table_is_visible", {k_oid}, type_id::boolean,
          pure<uint8_t, int64_t>([](int64_t) { return uint8_t{1}; }));
    for (const char* name : {"pg_type_is_visible", "pg_function_is_visible"})
        r.add(name, {k_oid}, type_id::boolean,
              pure<uint8_t, int64_t>([](int64_t) { return uint8_t{1}; }));
    r.add("pg_get_userbyid", {k_oid}, T,
          pure<std::string, int64_t>([](int64_t) { return std::string("spate"); }));
    r.add("format_type", {k_oid, type_id::int32}, T, format_type_kernel, null_handling::custom);
    r.add("pg_encoding_to_char", {type_id::int32}, T,
          pure<std::string, int32_t>([](int32_t e) { return std::string(e == 6 ? "UTF8" : ""); }));
    r.add("pg_relation_is_publishable", {k_oid}, type_id::boolean,
          pure<uint8_t, int64_t>([](int64_t) { return uint8_t{0}; }));
    r.add("array_to_string", {T, T}, T,
          pure<std::string, sv, sv>([](sv a, sv s) { return array_to_string(a, s); }));
    r.add("array_upper", {T, type_id::int32}, type_id::int32,
          [](std::span<const column* const> args, size_t rows, column& out,
             const eval_context&) -> sql_status {
              for (size_t i = 0; i < rows; ++i) {
                  if (args[0]->is_null(i) || args[1]->is_null(i)) {
                      out.push_null();
                      continue;
                  }
                  size_t n = parse_array_literal(args[0]->strings().at(i)).size();
                  if (n == 0 || args[1]->values<int32_t>()[i] != 1)
                      out.push_null();
                  else
                      out.push<int32_t>(static_cast<int32_t>(n));
              }
              return {};
          });
    // a[i] (1-based): the element's text, typed unknown so it takes the
    // type its context needs; NULL out of bounds.
    r.add("array_element", {T, type_id::int64}, type_id::unknown,
          [](std::span<const column* const> args, size_t rows, column& out,
             const eval_context&) -> sql_status {
              for (size_t i = 0; i < rows; ++i) {
                  if (args[0]->is_null(i) || args[1]->is_null(i)) {
                      out.push_null();
                      continue;
                  }
                  auto e = parse_array_literal(args[0]->strings().at(i));
                  int64_t k = args[1]->values<int64_t>()[i];
                  if (k < 1 || static_cast<size_t>(k) > e.size() || !e[static_cast<size_t>(k - 1)])
                      out.push_null();
                  else
                      out.push_string(*e[static_cast<size_t>(k - 1)]);
              }
              return {};
          });
    r.add("= any", {k_oid, T}, type_id::boolean, quantified<int64_t>(false), null_handling::custom);
    r.add("array_upper", {T, type_id::int32}, type_id::int32,
          [](std::span<const column* const> args, size_t rows, column& out,
             const eval_context&) -> sql_status {
              for (size_t i = 0; i < rows; ++i) {
                  if (args[0]->is_null(i) || args[1]->is_null(i)) {
                      out.push_null();
                      continue;
                  }
                  size_t n = parse_array_literal(args[0]->strings().at(i)).size();
                  if (n == 0 || args[1]->values<int32_t>()[i] != 1)
                      out.push_null();
                  else
                      out.push<int32_t>(static_cast<int32_t>(n));
              }
              return {};
          });
    // a[i] (1-based): the element's text, typed unknown so it takes the
    // type its context needs; NULL out of bounds.
    r.add("array_element", {T, type_id::int64}, type_id::unknown,
          [](std::span<const column* const> args, size_t rows, column& out,
             const eval_context&) -> sql_status {
              for (size_t i = 0; i < rows; ++i) {
                  if (args[0]->is_null(i) || args[1]->is_null(i)) {
                      out.push_null();
                      continue;
                  }
                  auto e = parse_array_literal(args[0]->strings().at(i));
                  int64_t k = args[1]->values<int64_t>()[i];
                  if (k < 1 || static_cast<size_t>(k) > e.size() || !e[static_cast<size_t>(k - 1)])
                      out.push_null();
                  else
                      out.push_string(*e[static_cast<size_t>(k - 1)]);
              }
              return {};
          });
    r.add("= any", {T, T}, type_id::boolean, quantified<sv>(false), null_handling::custom);
    r.add("<> all", {k_oid, T}, type_id::boolean, quantified<int64_t>(true), null_handling::custom);
    r.add("<> all", {T, T}, type_id::boolean, quantified<sv>(true), null_handling::custom);
    // Sizes: relations live in Kafka topics, not files; they report 0 bytes.
    for (const char* name : {"pg_table_size", "pg_relation_size", "pg_total_relation_size",
                             "pg_indexes_size", "pg_database_size"})
        r.add(name, {k_oid}, type_id::int64,
              pure<int64_t, int64_t>([](int64_t) { return int64_t{0}; }));
    r.add("pg_database_size", {T}, type_id::int64,
          pure<int64_t, sv>([](sv) { return int64_t{0}; }));
    r.add("pg_size_pretty", {type_id::int64}, T, pure<std::string, int64_t>(size_pretty));
    // Stored expressions and descriptions: Spate keeps none.
    r.add("pg_get_expr", {T, k_oid}, T, all_null(), null_handling::custom);
    r.add("pg_get_expr", {T, k_oid, type_id::boolean}, T, all_null(), null_handling::custom);
    r.add("obj_description", {k_oid}, T, all_null(), null_handling::custom);
    r.add("obj_description", {k_oid, T}, T, all_null(), null_handling::custom);
    r.add("shobj_description", {k_oid, T}, T, all_null(), null_handling::custom);
    for (const char* name :
         {"pg_get_statisticsobjdef_columns", "pg_get_indexdef", "pg_get_constraintdef",
          "pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef",
          "pg_get_partition_constraintdef", "pg_get_viewdef", "pg_tablespace_location"}) {
        r.add(name, {k_oid}, T, all_null(), null_handling::custom);
        r.add(name, {k_oid, type_id::boolean}, T, all_null(), null_handling::custom);
    }
    r.add("col_description", {k_oid, type_id::int32}, T, all_null(), null_handling::custom);
    // One superuser: every privilege is held.
    for (const char* name : {"has_table_privilege", "has_schema_privilege",
                             "has_database_privilege", "has_column_privilege"}) {
        r.add(name, {T, T}, type_id::boolean,
              pure<uint8_t, sv, sv>([](sv, sv) { return uint8_t{1}; }));
        r.add(name, {k_oid, T}, type_id::boolean,
              pure<uint8_t, int64_t, sv>([](int64_t, sv) { return uint8_t{1}; }));
    }
}

}  // namespace spate::sql::detail
