#pragma once

// The registry's state, rebuilt from the `_schemas` records: subjects and
// their versions, schemas by id per context, compatibility levels and modes,
// and which versions reference which. Pure: no I/O, unit-testable.
//
// State changes only through apply(record). A write operation is a plan_*
// method that computes the records performing it (or the error refusing it)
// and the answer to give once they are applied; the caller appends the
// records to the topic and every server applies them as it reads them back,
// so all servers converge. Semantics are Confluent Schema Registry's
// (docs/registry.md).
//
// Threading: not thread-safe; const methods may run concurrently with each
// other, apply() alone. Errors: registry_error values; apply() never fails
// (records inconsistent with the state are logged and skipped).

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "registry/core/provider.h"
#include "registry/core/service.h"
#include "registry/store/records.h"

namespace spate::registry {

// The provider of each schema type (tests substitute their own).
using provider_lookup = std::function<const schema_provider&(schema_type)>;

// The records performing a write and its answer once they are applied.
template <typename T>
struct write_plan {
    std::vector<store_record> records;
    T answer;
};

// `subject` with its context prefix in canonical form: "name" in the default
// context (also for ":.:name"), ":.ctx:name" otherwise.
std::string qualify_subject(std::string_view subject);

class registry_state {
  public:
    explicit registry_state(provider_lookup providers = &provider_for);

    void apply(const store_record& r);

    // Reads, as the service methods of the same names.
    outcome<std::vector<std::string>> subjects(std::string_view prefix, bool include_deleted) const;
    outcome<std::vector<schema_version>> versions(std::string_view subject,
                                                  bool include_deleted) const;
    outcome<subject_schema> get_version(std::string_view subject, version_selector v,
                                        bool include_deleted) const;
    outcome<subject_schema> lookup(std::string_view subject, const schema_input& in, bool normalize,
                                   bool include_deleted) const;
    outcome<std::vector<schema_id>> referenced_by(std::string_view subject,
                                                  version_selector v) const;
    outcome<id_schema> get_schema(schema_id id, std::string_view subject) const;
    outcome<std::vector<std::string>> subjects_of(schema_id id, std::string_view subject,
                                                  bool include_deleted) const;
    outcome<std::vector<subject_version>> versions_of(schema_id id, std::string_view subject,
                                                      bool include_deleted) const;
    outcome<std::vector<subject_schema>> list_schemas(std::string_view subject_prefix,
                                                      bool include_deleted, bool latest_only) const;
    outcome<compat_level> get_config(std::optional<std::string_view> subject,
                                     bool default_to_global) const;
    outcome<registry_mode> get_mode(std::optional<std::string_view> subject,
                                    bool default_to_global) const;
    outcome<compat_report> check(std::string_view subject, std::optional<version_selector> against,
                                 const schema_input& in, bool normalize) const;
    bool id_registered_under(schema_id id, std::string_view subject) const;
    bool id_exists(schema_id id) const;
    std::optional<std::string> record_name_of(schema_id id) const;

    // The live version of `subject` already holding `in` (what a register
    // of it answers without writing); unset when there is none or `in` does
    // not parse.
    std::optional<subject_schema> find_registered(std::string_view subject, const schema_input& in,
                                                  bool normalize) const;

    // Writes, as the service methods of the same names.
    outcome<write_plan<subject_schema>> plan_register(std::string_view subject,
                                                      const schema_input& in,
                                                      const register_options& o) const;
    outcome<write_plan<std::vector<schema_version>>> plan_delete_subject(std::string_view subject,
                                                                         bool permanent) const;
    outcome<write_plan<schema_version>> plan_delete_version(std::string_view subject,
                                                            version_selector v,
                                                            bool permanent) const;
    outcome<write_plan<compat_level>> plan_set_config(std::optional<std::string_view> subject,
                                                      compat_level level) const;
    outcome<write_plan<compat_level>> plan_delete_config(
        std::optional<std::string_view> subject) const;
    outcome<write_plan<registry_mode>> plan_set_mode(std::optional<std::string_view> subject,
                                                     registry_mode m, bool force) const;
    outcome<write_plan<registry_mode>> plan_delete_mode(std::string_view subject) const;

