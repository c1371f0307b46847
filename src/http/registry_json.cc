#include "http/registry_json.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "http/server.h"

namespace spate::http {

using registry::registry_errc;

std::pair<unsigned, int> confluent_code(registry_errc e) {
    switch (e) {
        case registry_errc::subject_not_found:
            return {404, 40401};
        case registry_errc::version_not_found:
            return {404, 40402};
        case registry_errc::schema_not_found:
            return {404, 40403};
        case registry_errc::subject_soft_deleted:
            return {404, 40404};
        case registry_errc::subject_not_soft_deleted:
            return {404, 40405};
        case registry_errc::version_soft_deleted:
            return {404, 40406};
        case registry_errc::version_not_soft_deleted:
            return {404, 40407};
        case registry_errc::subject_compat_not_configured:
            return {404, 40408};
        case registry_errc::subject_mode_not_configured:
            return {404, 40409};
        case registry_errc::incompatible_schema:
            return {409, 409};
        case registry_errc::invalid_schema:
            return {422, 42201};
        case registry_errc::invalid_version:
            return {422, 42202};
        case registry_errc::invalid_compat_level:
            return {422, 42203};
        case registry_errc::invalid_mode:
            return {422, 42204};
        case registry_errc::operation_not_permitted:
            return {422, 42205};
        case registry_errc::reference_exists:
            return {422, 42206};
        case registry_errc::id_conflict:
            return {422, 42207};
        case registry_errc::store_error:
            return {500, 50001};
        case registry_errc::timeout:
            return {500, 50002};
    }
    return {500, 500};  // unreachable: every value is listed
}

response registry_error_response(const registry::registry_error& e) {
    auto [status, code] = confluent_code(e.code);
    return error_response(status, code, e.message);
}

response json_response(const ojson& j) {
    return response{.status = 200, .body = json_text(j), .content_type = k_registry_content_type};
}

ojson to_json(const std::vector<registry::schema_reference>& refs) {
    ojson out = ojson::array();
    for (const auto& r : refs)
        out.push_back({{"name", r.name}, {"subject", r.subject}, {"version", r.version.value()}});
    return out;
}

namespace {

void add_type_and_refs(ojson& j, registry::schema_type t,
                       const std::vector<registry::schema_reference>& refs) {
    if (t != registry::schema_type::avro)
        j["schemaType"] = std::string(registry::schema_type_name(t));
    if (!refs.empty()) j["references"] = to_json(refs);
}

response bad_body(const std::string& why) {
    return error_response(422, 422, why);
}

// Reads optional int32 field `name` of `j` into `out`; false when it is
// present but not a 32-bit integer (null counts as absent).
bool read_int32(const nlohmann::json& j, const char* name, std::optional<int32_t>& out) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_number_integer()) return false;
    const auto v = it->get<int64_t>();
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        return false;
    out = static_cast<int32_t>(v);
    return true;
}

parsed<registry::schema_reference> parse_reference(const nlohmann::json& j) {
    if (!j.is_object()) return bad_body("Each reference must be an object");
    auto name = j.find("name");
    auto subject = j.find("subject");
    std::optional<int32_t> version;
    if (name == j.end() || !name->is_string() || subject == j.end() || !subject->is_string() ||
        !read_int32(j, "version", version) || !version)
        return bad_body("A reference needs a string name, a string subject and an integer version");
    return registry::schema_reference{name->get<std::string>(), subject->get<std::string>(),
                                      registry::schema_version(*version)};
}

}  // namespace

ojson to_json(const registry::subject_schema& s) {
    ojson j = {{"subject", s.subject}, {"version", s.version.value()}, {"id", s.id.value()}};
    add_type_and_refs(j, s.type, s.references);
    j["schema"] = s.schema;
    return j;
}

ojson to_json(const registry::id_schema& s) {
    ojson j = ojson::object();
    add_type_and_refs(j, s.type, s.references);
    j["schema"] = s.schema;
    return j;
}

parsed<nlohmann::json> parse_json_object(const request& req) {
    const std::string type = media_type(req.content_type);
    if (!type.empty() && type != k_registry_content_type &&
        type != "application/vnd.schemaregistry+json" && type != "application/json" &&
        type != "application/octet-stream")
        return error_response(415, 415, "HTTP 415 Unsupported Media Type: " + type);
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return bad_body("The request body is not valid JSON");
    if (!j.is_object()) return bad_body("The request body must be a JSON object");
    return j;
}

parsed<schema_body> parse_schema_body(const request& req) {
    auto body = parse_json_object(req);
    if (auto* e = std::get_if<response>(&body)) return std::move(*e);
    const auto& j = std::get<nlohmann::json>(body);
    schema_body out;
    auto schema = j.find("schema");
    if (schema == j.end() || schema->is_null() ||
        (schema->is_string() && schema->get_ref<const std::string&>().empty()))
        return error_response(422, 42201, "Empty schema");
    if (!schema->is_string()) return bad_body("Field 'schema' must be a string");
    out.input.schema = schema->get<std::string>();
    if (auto t = j.find("schemaType"); t != j.end() && !t->is_null()) {
        if (!t->is_string()) return bad_body("Field 'schemaType' must be a string");
        std::string name = t->get<std::string>();
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        auto type = registry::parse_schema_type(name);
        if (!type)
            return error_response(
                422, 42201,
                "Invalid schema type '" + t->get<std::string>() + "' (AVRO, JSON or PROTOBUF)");
        out.input.type = *type;
    }
    if (auto refs = j.find("references"); refs != j.end() && !refs->is_null()) {
        if (!refs->is_array()) return bad_body("Field 'references' must be an array");
        for (const auto& r : *refs) {
            auto ref = parse_reference(r);
            if (auto* e = std::get_if<response>(&ref)) return std::move(*e);
            out.input.references.push_back(std::move(std::get<0>(ref)));
        }
    }
    if (!read_int32(j, "id", out.id)) return bad_body("Field 'id' must be an integer");
    if (!read_int32(j, "version", out.version))
        return bad_body("Field 'version' must be an integer");
    return out;
}

namespace {

std::optional<int64_t> parse_integer(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

parsed<registry::version_selector> parse_version(std::string_view text) {
    if (text == "latest") return registry::version_selector::latest();
    auto v = parse_integer(text);
    if (v && *v == -1) return registry::version_selector::latest();
    if (v && *v >= 1 && *v <= std::numeric_limits<int32_t>::max())
        return registry::version_selector::of(static_cast<int32_t>(*v));
    return error_response(422, 42202,
                          "Invalid version '" + std::string(text) +
                              "': a version is a number from 1 to 2147483647, -1 or \"latest\"");
}

parsed<registry::schema_id> parse_schema_id(std::string_view text) {
    auto v = parse_integer(text);
    if (v && *v >= std::numeric_limits<int32_t>::min() && *v <= std::numeric_limits<int32_t>::max())
        return registry::schema_id(static_cast<int32_t>(*v));
    return error_response(404, 40403, "Schema " + std::string(text) + " not found");
}

}  // namespace spate::http
