#include "sql/catalog/system_tables.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <initializer_list>
#include <map>

#include "sql/catalog/system_tables_detail.h"

namespace spate::sql {

namespace {

using namespace detail;

struct pg_type_info {
    int64_t oid;
    const char* typname;
    const char* sql_name;  // format_type / information_schema data_type
    int16_t typlen;
    const char* category;
    type_id id;
};

// The types Spate has, as PostgreSQL names them (varchar before text: a
// VARCHAR column reports character varying).
constexpr pg_type_info k_types[] = {
    {16, "bool", "boolean", 1, "B", type_id::boolean},
    {17, "bytea", "bytea", -1, "U", type_id::bytea},
    {20, "int8", "bigint", 8, "N", type_id::int64},
    {21, "int2", "smallint", 2, "N", type_id::int16},
    {23, "int4", "integer", 4, "N", type_id::int32},
    {25, "text", "text", -1, "S", type_id::text},
    {700, "float4", "real", 4, "N", type_id::float32},
    {701, "float8", "double precision", 8, "N", type_id::float64},
    {1043, "varchar", "character varying", -1, "S", type_id::text},
    {1082, "date", "date", 4, "D", type_id::date},
    {1083, "time", "time without time zone", 8, "D", type_id::time},
    {1114, "timestamp", "timestamp without time zone", 8, "D", type_id::timestamp},
    {1184, "timestamptz", "timestamp with time zone", 8, "D", type_id::timestamptz},
    {1186, "interval", "interval", 16, "T", type_id::interval},
    {1700, "numeric", "numeric", -1, "N", type_id::numeric},
    {3802, "jsonb", "jsonb", -1, "U", type_id::jsonb},
};

const pg_type_info* type_info(int64_t oid) {
    for (const auto& t : k_types)
        if (t.oid == oid) return &t;
    return nullptr;
}

system_table pg_namespace(const catalog&) {
    table_builder b("pg_catalog", "pg_namespace",
                    {{"oid", k_oid}, {"nspname", k_text}, {"nspowner", k_oid}, {"nspacl", k_text}});
    b.row({oid(k_pg_catalog_namespace_oid), txt("pg_catalog"), oid(10), null()});
    b.row({oid(k_public_namespace_oid), txt("public"), oid(10), null()});
    b.row({oid(k_information_schema_namespace_oid), txt("information_schema"), oid(10), null()});
    return b.build();
}

system_table pg_class(const catalog& cat) {
    table_builder b("pg_catalog", "pg_class",
                    {{"oid", k_oid},
                     {"relname", k_text},
                     {"relnamespace", k_oid},
                     {"reltype", k_oid},
                     {"reloftype", k_oid},
                     {"relowner", k_oid},
                     {"relam", k_oid},
                     {"relfilenode", k_oid},
                     {"reltablespace", k_oid},
                     {"relpages", k_i4},
                     {"reltuples", type_id::float32},
                     {"relallvisible", k_i4},
                     {"reltoastrelid", k_oid},
                     {"relhasindex", k_bool},
                     {"relisshared", k_bool},
                     {"relpersistence", k_text},
                     {"relkind", k_text},
                     {"relnatts", k_i2},
                     {"relchecks", k_i2},
                     {"relhasrules", k_bool},
                     {"relhastriggers", k_bool},
                     {"relhassubclass", k_bool},
                     {"relrowsecurity", k_bool},
                     {"relforcerowsecurity", k_bool},
                     {"relispopulated", k_bool},
                     {"relreplident", k_text},
                     {"relispartition", k_bool},
                     {"relrewrite", k_oid},
                     {"relacl", k_text},
                     {"reloptions", k_text},
                     {"relpartbound", k_text}});
    for (const auto& o : relations_of(cat)) {
        bool view = o.kind == catalog_kind::view;
        b.row({oid(object_oid(o)),
               txt(o.name),
               oid(k_public_namespace_oid),
               oid(0),
               oid(0),
               oid(10),
               oid(view ? 2 : 2),
               oid(0),
               oid(0),
               value::int32(0),
               value::float32(-1),
               value::int32(0),
               oid(0),
               boolean(false),
               boolean(false),
               txt("p"),
               txt(view ? "m" : "r"),
               value::int16(static_cast<int16_t>(o.relation.columns.size())),
               value::int16(0),
               boolean(false),
               boolean(false),
               boolean(false),
               boolean(false),
               boolean(false),
               boolean(true),
               txt("d"),
               boolean(false),
               oid(0),
               null(),
               null(),
               null()});
    }
    return b.build();
}

system_table pg_attribute(const catalog& cat) {
    table_builder b("pg_catalog", "pg_attribute",
                    {{"attrelid", k_oid},     {"attname", k_text},      {"atttypid", k_oid},
                     {"attstattarget", k_i4}, {"attlen", k_i2},         {"attnum", k_i2},
                     {"attndims", k_i4},      {"atttypmod", k_i4},      {"attbyval", k_bool},
                     {"attalign", k_text},    {"attstorage", k_text},   {"attcompression", k_text},
                     {"attnotnull", k_bool},  {"atthasdef", k_bool},    {"atthasmissing", k_bool},
                     {"attidentity", k_text}, {"attgenerated", k_text}, {"attisdropped", k_bool},
                     {"attislocal", k_bool},  {"attinhcount", k_i4},    {"attcollation", k_oid},
                     {"attacl", k_text},      {"attoptions", k_text},   {"attfdwoptions", k_text}});
    auto add = [&](int64_t rel, const column_def& c, int16_t num) {
        int64_t t = pg_type_oid(c.type);
        const pg_type_info* info = type_info(t);
        bool text_like = c.type.id == type_id::text;
        b.row({oid(rel),
               txt(c.name),
               oid(t),
               value::int32(-1),
               value::int16(info ? info->typlen : int16_t{-1}),
               value::int16(num),
               value::int32(0),
               value::int32(pg_type_modifier(c.type)),
               boolean(info && info->typlen > 0 && info->typlen <= 8),
               txt("i"),
               txt(c.type.id == type_id::numeric ? "m"
                   : info && info->typlen < 0    ? "x"
                                                 : "p"),
               txt(""),
               boolean(false),
               boolean(false),
               boolean(false),
               txt(""),
               txt(""),
               boolean(false),
               boolean(true),
               value::int32(0),
               oid(text_like ? 100 : 0),
               null(),
               null(),
               null()});
    };
    for (const auto& o : relations_of(cat)) {
        int64_t rel = object_oid(o);
        int16_t num = 0;
        for (const auto& c : o.relation.columns)
            add(rel, c, ++num);
        num = 0;
        for (const auto& h : hidden_columns())
            add(rel, h, --num);
    }
    return b.build();
}

system_table pg_type(const catalog&) {
    table_builder b("pg_catalog", "pg_type",
                    {{"oid", k_oid},
                     {"typname", k_text},
                     {"typnamespace", k_oid},
                     {"typowner", k_oid},
                     {"typlen", k_i2},
                     {"typbyval", k_bool},
                     {"typtype", k_text},
                     {"typcategory", k_text},
                     {"typisdefined", k_bool},
                     {"typdelim", k_text},
                     {"typrelid", k_oid},
                     {"typelem", k_oid},
                     {"typarray", k_oid},
                     {"typnotnull", k_bool},
                     {"typbasetype", k_oid},
                     {"typtypmod", k_i4},
                     {"typndims", k_i4},
                     {"typcollation", k_oid},
                     {"typdefault", k_text}});
    for (const auto& t : k_types) {
        bool text_like = t.id == type_id::text;
        b.row({oid(t.oid), txt(t.typname), oid(k_pg_catalog_namespace_oid), oid(10),
               value::int16(t.typlen), boolean(t.typlen > 0 && t.typlen <= 8), txt("b"),
               txt(t.category), boolean(true), txt(","), oid(0), oid(0), oid(0), boolean(false),
               oid(0), value::int32(-1), value::int32(0), oid(text_like ? 100 : 0), null()});
    }
    return b.build();
}

system_table pg_database(const catalog&) {
    table_builder b("pg_catalog", "pg_database",
                    {{"oid", k_oid},
                     {"datname", k_text},
                     {"datdba", k_oid},
                     {"encoding", k_i4},
                     {"datlocprovider", k_text},
                     {"datistemplate", k_bool},
                     {"datallowconn", k_bool},
                     {"datconnlimit", k_i4},
                     {"datcollate", k_text},
                     {"datctype", k_text},
                     {"daticulocale", k_text},
                     {"dattablespace", k_oid},
                     {"datacl", k_text}});
    b.row({oid(16383), txt("spate"), oid(10), value::int32(6), txt("c"), boolean(false),
           boolean(true), value::int32(-1), txt("C"), txt("C"), null(), oid(1663), null()});
    return b.build();
}

system_table pg_roles(const catalog&, const char* name) {
    table_builder b("pg_catalog", name,
                    {{"oid", k_oid},
                     {"rolname", k_text},
                     {"rolsuper", k_bool},
                     {"rolinherit", k_bool},
                     {"rolcreaterole", k_bool},
                     {"rolcreatedb", k_bool},
                     {"rolcanlogin", k_bool},
                     {"rolreplication", k_bool},
                     {"rolconnlimit", k_i4},
                     {"rolvaliduntil", k_text},
                     {"rolbypassrls", k_bool},
                     {"rolconfig", k_text}});
    b.row({oid(10), txt("spate"), boolean(true), boolean(true), boolean(true), boolean(true),
           boolean(true), boolean(false), value::int32(-1), null(), boolean(true), null()});
    return b.build();
}

system_table pg_tablespace(const catalog&) {
    table_builder b("pg_catalog", "pg_tablespace",
                    {{"oid", k_oid},
                     {"spcname", k_text},
                     {"spcowner", k_oid},
                     {"spcacl", k_text},
                     {"spcoptions", k_text}});
    b.row({oid(1663), txt("pg_default"), oid(10), null(), null()});
    b.row({oid(1664), txt("pg_global"), oid(10), null(), null()});
    return b.build();
}

system_table pg_am(const catalog&) {
    table_builder b(
        "pg_catalog", "pg_am",
        {{"oid", k_oid}, {"amname", k_text}, {"amhandler", k_text}, {"amtype", k_text}});
    b.row({oid(2), txt("heap"), txt("heap_tableam_handler"), txt("t")});
    return b.build();
}

}  // namespace

namespace detail {

std::vector<catalog_object> relations_of(const catalog& cat) {
    std::vector<catalog_object> out;
    for (auto& o : cat.all())
        if (o.kind != catalog_kind::sink) out.push_back(std::move(o));
    return out;
}

std::string pg_type_name(int64_t type_oid) {
    const pg_type_info* info = type_info(type_oid);
    return info ? info->typname : "";
}

}  // namespace detail

int64_t object_oid(const catalog_object& o) {
    // FNV-1a of the creation id, folded into [16384, 2^31).
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : o.id.empty() ? o.name : o.id) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return k_first_user_oid + static_cast<int64_t>(h % (2147483647ull - k_first_user_oid));
}

