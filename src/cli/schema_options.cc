// The CLI11 definitions of `spate schema ...` (see schema_args.h).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <memory>

#include "cli/parse_with.h"
#include "cli/schema_args.h"

namespace spate::cli {

namespace {

std::optional<int64_t> whole_int(const std::string& s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A validator that rewrites the value to the parser's canonical text.
CLI::Validator canonical(std::function<result<std::string>(const std::string&)> parse) {
    return CLI::Validator(
        [parse = std::move(parse)](std::string& v) -> std::string {
            auto r = parse(v);
            if (!r.ok()) return r.err().message;
            v = *r;
            return {};
        },
        "");
}

void add_registry(CLI::App& cmd, std::string& out) {
    cmd.add_option("--registry", out, "Schema registry URL")
        ->type_name("URL")
        ->capture_default_str();
}

void add_version(CLI::App& cmd, std::optional<std::string>& out, const char* help) {
    cmd.add_option("--version", out, help)
        ->type_name("N|latest")
        ->transform(canonical(parse_schema_version));
}

}  // namespace

result<schema_ref_arg> parse_schema_ref(const std::string& s) {
    auto bad = [&] {
        return make_error(errc::invalid_argument,
                          "reference '" + s + "': expected NAME=SUBJECT:VERSION");
    };
    const size_t eq = s.find('=');
    const size_t colon = s.rfind(':');
    if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon <= eq + 1)
        return bad();
    auto v = whole_int(s.substr(colon + 1));
    if (!v || (*v != -1 && (*v < 1 || *v > std::numeric_limits<int32_t>::max()))) return bad();
    return schema_ref_arg{s.substr(0, eq), s.substr(eq + 1, colon - eq - 1),
                          static_cast<int32_t>(*v)};
}

result<std::string> parse_schema_version(const std::string& s) {
    if (s == "latest" || s == "-1") return std::string("latest");
    auto v = whole_int(s);
    if (!v || *v < 1 || *v > std::numeric_limits<int32_t>::max())
        return make_error(errc::invalid_argument,
                          "version '" + s + "': expected a number >= 1, -1 or latest");
    return std::to_string(*v);
}

result<std::string> parse_schema_type_arg(const std::string& s) {
    std::string up = s;
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (up == "AVRO" || up == "JSON" || up == "PROTOBUF") return up;
    return make_error(errc::invalid_argument,
                      "schema type '" + s + "': expected AVRO, JSON or PROTOBUF");
}

void define_schema_list(CLI::App& cmd, schema_list_args& out) {
    cmd.add_option("--prefix", out.prefix, "Only subjects starting with PREFIX")
        ->type_name("PREFIX");
    cmd.add_flag("--deleted", out.deleted, "Include soft-deleted subjects");
    add_registry(cmd, out.registry);
}

void define_schema_get(CLI::App& cmd, schema_get_args& out) {
    auto* subject = cmd.add_option("SUBJECT", out.subject, "Subject");
    auto* id = cmd.add_option("--id", out.id, "The schema with this id instead of a subject's")
                   ->type_name("N")
                   ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
    auto* version = cmd.add_option("--version", out.version, "Version of SUBJECT")
                        ->type_name("N|latest")
                        ->transform(canonical(parse_schema_version))
                        ->capture_default_str();
    cmd.add_flag("--deleted", out.deleted, "Also find a soft-deleted version");
    cmd.add_flag("--schema-only", out.schema_only, "Print the schema text alone");
    add_registry(cmd, out.registry);
    id->excludes(subject)->excludes(version);
    cmd.callback([subject, id] {
        if (subject->count() == 0 && id->count() == 0)
            throw CLI::ValidationError("give a SUBJECT or --id N");
    });
}

void define_schema_register(CLI::App& cmd, schema_register_args& out, bool check) {
    cmd.add_option("SUBJECT", out.subject, "Subject")->required();
    cmd.add_option("--file", out.file, "Schema file ('-': stdin)")->type_name("FILE")->required();
    cmd.add_option("--type", out.type, "Schema type (default: PROTOBUF for *.proto, else AVRO)")
        ->type_name("AVRO|JSON|PROTOBUF")
        ->transform(canonical(parse_schema_type_arg));
    auto refs = std::make_shared<std::vector<std::string>>();
    cmd.add_option("--reference", *refs, "A schema it references (repeatable)")
        ->type_name("NAME=SUBJECT:VERSION")
        ->allow_extra_args(false)
        ->check(CLI::Validator(
            [](std::string& v) {
                auto r = parse_schema_ref(v);
                return r.ok() ? std::string() : r.err().message;
            },
            ""));
    cmd.add_flag("--normalize", out.normalize, "Normalize the schema before comparing");
    if (check) add_version(cmd, out.version, "Check against this version only");
    add_registry(cmd, out.registry);
    cmd.callback([&out, refs] {
        out.references.clear();
        for (const auto& r : *refs)
            out.references.push_back(*parse_schema_ref(r));  // checked by the validator
    });
}

void define_schema_delete(CLI::App& cmd, schema_delete_args& out) {
    cmd.add_option("SUBJECT", out.subject, "Subject")->required();
    add_version(cmd, out.version, "Delete this version only");
    cmd.add_flag("--permanent", out.permanent,
                 "Hard delete (after a soft delete): ids and versions are gone for good");
    add_registry(cmd, out.registry);
}

void define_schema_config(CLI::App& cmd, schema_config_args& out) {
    cmd.add_option("SUBJECT", out.subject, "Subject (default: the global level)");
    auto* set = cmd.add_option("--set", out.set, "Set the compatibility level")
                    ->type_name("LEVEL")
                    ->transform(CLI::IsMember({"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                                               "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"},
                                              CLI::ignore_case));
    auto* del = cmd.add_flag("--delete", out.remove,
                             "Remove the subject's level (the global one: back to the default)");
    set->excludes(del);
    add_registry(cmd, out.registry);
}

result<schema_list_args> parse_schema_list(const std::vector<std::string>& args) {
    return parse_with<schema_list_args>(args, define_schema_list);
}

result<schema_get_args> parse_schema_get(const std::vector<std::string>& args) {
    return parse_with<schema_get_args>(args, define_schema_get);
}

result<schema_register_args> parse_schema_register(const std::vector<std::string>& args,
                                                   bool check) {
    return parse_with<schema_register_args>(args,
                                            [check](CLI::App& app, schema_register_args& out) {
                                                define_schema_register(app, out, check);
                                            });
}

result<schema_delete_args> parse_schema_delete(const std::vector<std::string>& args) {
    return parse_with<schema_delete_args>(args, define_schema_delete);
}

result<schema_config_args> parse_schema_config(const std::vector<std::string>& args) {
    return parse_with<schema_config_args>(args, define_schema_config);
}

}  // namespace spate::cli
