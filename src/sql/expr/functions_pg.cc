// PostgreSQL catalog functions clients call while introspecting (psql's \d
// family, JDBC, psycopg): visibility, owners, type names, descriptions.
// Spate has one user, no comments and no expressions stored in catalogs, so
// most answer constants; format_type names Spate's types (system_tables.h).

#include <optional>
#include <string>

#include "sql/catalog/system_tables.h"
#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
constexpr type_id k_oid = type_id::int64;
constexpr type_id T = type_id::text;

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

// array_to_string over a PostgreSQL array literal ({a,"b c",NULL}); NULL
// elements are skipped, as PostgreSQL does without a null string.
std::string array_to_string(sv array, sv sep) {
    std::string out, item;
    bool first = true, quoted = false, in_quotes = false;
    auto flush = [&] {
        if (!(item == "NULL" && !quoted) && !(item.empty() && !quoted)) {
            if (!first) out.append(sep);
            out += item;
            first = false;
        }
        item.clear();
        quoted = false;
    };
    size_t begin = array.find('{'), end = array.rfind('}');
    if (begin == sv::npos || end == sv::npos || end <= begin) return std::string(array);
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
        } else {
            item += c;
        }
    }
    if (end > begin + 1) flush();
    return out;
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
    // Stored expressions and descriptions: Spate keeps none.
    r.add("pg_get_expr", {T, k_oid}, T, all_null(), null_handling::custom);
    r.add("pg_get_expr", {T, k_oid, type_id::boolean}, T, all_null(), null_handling::custom);
    r.add("obj_description", {k_oid}, T, all_null(), null_handling::custom);
    r.add("obj_description", {k_oid, T}, T, all_null(), null_handling::custom);
    r.add("shobj_description", {k_oid, T}, T, all_null(), null_handling::custom);
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