namespace {

// PostgreSQL's OIDs of its catalog tables; others get one from their name.
int64_t system_table_oid(std::string_view name) {
    static const std::pair<std::string_view, int64_t> k_known[] = {
        {"pg_type", 1247},        {"pg_attribute", 1249},  {"pg_proc", 1255},
        {"pg_class", 1259},       {"pg_database", 1262},   {"pg_namespace", 2615},
        {"pg_am", 2601},          {"pg_index", 2610},      {"pg_constraint", 2606},
        {"pg_description", 2609}, {"pg_attrdef", 2604},    {"pg_collation", 3456},
        {"pg_trigger", 2620},     {"pg_rewrite", 2618},    {"pg_inherits", 2611},
        {"pg_authid", 1260},      {"pg_tablespace", 1213},
    };
    for (const auto& [n, oid] : k_known)
        if (n == name) return oid;
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return 12000 + static_cast<int64_t>(h % 4000);  // below k_first_user_oid
}

// An identifier as PostgreSQL reads it: "Quoted" kept, else lower-cased.
std::string identifier(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        return std::string(s.substr(1, s.size() - 2));
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The query of "CREATE MATERIALIZED VIEW name AS query": what follows the
// first AS keyword after the name (WITH options come before AS).
std::string query_of_create(const std::string& create) {
    std::string upper = create;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    size_t view = upper.find("VIEW");
    for (size_t i = view == std::string::npos ? 0 : view + 4; i + 2 < upper.size(); ++i) {
        bool before = std::isspace(static_cast<unsigned char>(upper[i])) || upper[i] == ')';
        if (before && upper.compare(i + 1, 2, "AS") == 0 &&
            (i + 3 >= upper.size() || std::isspace(static_cast<unsigned char>(upper[i + 3])))) {
            size_t begin = create.find_first_not_of(" \t\r\n", i + 3);
            return begin == std::string::npos ? "" : create.substr(begin);
        }
    }
    return create;
}

}  // namespace

std::optional<int64_t> regclass_oid(std::string_view name, const catalog& cat) {
    if (!name.empty() && name.size() < 19 && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        }))
        return std::stoll(std::string(name));
    std::string schema, rel;
    size_t dot = name.find('.');
    if (dot != std::string_view::npos && name.front() != '"') {
        schema = identifier(name.substr(0, dot));
        rel = identifier(name.substr(dot + 1));
    } else {
        rel = identifier(name);
    }
    if (schema.empty() || schema == "public")
        if (auto o = cat.find(rel); o && o->kind != catalog_kind::sink) return object_oid(*o);
    if (schema.empty() || schema == "pg_catalog" || schema == "information_schema")
        if (find_system_table(schema, rel, cat)) return system_table_oid(rel);
    return std::nullopt;
}

