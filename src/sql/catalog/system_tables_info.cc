// information_schema: tables, columns, schemata (system_tables.h).

#include "sql/catalog/system_tables_detail.h"

namespace spate::sql::detail {

namespace {

system_table tables(const catalog& cat) {
    table_builder b("information_schema", "tables",
                    {{"table_catalog", k_text},
                     {"table_schema", k_text},
                     {"table_name", k_text},
                     {"table_type", k_text},
                     {"self_referencing_column_name", k_text},
                     {"reference_generation", k_text},
                     {"user_defined_type_catalog", k_text},
                     {"user_defined_type_schema", k_text},
                     {"user_defined_type_name", k_text},
                     {"is_insertable_into", k_text},
                     {"is_typed", k_text},
                     {"commit_action", k_text}});
    for (const auto& o : relations_of(cat))
        b.row({txt("spate"), txt("public"), txt(o.name),
               txt(o.kind == catalog_kind::view ? "VIEW" : "BASE TABLE"), null(), null(), null(),
               null(), null(), txt("NO"), txt("NO"), null()});
    return b.build();
}

value opt_int(bool present, int32_t v) {
    return present ? value::int32(v) : value::null(data_type::of(type_id::int32));
}

system_table columns(const catalog& cat) {
    table_builder b("information_schema", "columns",
                    {{"table_catalog", k_text},
                     {"table_schema", k_text},
                     {"table_name", k_text},
                     {"column_name", k_text},
                     {"ordinal_position", k_i4},
                     {"column_default", k_text},
                     {"is_nullable", k_text},
                     {"data_type", k_text},
                     {"character_maximum_length", k_i4},
                     {"numeric_precision", k_i4},
                     {"numeric_scale", k_i4},
                     {"datetime_precision", k_i4},
                     {"udt_catalog", k_text},
                     {"udt_schema", k_text},
                     {"udt_name", k_text},
                     {"is_identity", k_text},
                     {"is_generated", k_text},
                     {"is_updatable", k_text}});
    for (const auto& o : relations_of(cat)) {
        int32_t pos = 0;
        for (const auto& c : o.relation.columns) {
            int64_t t = pg_type_oid(c.type);
            bool varchar_len = c.type.varchar && c.type.precision > 0;
            bool numeric = c.type.id == type_id::numeric && c.type.precision > 0;
            bool temporal = c.type.id == type_id::timestamp || c.type.id == type_id::timestamptz ||
                            c.type.id == type_id::time || c.type.id == type_id::interval ||
                            c.type.id == type_id::date;
            b.row({txt("spate"), txt("public"), txt(o.name), txt(c.name), value::int32(++pos),
                   null(), txt("YES"), txt(pg_format_type(t, std::nullopt)),
                   opt_int(varchar_len, c.type.precision), opt_int(numeric, c.type.precision),
                   opt_int(numeric, c.type.scale),
                   opt_int(temporal, c.type.id == type_id::date ? 0 : 6), txt("spate"),
                   txt("pg_catalog"), txt(pg_type_name(t)), txt("NO"), txt("NEVER"), txt("NO")});
        }
    }
    return b.build();
}

system_table schemata(const catalog&) {
    table_builder b("information_schema", "schemata",
                    {{"catalog_name", k_text}, {"schema_name", k_text}, {"schema_owner", k_text}});
    for (const char* s : {"pg_catalog", "public", "information_schema"})
        b.row({txt("spate"), txt(s), txt("spate")});
    return b.build();
}

}  // namespace

system_table information_schema_table(std::string_view name, const catalog& cat) {
    if (name == "tables") return tables(cat);
    if (name == "columns") return columns(cat);
    if (name == "schemata") return schemata(cat);
    return {};
}

}  // namespace spate::sql::detail
