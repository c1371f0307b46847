// `spate schema list|get|register|check|delete|config`: the schema registry's
// REST API (Spate's `spate serve --http-listen`, or any Confluent-compatible
// registry) through http::client.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/schema_format.h"
#include "http/client.h"
#include "http/server.h"
#include "http/uri.h"

namespace spate::cli {

namespace {

using http::verb;
using nlohmann::json;

constexpr int k_timeout_ms = 30000;

// One request; a non-2xx answer is an error carrying the registry's message.
result<std::string> call(const std::string& registry, verb method, const std::string& target,
                         const std::string& body = {}) {
    auto url = http::parse_http_url(registry);
    if (!url.ok()) return make_error(errc::invalid_argument, "--registry: " + url.err().message);
    http::client c(*url, k_timeout_ms);
    auto r = c.send(method, target, body, body.empty() ? "" : http::k_registry_content_type);
    if (!r.ok()) return r.err();
    if (r->status < 200 || r->status > 299)
        return make_error(r->status == 404 ? errc::not_found : errc::invalid_argument,
                          registry_error_text(r->status, r->body));
    return std::move(r->body);
}

// Prints the formatter's output; a malformed answer is an error.
template <typename F>
status print(F&& format) {
    try {
        auto text = format();
        if (!text.ok()) return text.err();
        std::fputs(text->c_str(), stdout);
        return {};
    } catch (const json::exception& e) {
        return make_error(errc::corrupt,
                          std::string("unexpected answer from the registry: ") + e.what());
    }
}

std::string subject_path(const std::string& subject) {
    return "/subjects/" + http::percent_encode(subject);
}

result<std::string> read_file(const std::string& path) {
    if (path == "-") {
        std::ostringstream s;
        s << std::cin.rdbuf();
        return s.str();
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) return make_error(errc::not_found, "cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// The register/check request body.
result<std::string> schema_body(const schema_register_args& a) {
    auto text = read_file(a.file);
    if (!text.ok()) return text.err();
    std::string type = a.type;
    if (type.empty()) type = a.file.size() > 6 && a.file.ends_with(".proto") ? "PROTOBUF" : "AVRO";
    json body = {{"schema", *text}};
    if (type != "AVRO") body["schemaType"] = type;
    if (!a.references.empty()) {
        body["references"] = json::array();
        for (const auto& r : a.references)
            body["references"].push_back(
                {{"name", r.name}, {"subject", r.subject}, {"version", r.version}});
    }
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string flag(bool on) {
    return on ? "true" : "false";
}

}  // namespace

status schema_list(const schema_list_args& a) {
    auto body = call(a.registry, verb::get,
                     "/subjects?subjectPrefix=" + http::percent_encode(a.prefix) +
                         "&deleted=" + flag(a.deleted));
    SPATE_TRY(body);
    return print([&] { return format_lines(*body); });
}

status schema_get(const schema_get_args& a) {
    if (a.id) {
        auto body = call(a.registry, verb::get, "/schemas/ids/" + std::to_string(*a.id));
        SPATE_TRY(body);
        if (a.schema_only) return print([&] { return schema_text_of(*body); });
        return print([&] { return format_schema_by_id(*a.id, *body); });
    }
    auto body =
        call(a.registry, verb::get,
             subject_path(a.subject) + "/versions/" + a.version + "?deleted=" + flag(a.deleted));
    SPATE_TRY(body);
    if (a.schema_only) return print([&] { return schema_text_of(*body); });
    return print([&] { return format_subject_version(*body); });
}

status schema_register(const schema_register_args& a) {
    auto req = schema_body(a);
    SPATE_TRY(req);
    auto body = call(a.registry, verb::post,
                     subject_path(a.subject) + "/versions?normalize=" + flag(a.normalize), *req);
    SPATE_TRY(body);
    return print([&]() -> result<std::string> {
        auto j = json::parse(*body, nullptr, false);
        if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer())
            return make_error(errc::corrupt, "unexpected answer from the registry: " + *body);
        return std::to_string(j["id"].get<int64_t>()) + "\n";
    });
}

status schema_check(const schema_register_args& a) {
    auto req = schema_body(a);
    SPATE_TRY(req);
    std::string target = "/compatibility" + subject_path(a.subject) + "/versions";
    if (a.version) target += "/" + *a.version;
    target += "?verbose=true&normalize=" + flag(a.normalize);
    auto body = call(a.registry, verb::post, target, *req);
    SPATE_TRY(body);
    bool compatible = false;
    SPATE_TRY(print([&] { return format_compatibility(*body, compatible); }));
    if (!compatible) return make_error(errc::invalid_argument, "the schema is not compatible");
    return {};
}

status schema_delete(const schema_delete_args& a) {
    std::string target = subject_path(a.subject);
    if (a.version) target += "/versions/" + *a.version;
    target += "?permanent=" + flag(a.permanent);
    auto body = call(a.registry, verb::delete_, target);
    SPATE_TRY(body);
    return print([&] { return format_lines(a.version ? "[" + *body + "]" : *body); });
}

status schema_config(const schema_config_args& a) {
    const std::string target =
        a.subject ? "/config/" + http::percent_encode(*a.subject) : std::string("/config");
    result<std::string> body = std::string();
    if (a.set) {
        body = call(a.registry, verb::put, target, json{{"compatibility", *a.set}}.dump());
    } else if (a.remove) {
        body = call(a.registry, verb::delete_, target);
    } else {
        body = call(a.registry, verb::get, target + "?defaultToGlobal=true");
    }
    SPATE_TRY(body);
    return print([&] { return format_level(*body); });
}

}  // namespace spate::cli
