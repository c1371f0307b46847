#pragma once

// Command-line options of `spate schema list|get|register|check|delete|config`
// (the schema registry client): one struct per command, its CLI11
// definition (define_schema_*, shared by `spate` and the parse_schema_*
// functions the tests call) and the pure value parsers they use. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace CLI {
class App;
}

namespace spate::cli {

inline constexpr const char* default_registry = "http://127.0.0.1:8081";

// --reference NAME=SUBJECT:VERSION
struct schema_ref_arg {
    std::string name;
    std::string subject;
    int32_t version = 0;
    bool operator==(const schema_ref_arg&) const = default;
};

// "NAME=SUBJECT:VERSION" (the last ':' splits SUBJECT from VERSION, so
// context-qualified subjects work; VERSION is >= 1 or -1 for the latest).
result<schema_ref_arg> parse_schema_ref(const std::string& s);
// A version option: "latest", -1 or 1..2^31-1; the canonical text.
result<std::string> parse_schema_version(const std::string& s);
// AVRO | JSON | PROTOBUF in any case; the upper-case name.
result<std::string> parse_schema_type_arg(const std::string& s);

struct schema_list_args {
    std::string registry = default_registry;
    std::string prefix;
    bool deleted = false;
};

struct schema_get_args {
    std::string registry = default_registry;
    std::string subject;        // with --version; empty with --id
    std::optional<int32_t> id;  // --id: the schema by id
    std::string version = "latest";
    bool deleted = false;
    bool schema_only = false;  // print the schema text alone
};

// register and check: a schema file and how to send it.
struct schema_register_args {
    std::string registry = default_registry;
    std::string subject;
    std::string file;  // "-": stdin
    std::string type;  // empty: PROTOBUF for a *.proto file, AVRO otherwise
    std::vector<schema_ref_arg> references;
    bool normalize = false;
    std::optional<std::string> version;  // check: against this version only
};

struct schema_delete_args {
    std::string registry = default_registry;
    std::string subject;
    std::optional<std::string> version;  // unset: the whole subject
    bool permanent = false;
};

struct schema_config_args {
    std::string registry = default_registry;
    std::optional<std::string> subject;  // unset: the global level
    std::optional<std::string> set;      // canonical level name
    bool remove = false;                 // --delete
};

result<schema_list_args> parse_schema_list(const std::vector<std::string>& args);
// SUBJECT [--version V] or --id N (exactly one of SUBJECT and --id).
result<schema_get_args> parse_schema_get(const std::vector<std::string>& args);
// `check`: --version allowed, --normalize too.
result<schema_register_args> parse_schema_register(const std::vector<std::string>& args,
                                                   bool check);
result<schema_delete_args> parse_schema_delete(const std::vector<std::string>& args);
result<schema_config_args> parse_schema_config(const std::vector<std::string>& args);

void define_schema_list(CLI::App& cmd, schema_list_args& out);
void define_schema_get(CLI::App& cmd, schema_get_args& out);
void define_schema_register(CLI::App& cmd, schema_register_args& out, bool check);
void define_schema_delete(CLI::App& cmd, schema_delete_args& out);
void define_schema_config(CLI::App& cmd, schema_config_args& out);

}  // namespace spate::cli
