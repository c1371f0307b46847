// pg_catalog tables Spate has no content for: they exist, empty, with the
// columns clients read (system_tables.h).

#include "sql/catalog/system_tables_detail.h"

namespace spate::sql::detail {

namespace {

// Tables that exist with no rows: their columns, all read as text or oid.
struct empty_table {
    const char* name;
    std::initializer_list<std::pair<const char*, type_id>> columns;
};

const empty_table k_empty[] = {
    {"pg_attrdef", {{"oid", k_oid}, {"adrelid", k_oid}, {"adnum", k_i2}, {"adbin", k_text}}},
    {"pg_collation",
     {{"oid", k_oid}, {"collname", k_text}, {"collnamespace", k_oid}, {"collprovider", k_text}}},
    {"pg_index",
     {{"indexrelid", k_oid},
      {"indrelid", k_oid},
      {"indnatts", k_i2},
      {"indisunique", k_bool},
      {"indisprimary", k_bool},
      {"indisclustered", k_bool},
      {"indisvalid", k_bool},
      {"indisreplident", k_bool},
      {"indkey", k_text},
      {"indexprs", k_text},
      {"indpred", k_text}}},
    {"pg_constraint",
     {{"oid", k_oid},
      {"conname", k_text},
      {"connamespace", k_oid},
      {"contype", k_text},
      {"conrelid", k_oid},
      {"confrelid", k_oid},
      {"conindid", k_oid},
      {"conparentid", k_oid},
      {"condeferrable", k_bool},
      {"condeferred", k_bool},
      {"convalidated", k_bool},
      {"conislocal", k_bool},
      {"connoinherit", k_bool},
      {"conkey", k_text},
      {"confkey", k_text}}},
    {"pg_policy",
     {{"oid", k_oid},
      {"polname", k_text},
      {"polrelid", k_oid},
      {"polcmd", k_text},
      {"polpermissive", k_bool},
      {"polroles", k_text},
      {"polqual", k_text},
      {"polwithcheck", k_text}}},
    {"pg_statistic_ext",
     {{"oid", k_oid},
      {"stxrelid", k_oid},
      {"stxname", k_text},
      {"stxnamespace", k_oid},
      {"stxowner", k_oid},
      {"stxstattarget", k_i4},
      {"stxkeys", k_text},
      {"stxkind", k_text},
      {"stxexprs", k_text}}},
    {"pg_inherits",
     {{"inhrelid", k_oid}, {"inhparent", k_oid}, {"inhseqno", k_i4}, {"inhdetachpending", k_bool}}},
    {"pg_trigger",
     {{"oid", k_oid},
      {"tgrelid", k_oid},
      {"tgparentid", k_oid},
      {"tgname", k_text},
      {"tgfoid", k_oid},
      {"tgtype", k_i2},
      {"tgenabled", k_text},
      {"tgisinternal", k_bool}}},
    {"pg_rewrite",
     {{"oid", k_oid},
      {"rulename", k_text},
      {"ev_class", k_oid},
      {"ev_type", k_text},
      {"ev_enabled", k_text},
      {"is_instead", k_bool}}},
    {"pg_publication",
     {{"oid", k_oid},
      {"pubname", k_text},
      {"pubowner", k_oid},
      {"puballtables", k_bool},
      {"pubinsert", k_bool},
      {"pubupdate", k_bool},
      {"pubdelete", k_bool},
      {"pubtruncate", k_bool},
      {"pubviaroot", k_bool}}},
    {"pg_publication_rel",
     {{"oid", k_oid},
      {"prpubid", k_oid},
      {"prrelid", k_oid},
      {"prqual", k_text},
      {"prattrs", k_text}}},
    {"pg_auth_members",
     {{"oid", k_oid},
      {"roleid", k_oid},
      {"member", k_oid},
      {"grantor", k_oid},
      {"admin_option", k_bool}}},
    {"pg_publication_namespace", {{"oid", k_oid}, {"pnpubid", k_oid}, {"pnnspid", k_oid}}},
    {"pg_description",
     {{"objoid", k_oid}, {"classoid", k_oid}, {"objsubid", k_i4}, {"description", k_text}}},
    {"pg_partitioned_table", {{"partrelid", k_oid}, {"partstrat", k_text}, {"partnatts", k_i2}}},
    {"pg_foreign_table", {{"ftrelid", k_oid}, {"ftserver", k_oid}, {"ftoptions", k_text}}},
    {"pg_proc",
     {{"oid", k_oid},
      {"proname", k_text},
      {"pronamespace", k_oid},
      {"prorettype", k_oid},
      {"prokind", k_text}}},
    {"pg_extension",
     {{"oid", k_oid},
      {"extname", k_text},
      {"extowner", k_oid},
      {"extnamespace", k_oid},
      {"extversion", k_text}}},
};

}  // namespace

std::optional<system_table> empty_system_table(std::string_view name) {
    for (const auto& e : k_empty) {
        if (name != e.name) continue;
        table_builder b("pg_catalog", e.name, e.columns);
        return b.build();
    }
    return std::nullopt;
}

}  // namespace spate::sql::detail