std::optional<std::string> view_definition(std::string_view regclass, const catalog& cat) {
    auto oid = regclass_oid(regclass, cat);
    if (!oid) return std::nullopt;
    for (const auto& o : cat.all())
        if (o.kind == catalog_kind::view && object_oid(o) == *oid)
            return o.query_sql.empty() ? query_of_create(o.create_sql) : o.query_sql;
    return std::nullopt;
}

int64_t pg_type_oid(const data_type& t) {
    if (t.id == type_id::text && t.varchar) return 1043;
    for (const auto& i : k_types)
        if (i.id == t.id) return i.oid;
    return 25;
}

int32_t pg_type_modifier(const data_type& t) {
    if (t.id == type_id::numeric && t.precision > 0) return ((t.precision << 16) | t.scale) + 4;
    if (t.id == type_id::text && t.varchar && t.precision > 0) return t.precision + 4;
    return -1;
}

std::string pg_format_type(int64_t type_oid, std::optional<int32_t> typmod) {
    const pg_type_info* info = type_info(type_oid);
    if (!info) return "???";
    std::string out = info->sql_name;
    if (typmod && *typmod >= 4) {
        int32_t m = *typmod - 4;
        if (type_oid == 1043) out += "(" + std::to_string(m) + ")";
        if (type_oid == 1700)
            out += "(" + std::to_string(m >> 16) + "," + std::to_string(m & 0xffff) + ")";
    }
    return out;
}

std::optional<system_table> find_system_table(std::string_view schema, std::string_view name,
                                              const catalog& cat) {
    if (schema == "information_schema") {
        auto t = information_schema_table(name, cat);
        if (t.columns.empty()) return std::nullopt;
        return t;
    }
    if (!schema.empty() && schema != "pg_catalog") return std::nullopt;
    static const std::map<std::string_view, std::function<system_table(const catalog&)>,
                          std::less<>>
        k_tables = {
            {"pg_namespace", pg_namespace},
            {"pg_class", pg_class},
            {"pg_attribute", pg_attribute},
            {"pg_type", pg_type},
            {"pg_database", pg_database},
            {"pg_am", pg_am},
            {"pg_tablespace", pg_tablespace},
            {"pg_roles", [](const catalog& c) { return pg_roles(c, "pg_roles"); }},
            {"pg_authid", [](const catalog& c) { return pg_roles(c, "pg_authid"); }},
        };
    if (auto it = k_tables.find(name); it != k_tables.end()) return it->second(cat);
    return empty_system_table(name);
}

}  // namespace spate::sql
