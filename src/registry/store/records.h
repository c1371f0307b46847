#pragma once

// The records of the `_schemas` topic, decoded, and their Confluent
// key/value JSON encoding (docs/formats/schemas.md). Pure functions; no I/O.
//
// Keys are encoded byte for byte as Confluent's registry writes them (field
// order keytype, subject, version, magic; compact JSON), so compaction
// replaces a record written by either registry with one written by the other.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"
#include "registry/core/service.h"

namespace spate::registry {

// SCHEMA: one version of a subject; no value is a tombstone (the version was
// permanently deleted). value->subject/version equal the key's.
struct schema_record {
    std::string subject;
    schema_version version{0};
    std::optional<subject_schema> value;
};

// CONFIG: a subject's (unset: the global) compatibility level; no level is a
// tombstone (the level was removed).
struct config_record {
    std::optional<std::string> subject;
    std::optional<compat_level> level;
};

// MODE: a subject's (unset: the global) mode; no mode is a tombstone.
struct mode_record {
    std::optional<std::string> subject;
    std::optional<registry_mode> mode;
};

// DELETE_SUBJECT: every version of `subject` up to `version` is soft-deleted.
// No version is a tombstone (it changes nothing).
struct delete_subject_record {
    std::string subject;
    std::optional<schema_version> version;
};

// CLEAR_SUBJECT: the soft-deleted versions of `subject` (of every subject
// when unset, of a whole context for ":.ctx:") are forgotten. `tombstone`:
// a null value, which changes nothing.
struct clear_subject_record {
    std::optional<std::string> subject;
    bool tombstone = false;
};

// NOOP: changes nothing (Confluent writes them to find the end of the log).
struct noop_record {};

using store_record = std::variant<schema_record, config_record, mode_record, delete_subject_record,
                                  clear_subject_record, noop_record>;

struct encoded_record {
    std::string key;
    std::optional<std::string> value;  // unset: a tombstone
};

encoded_record encode_record(const store_record& r);

// Decodes one record of the topic. Unset (not an error) for a well-formed
// record of a kind this registry does not use (CONTEXT, association and other
// Confluent extensions). errc::corrupt, saying what is wrong, for a record
// that is not valid JSON or lacks or mistypes a field.
result<std::optional<store_record>> decode_record(std::optional<std::string_view> key,
                                                  std::optional<std::string_view> value);

}  // namespace spate::registry
