#include "broker/config_keys_acl.h"
#include "broker/config_text.h"

#include <functional>
#include <string>

namespace spate::broker {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

}  // namespace

std::vector<broker_key> authz_settings_keys() {
    auto class_apply = [](broker_config& c, const std::string& v) -> status {
        c.authz.authorizer_class = trim_blanks(v);
        return {};
    };
    auto super_apply = [](broker_config& c, const std::string& v) -> status {
        auto users = split_list(v, ';');
        for (const auto& p : users)
            if (p.find(':') == std::string::npos || p.front() == ':' || p.back() == ':')
                return storage::invalid_config_value("super.users", v,
                                                     "principals Type:name separated by ;");
        c.authz.super_users = std::move(users);
        return {};
    };
    auto allow_apply = [](broker_config& c, const std::string& v) -> status {
        if (v != "true" && v != "false")
            return storage::invalid_config_value("allow.everyone.if.no.acl.found", v,
                                                 "[true, false]");
        c.authz.allow_everyone_if_no_acl_found = v == "true";
        return {};
    };
    auto audit_apply = [](broker_config& c, const std::string& v) -> status {
        c.authz.audit_log_file = trim_blanks(v);
        return {};
    };
    return {
        {"authorizer.class.name", config_kind::string, "any class name",
         "Kafka's authorizer class; Spate's authorizer is always on, any value (e.g. "
         "org.apache.kafka.metadata.authorizer.StandardAuthorizer) makes "
         "allow.everyone.if.no.acl.found default to false, as in Kafka.",
         false, "", class_apply, [](const broker_config& c) { return c.authz.authorizer_class; },
         in_file("authorizer.class.name")},
        {"super.users", config_kind::list, "principals Type:name separated by ;",
         "Principals allowed every operation whatever the ACLs say (User:admin;User:ops).", false,
         "", super_apply, [](const broker_config& c) { return join(c.authz.super_users, ";"); },
         in_file("super.users")},
        {"allow.everyone.if.no.acl.found", config_kind::boolean, "[true, false]",
         "Whether a resource without any ACL is open to everyone; default true without "
         "authorizer.class.name, false with it.",
         false, "", allow_apply,
         [](const broker_config& c) {
             return std::string(c.authz.allow_everyone() ? "true" : "false");
         },
         in_file("allow.everyone.if.no.acl.found")},
        {"spate.audit.log.file", config_kind::string, "a file",
         "JSON-lines audit log (mode 0600): authentications, denied operations, ACL and "
         "credential changes; empty: none.",
         false, "", audit_apply, [](const broker_config& c) { return c.authz.audit_log_file; },
         in_file("spate.audit.log.file")},
    };
}

}  // namespace spate::broker
