#include "cli/schema_format.h"

#include <nlohmann/json.hpp>

namespace spate::cli {

using nlohmann::json;

namespace {

constexpr size_t k_max_error_body = 500;

result<json> parse(const std::string& body, const char* expected) {
    auto j = json::parse(body, nullptr, false);
    if (j.is_discarded())
        return make_error(errc::corrupt,
                          std::string("the registry answered no JSON (expected ") + expected + ")");
    return j;
}

error unexpected(const char* expected) {
    return make_error(errc::corrupt, std::string("unexpected answer from the registry (expected ") +
                                         expected + ")");
}

std::string scalar_text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// "  NAME  VALUE" lines with names padded to one width.
void add_field(std::string& out, const char* name, const std::string& value) {
    std::string n = name;
    n.resize(11, ' ');
    out += n + value + "\n";
}

// The type (AVRO when absent), reference lines, a blank line and the schema.
result<std::string> type_refs_schema(const json& j, const char* expected) {
    if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string())
        return unexpected(expected);
    std::string out;
    add_field(out, "type", j.value("schemaType", std::string("AVRO")));
    if (auto refs = j.find("references"); refs != j.end() && refs->is_array()) {
        for (const auto& r : *refs) {
            if (!r.is_object()) return unexpected(expected);
            add_field(out, "reference",
                      r.value("name", "?") + " -> " + r.value("subject", "?") + " version " +
                          scalar_text(r.value("version", json(0))));
        }
    }
    out += "\n" + j["schema"].get<std::string>() + "\n";
    return out;
}

}  // namespace

std::string registry_error_text(unsigned status, const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
        std::string out = j["message"].get<std::string>();
        if (auto code = j.find("error_code"); code != j.end() && code->is_number_integer())
            out += " (error " + std::to_string(code->get<int64_t>()) + ")";
        return out;
    }
    std::string text = body.substr(0, k_max_error_body);
    if (body.size() > k_max_error_body) text += "...";
    return "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

result<std::string> format_lines(const std::string& body) {
    auto j = parse(body, "a list");
    if (!j.ok()) return j.err();
    if (!j->is_array()) return unexpected("a list");
    std::string out;
    for (const auto& v : *j)
        out += scalar_text(v) + "\n";
    return out;
}

result<std::string> format_subject_version(const std::string& body) {
    auto j = parse(body, "a subject version");
    if (!j.ok()) return j.err();
    if (!j->is_object()) return unexpected("a subject version");
    std::string out;
    add_field(out, "subject", scalar_text(j->value("subject", json(""))));
    add_field(out, "version", scalar_text(j->value("version", json(0))));
    add_field(out, "id", scalar_text(j->value("id", json(0))));
    auto rest = type_refs_schema(*j, "a subject version");
    if (!rest.ok()) return rest.err();
    return out + *rest;
}

result<std::string> format_schema_by_id(int32_t id, const std::string& body) {
    auto j = parse(body, "a schema");
    if (!j.ok()) return j.err();
    std::string out;
    add_field(out, "id", std::to_string(id));
    auto rest = type_refs_schema(*j, "a schema");
    if (!rest.ok()) return rest.err();
    return out + *rest;
}

result<std::string> schema_text_of(const std::string& body) {
    auto j = parse(body, "a schema");
    if (!j.ok()) return j.err();
    if (!j->is_object() || !j->contains("schema") || !(*j)["schema"].is_string())
        return unexpected("a schema");
    return (*j)["schema"].get<std::string>() + "\n";
}

result<std::string> format_compatibility(const std::string& body, bool& compatible) {
    auto j = parse(body, "a compatibility result");
    if (!j.ok()) return j.err();
    if (!j->is_object() || !j->contains("is_compatible") || !(*j)["is_compatible"].is_boolean())
        return unexpected("a compatibility result");
    compatible = (*j)["is_compatible"].get<bool>();
    std::string out = compatible ? "compatible\n" : "incompatible\n";
    if (auto m = j->find("messages"); m != j->end() && m->is_array())
        for (const auto& line : *m)
            out += scalar_text(line) + "\n";
    return out;
}

result<std::string> format_level(const std::string& body) {
    auto j = parse(body, "a compatibility level");
    if (!j.ok()) return j.err();
    for (const char* key : {"compatibilityLevel", "compatibility"})
        if (j->is_object() && j->contains(key) && (*j)[key].is_string())
            return (*j)[key].get<std::string>() + "\n";
    return unexpected("a compatibility level");
}

}  // namespace spate::cli
