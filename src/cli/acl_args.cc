#include "cli/acl_args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "cli/parse_with.h"
#include "kafka/protocol/acl.h"

namespace spate::cli {

namespace {

namespace kc = kafka::client;
namespace proto = kafka::protocol;

constexpr int8_t k_any = 1, k_match = 2, k_literal = 3, k_prefixed = 4;
constexpr int8_t k_deny = 2, k_allow = 3;

std::string squash(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != '_' && c != '-')
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

struct resource {
    int8_t type;
    std::string name;
};

std::vector<resource> resources_of(const acl_args& a) {
    std::vector<resource> out;
    for (const auto& t : a.topics)
        out.push_back({static_cast<int8_t>(proto::resource_type::topic), t});
    for (const auto& g : a.groups)
        out.push_back({static_cast<int8_t>(proto::resource_type::group), g});
    for (const auto& id : a.transactional_ids)
        out.push_back({static_cast<int8_t>(proto::resource_type::transactional_id), id});
    for (const auto& s : a.subjects)
        out.push_back({static_cast<int8_t>(proto::resource_type::subject), s});
    if (a.cluster)
        out.push_back({static_cast<int8_t>(proto::resource_type::cluster), "kafka-cluster"});
    return out;
}

result<int8_t> pattern_of(const std::string& s, bool filter) {
    auto p = squash(s);
    if (p.empty()) return filter ? k_any : k_literal;
    if (p == "LITERAL") return k_literal;
    if (p == "PREFIXED") return k_prefixed;
    if (filter && p == "ANY") return k_any;
    if (filter && p == "MATCH") return k_match;
    return make_error(errc::invalid_argument,
                      "--resource-pattern-type '" + s + "': expected literal or prefixed" +
                          (filter ? std::string(", any or match") : std::string()));
}

result<std::vector<int8_t>> operations_of(const acl_args& a) {
    std::vector<int8_t> out;
    for (const auto& o : a.operations) {
        auto code = parse_acl_operation(o);
        SPATE_TRY(code);
        if (std::find(out.begin(), out.end(), *code) == out.end()) out.push_back(*code);
    }
    return out;
}

// (principal, host, permission) triples of the ALLOW and DENY flags.
std::vector<std::tuple<std::string, std::string, int8_t>> entries_of(const acl_args& a) {
    std::vector<std::tuple<std::string, std::string, int8_t>> out;
    auto add = [&](const std::vector<std::string>& principals, std::vector<std::string> hosts,
                   int8_t perm) {
        if (hosts.empty()) hosts.push_back("*");
        for (const auto& p : principals)
            for (const auto& h : hosts)
                out.emplace_back(p, h, perm);
    };
    add(a.allow_principals, a.allow_hosts, k_allow);
    add(a.deny_principals, a.deny_hosts, k_deny);
    return out;
}

const char* pattern_name(int8_t p) {
    switch (p) {
        case k_literal:
            return "LITERAL";
        case k_prefixed:
            return "PREFIXED";
        case k_match:
            return "MATCH";
        case k_any:
            return "ANY";
    }
    return "UNKNOWN";
}

}  // namespace

result<int8_t> parse_acl_operation(const std::string& s) {
    const auto want = squash(s);
    for (int code = 2; code <= 12; ++code) {
        auto op = static_cast<proto::acl_operation>(code);
        if (squash(proto::acl_operation_name(op)) == want) return static_cast<int8_t>(code);
    }
    return make_error(errc::invalid_argument,
                      "--operation '" + s +
                          "': expected All, Read, Write, Create, Delete, Alter, Describe, "
                          "ClusterAction, DescribeConfigs, AlterConfigs or IdempotentWrite");
}

result<std::vector<kc::acl_binding_spec>> acl_bindings(const acl_args& a) {
    auto resources = resources_of(a);
    if (resources.empty())
        return make_error(
            errc::invalid_argument,
            "give a resource: --topic, --group, --transactional-id, --subject or --cluster");
    auto entries = entries_of(a);
    if (entries.empty())
        return make_error(errc::invalid_argument, "give --allow-principal or --deny-principal");
    auto ops = operations_of(a);
    SPATE_TRY(ops);
    if (ops->empty()) return make_error(errc::invalid_argument, "give --operation");
    auto pattern = pattern_of(a.pattern_type, false);
    SPATE_TRY(pattern);
    std::vector<kc::acl_binding_spec> out;
    for (const auto& r : resources)
        for (const auto& [principal, host, perm] : entries)
            for (int8_t op : *ops)
                out.push_back({r.type, r.name,
                               r.type == static_cast<int8_t>(proto::resource_type::cluster)
                                   ? k_literal
                                   : *pattern,
                               principal, host, op, perm});
    return out;
}

result<std::vector<kc::acl_filter_spec>> acl_delete_filters(const acl_args& a) {
    auto resources = resources_of(a);
    if (resources.empty())
        return make_error(
            errc::invalid_argument,
            "give a resource: --topic, --group, --transactional-id, --subject or --cluster");
    auto pattern = pattern_of(a.pattern_type, false);
    SPATE_TRY(pattern);
    auto ops = operations_of(a);
    SPATE_TRY(ops);
    std::vector<kc::acl_filter_spec> out;
    auto entries = entries_of(a);
    for (const auto& r : resources) {
        kc::acl_filter_spec base;
        base.resource_type = r.type;
        base.resource_name = r.name;
        base.pattern_type =
            r.type == static_cast<int8_t>(proto::resource_type::cluster) ? k_literal : *pattern;
        if (entries.empty()) {
            for (int8_t op : ops->empty() ? std::vector<int8_t>{k_any} : *ops) {
                auto f = base;
                f.operation = op;
                out.push_back(f);
            }
            continue;
        }
        for (const auto& [principal, host, perm] : entries)
            for (int8_t op : ops->empty() ? std::vector<int8_t>{k_any} : *ops) {
                auto f = base;
                f.principal = principal;
                f.host = host;
                f.permission = perm;
                f.operation = op;
                out.push_back(f);
            }
    }
    return out;
}

result<std::vector<kc::acl_filter_spec>> acl_list_filters(const acl_args& a) {
    auto pattern = pattern_of(a.pattern_type, true);
    SPATE_TRY(pattern);
    std::vector<kc::acl_filter_spec> out;
    kc::acl_filter_spec base;
    if (!a.principal.empty()) base.principal = a.principal;
    auto resources = resources_of(a);
    if (resources.empty()) {
        base.pattern_type = *pattern;
        out.push_back(base);
    }
    for (const auto& r : resources) {
        auto f = base;
        f.resource_type = r.type;
        f.resource_name = r.name;
        f.pattern_type = *pattern;
        out.push_back(f);
    }
    return out;
}

std::string format_acls(std::vector<kc::acl_binding_spec> bindings) {
    std::map<std::tuple<int8_t, std::string, int8_t>, std::vector<kc::acl_binding_spec>> by;
    for (auto& b : bindings)
        by[{b.resource_type, b.resource_name, b.pattern_type}].push_back(std::move(b));
    std::string out;
    for (auto& [key, entries] : by) {
        const auto& [type, name, pattern] = key;
        out += "Current ACLs for resource `ResourcePattern(resourceType=";
        out += proto::resource_type_name(static_cast<proto::resource_type>(type));
        out += ", name=" + name + ", patternType=" + pattern_name(pattern) + ")`:\n";
        std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
            return std::tie(x.principal, x.host, x.operation, x.permission) <
                   std::tie(y.principal, y.host, y.operation, y.permission);
        });
        for (const auto& e : entries) {
            out += " \t(principal=" + e.principal + ", host=" + e.host + ", operation=";
            out += proto::acl_operation_name(static_cast<proto::acl_operation>(e.operation));
            out += std::string(", permissionType=") + (e.permission == k_allow ? "ALLOW" : "DENY");
            out += ")\n";
        }
        out += "\n";
    }
    return out;
}

