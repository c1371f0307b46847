#pragma once

// The schema registry's operations, as the REST API, the SQL engine and the
// broker's record validation use them. Semantics follow Confluent Schema
// Registry (subjects, versions, ids, soft and permanent deletes, references,
// per-subject config and mode, contexts); docs/registry.md writes them down.
//
// Threading: every method may be called from any thread. Reads answer from
// the registry's in-memory state; writes are serialized across every server
// sharing the `_schemas` topic and return only after this server's state
// includes them (a read after a write sees it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/core/types.h"

namespace spate::registry {

// A registered version of a subject.
struct subject_schema {
    std::string subject;
    schema_version version{0};
    schema_id id{0};
    schema_type type = schema_type::avro;
    std::string schema;  // canonical text
    std::vector<schema_reference> references;
    bool deleted = false;  // soft-deleted
};

// A schema by id (shared by every subject version registered with it).
struct id_schema {
    schema_id id{0};
    schema_type type = schema_type::avro;
    std::string schema;
    std::vector<schema_reference> references;
};

struct subject_version {
    std::string subject;
    schema_version version{0};
};

// A schema as a client submits it.
struct schema_input {
    schema_type type = schema_type::avro;
    std::string schema;
    std::vector<schema_reference> references;
};

// Which version of a subject: a number, or the latest (REST "latest"/-1).
struct version_selector {
    std::optional<schema_version> number;  // unset: latest
    static version_selector latest() { return {}; }
    static version_selector of(int32_t v) { return {schema_version(v)}; }
};

struct register_options {
    bool normalize = false;
    // IMPORT mode only: the id (and version) to register under.
    std::optional<schema_id> id;
    std::optional<schema_version> version;
};

struct compat_report {
    bool compatible = true;
    std::vector<std::string> messages;  // empty when compatible
};

class service {
  public:
    virtual ~service() = default;

    // Subjects, sorted; `prefix` filters (contexts included in the name).
    virtual outcome<std::vector<std::string>> subjects(std::string_view prefix,
                                                       bool include_deleted) = 0;
    virtual outcome<std::vector<schema_version>> versions(std::string_view subject,
                                                          bool include_deleted) = 0;
    virtual outcome<subject_schema> get_version(std::string_view subject, version_selector v,
                                                bool include_deleted) = 0;
    // Registers `in` under `subject` (a new version unless the same schema is
    // already its latest-or-any live version: then that version's id).
    // Errors: invalid_schema, incompatible_schema (messages in the text),
    // operation_not_permitted (READONLY/IMPORT rules), id_conflict.
    virtual outcome<subject_schema> register_schema(std::string_view subject,
                                                    const schema_input& in,
                                                    const register_options& o) = 0;
    // The version of `subject` holding this schema (POST /subjects/{s}).
    virtual outcome<subject_schema> lookup(std::string_view subject, const schema_input& in,
                                           bool normalize, bool include_deleted) = 0;
    // Soft delete (permanent=false) or hard delete (only after soft);
    // returns the versions deleted.
    virtual outcome<std::vector<schema_version>> delete_subject(std::string_view subject,
                                                                bool permanent) = 0;
    virtual outcome<schema_version> delete_version(std::string_view subject, version_selector v,
                                                   bool permanent) = 0;
    // Ids of schemas that reference this subject version.
    virtual outcome<std::vector<schema_id>> referenced_by(std::string_view subject,
                                                          version_selector v) = 0;

    // By id; `subject` (may be empty) picks the context the id is in.
    virtual outcome<id_schema> get_schema(schema_id id, std::string_view subject) = 0;
    virtual outcome<std::vector<std::string>> subjects_of(schema_id id, std::string_view subject,
                                                          bool include_deleted) = 0;
    virtual outcome<std::vector<subject_version>> versions_of(schema_id id,
                                                              std::string_view subject,
                                                              bool include_deleted) = 0;
    // GET /schemas: every subject version (or each subject's latest).
    virtual outcome<std::vector<subject_schema>> list_schemas(std::string_view subject_prefix,
                                                              bool include_deleted,
                                                              bool latest_only) = 0;

    // Compatibility config: unset subject = global. get with
    // default_to_global=false on a subject without its own level answers
    // subject_compat_not_configured.
    virtual outcome<compat_level> get_config(std::optional<std::string_view> subject,
                                             bool default_to_global) = 0;
    virtual outcome<compat_level> set_config(std::optional<std::string_view> subject,
                                             compat_level level) = 0;
    // Removes a subject's (or resets the global) level; returns the old one.
    virtual outcome<compat_level> delete_config(std::optional<std::string_view> subject) = 0;

    virtual outcome<registry_mode> get_mode(std::optional<std::string_view> subject,
                                            bool default_to_global) = 0;
    // `force`: allow IMPORT on a non-empty registry/subject.
    virtual outcome<registry_mode> set_mode(std::optional<std::string_view> subject,
                                            registry_mode m, bool force) = 0;
    virtual outcome<registry_mode> delete_mode(std::string_view subject) = 0;

    // POST /compatibility/subjects/{s}/versions[/{v}]: against one version,
    // or (unset) against what the subject's level requires.
    virtual outcome<compat_report> check(std::string_view subject,
                                         std::optional<version_selector> against,
                                         const schema_input& in, bool normalize) = 0;

    // For broker-side validation; non-blocking, from the in-memory state.
    // Whether `id` (default context) is a live schema of `subject`.
    virtual bool id_registered_under(schema_id id, std::string_view subject) = 0;
    // Whether `id` exists at all (default context).
    virtual bool id_exists(schema_id id) = 0;
    // The record name (provider's record_name) of schema `id`, if known.
    virtual std::optional<std::string> record_name_of(schema_id id) = 0;
};

}  // namespace spate::registry