  private:
    struct version_key {
        std::string subject;  // qualified
        int32_t version = 0;
        auto operator<=>(const version_key&) const = default;
    };
    struct version_entry {
        schema_id id{0};
        schema_type type = schema_type::avro;
        std::string schema;
        std::vector<schema_reference> references;  // as registered
        bool deleted = false;
    };
    struct subject_entry {
        std::map<int32_t, version_entry> versions;
        int32_t max_version = 0;  // highest ever applied, deleted ones included
    };
    // What makes two schemas the same: type, text and references.
    struct content_key {
        schema_type type = schema_type::avro;
        std::string schema;
        std::string references;  // encoded
        auto operator<=>(const content_key&) const = default;
    };
    struct id_entry {
        schema_type type = schema_type::avro;
        std::string schema;
        std::vector<schema_reference> references;
        std::set<version_key> users;  // the subject versions registered with it
    };
    struct context_entry {
        std::map<int32_t, id_entry> ids;
        std::map<content_key, int32_t> by_content;  // the first id of each content
        int32_t max_id = 0;                         // highest ever applied
    };
    // A schema parsed for compatibility checks and canonical text.
    struct parsed_input {
        parsed_schema_ptr parsed;
        std::string text;                          // canonical, or normalized when asked
        std::vector<schema_reference> references;  // versions resolved
    };

    // apply() parts (state_apply.cc).
    void apply_schema(const schema_record& r);
    void add_version(const std::string& subject, int32_t version, const subject_schema& s);
    void remove_version(const std::string& subject, int32_t version);
    void apply_delete_subject(const delete_subject_record& r);
    void apply_clear_subject(const clear_subject_record& r);

    // Lookups (state_read.cc).
    const subject_entry* find_subject(const std::string& qualified) const;
    const version_entry* find_version(const std::string& qualified, int32_t version) const;
    // The version `v` selects ("latest": the newest live one, or the newest
    // of all with `include_deleted`), or version_not_found/subject_not_found.
    outcome<int32_t> select_version(const std::string& qualified, version_selector v,
                                    bool include_deleted) const;
    subject_schema to_subject_schema(const std::string& qualified, int32_t version,
                                     const version_entry& e) const;
    const context_entry* find_context(const std::string& context) const;
    std::vector<schema_id> referrer_ids(const version_key& target, bool include_deleted) const;
    // Referring versions of `target` outside `except_subject` (may be empty).
    bool referenced_outside(const version_key& target, const std::string& except_subject,
                            bool include_deleted) const;

    // Parsing and compatibility (state_schema.cc).
    const schema_provider& provider(schema_type t) const { return _providers(t); }
    version_key reference_target(const std::string& referrer_context,
                                 const schema_reference& r) const;
    outcome<std::vector<resolved_reference>> resolve(
        const std::string& context, const std::vector<schema_reference>& refs) const;
    void resolve_into(const std::string& context, const schema_reference& ref,
                      std::set<version_key>& seen, std::vector<resolved_reference>& out,
                      std::optional<registry_error>& failure) const;
    outcome<parsed_input> parse_input(const std::string& qualified, const schema_input& in,
                                      bool normalize) const;
    outcome<parsed_schema_ptr> parse_version(const std::string& qualified, int32_t version) const;
    // The live version of `qualified` whose content is `p` (by text, else by
    // parsing each version and comparing canonical/normalized text).
    std::optional<int32_t> matching_version(const std::string& qualified, schema_type type,
                                            const parsed_input& p, bool normalize,
                                            bool include_deleted) const;
    // Problems of `candidate` against `versions` (oldest first) under `level`.
    outcome<std::vector<std::string>> incompatibilities(const std::string& qualified,
                                                        compat_level level,
                                                        const parsed_schema& candidate,
                                                        const std::vector<int32_t>& versions) const;
    static std::string encode_references(const std::vector<schema_reference>& refs);

    // Levels and modes with their fallbacks (state_config.cc).
    std::optional<compat_level> own_config(const std::optional<std::string>& key) const;
    compat_level effective_level(const std::string& qualified) const;
    std::optional<registry_mode> own_mode(const std::optional<std::string>& key) const;
    registry_mode effective_mode(const std::string& qualified) const;
    // operation_not_permitted when `qualified` is in a read-only mode.
    std::optional<registry_error> refuse_read_only(const std::string& qualified) const;
    // Subjects a mode/config scope covers: every one (unset), a context
    // (":.ctx:"), or one subject.
    bool in_scope(const std::optional<std::string>& scope, const std::string& qualified) const;

    // Write parts (state_write.cc).
    outcome<int32_t> choose_id(const std::string& context, const parsed_input& p, schema_type type,
                               const register_options& o) const;
    outcome<int32_t> choose_version(const std::string& qualified, const register_options& o,
                                    bool import) const;
    outcome<std::vector<store_record>> clear_for_import(
        const std::optional<std::string>& scope) const;

    provider_lookup _providers;
    std::map<std::string, subject_entry> _subjects;  // by qualified subject
    std::map<std::string, context_entry> _contexts;  // by context (".", ".ctx")
    // Referenced version -> the versions whose references name it.
    std::map<version_key, std::set<version_key>> _referrers;
    std::map<std::optional<std::string>, compat_level> _configs;  // unset key: global
    std::map<std::optional<std::string>, registry_mode> _modes;
};

}  // namespace spate::registry