void define_acl(CLI::App& cmd, acl_args& out) {
    cmd.add_option("--allow-principal", out.allow_principals,
                   "Principal allowed the operations (Type:name, User:* for everyone)")
        ->allow_extra_args(false)
        ->type_name("PRINCIPAL");
    cmd.add_option("--deny-principal", out.deny_principals, "Principal denied the operations")
        ->allow_extra_args(false)
        ->type_name("PRINCIPAL");
    cmd.add_option("--allow-host", out.allow_hosts, "Host of the allowed principals (default *)")
        ->allow_extra_args(false)
        ->type_name("HOST");
    cmd.add_option("--deny-host", out.deny_hosts, "Host of the denied principals (default *)")
        ->allow_extra_args(false)
        ->type_name("HOST");
    cmd.add_option("--operation", out.operations,
                   "Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, "
                   "AlterConfigs, IdempotentWrite or All (repeatable)")
        ->allow_extra_args(false)
        ->type_name("OP");
    cmd.add_option("--topic", out.topics, "Topic resource (repeatable; * for every topic)")
        ->allow_extra_args(false)
        ->type_name("NAME");
    cmd.add_option("--group", out.groups, "Consumer group resource (repeatable)")
        ->allow_extra_args(false)
        ->type_name("NAME");
    cmd.add_option("--transactional-id", out.transactional_ids,
                   "Transactional id resource (repeatable)")
        ->allow_extra_args(false)
        ->type_name("ID");
    cmd.add_option("--subject", out.subjects,
                   "Schema registry subject resource (repeatable; * for every subject)")
        ->allow_extra_args(false)
        ->type_name("NAME");
    cmd.add_flag("--cluster", out.cluster, "The cluster resource");
    cmd.add_option("--resource-pattern-type", out.pattern_type,
                   "literal (default) or prefixed; list also any (default) or match")
        ->type_name("TYPE");
    cmd.add_option("--principal", out.principal, "list: only this principal's ACLs")
        ->type_name("PRINCIPAL");
    add_connection_options(cmd, out.bootstrap, out.command_config);
}

result<acl_args> parse_acl(const std::vector<std::string>& args) {
    return parse_with<acl_args>(args, define_acl);
}

}  // namespace spate::cli
