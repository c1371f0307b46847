#include "http/registry_access.h"

#include "http/registry_json.h"

namespace spate::http::registry_access {

namespace {

using security::acl_operation;
using security::resource_type;

// Confluent's spelling of an operation in its denial message ("Write").
std::string operation_text(acl_operation op) {
    std::string out;
    bool upper = true;
    for (const char* p = kafka::protocol::acl_operation_name(op); *p; ++p) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        out += upper ? *p : static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
        upper = false;
    }
    return out;
}

std::string action_of(const request& req) {
    return std::string(boost::beast::http::to_string(req.method)) + " " + req.target;
}

std::optional<response> check_schema_id(identity_model& access, const rule& r, const request& req,
                                        registry::service& svc) {
    auto id = parse_schema_id(req.param("id"));
    // Not a number, or an id no subject holds: the route answers its error.
    if (!std::holds_alternative<registry::schema_id>(id)) return std::nullopt;
    auto subjects = svc.subjects_of(std::get<registry::schema_id>(id), "", true);
    if (!subjects.ok() || subjects->empty()) return std::nullopt;
    for (const auto& s : *subjects)
        if (access.allowed(req.peer, r.op, resource_type::subject, s)) return std::nullopt;
    const std::string& first = subjects->front();
    if (access.authorize(req.peer, r.op, resource_type::subject, first, action_of(req)))
        return std::nullopt;
    return forbidden(r.op, resource_type::subject, first);
}

}  // namespace

response forbidden(acl_operation op, resource_type type, std::string_view name) {
    std::string what = type == resource_type::cluster ? "Cluster" : "Subject";
    return error_response(403, 40301,
                          "User is denied operation " + operation_text(op) + " on " + what + ": " +
                              std::string(name));
}

std::optional<response> check(identity_model& access, const rule& r, const request& req,
                              registry::service& svc) {
    switch (r.where) {
        case scope::open:
        case scope::listing:
            return std::nullopt;
        case scope::subject: {
            const std::string& subject = req.param("subject");
            if (access.authorize(req.peer, r.op, resource_type::subject, subject, action_of(req)))
                return std::nullopt;
            return forbidden(r.op, resource_type::subject, subject);
        }
        case scope::cluster: {
            const std::string_view cluster = security::k_cluster_name;
            if (access.authorize(req.peer, r.op, resource_type::cluster, cluster, action_of(req)))
                return std::nullopt;
            return forbidden(r.op, resource_type::cluster, cluster);
        }
        case scope::schema_id:
            return check_schema_id(access, r, req, svc);
    }
    return std::nullopt;
}

void filter_listing(identity_model& access, const rule& r, const request& req, response& res) {
    if (r.where != scope::listing || res.status != 200) return;
    auto j = ojson::parse(res.body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return;
    ojson kept = ojson::array();
    for (auto& e : j) {
        const ojson* subject = e.is_string() ? &e : nullptr;
        if (e.is_object() && e.contains("subject")) subject = &e["subject"];
        if (!subject || !subject->is_string()) continue;
        if (access.allowed(req.peer, r.op, resource_type::subject, subject->get<std::string>()))
            kept.push_back(std::move(e));
    }
    res.body = json_response(kept).body;
}

}  // namespace spate::http::registry_access
