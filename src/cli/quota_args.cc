#include "cli/quota_args.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <set>

#include "cli/args.h"
#include "cli/parse_with.h"

namespace spate::cli {

namespace {

namespace kc = kafka::client;

constexpr const char* k_user_type = "user";
constexpr const char* k_client_type = "client-id";

error quota_usage(const std::string& why) {
    return make_error(errc::invalid_argument, why);
}

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
        size_t start = 0;
        while (start <= v.size()) {
            size_t end = v.find(',', start);
            if (end == std::string::npos) end = v.size();
            if (end > start) out.push_back(v.substr(start, end - start));
            start = end + 1;
        }
    }
    return out;
}

result<double> quota_number(const std::string& key, const std::string& text) {
    try {
        size_t used = 0;
        double d = std::stod(text, &used);
        if (used == text.size()) return d;
    } catch (const std::exception&) {
    }
    return quota_usage("--add-config " + key + ": '" + text + "' is not a number");
}

std::string number_text(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    if (double(int64_t(v)) == v) return buf;
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string part_text(const kc::quota_entity_part& p) {
    const char* type = p.type == k_user_type ? "user-principal" : p.type.c_str();
    if (!p.name) return std::string("the default ") + type;
    return std::string(type) + " '" + *p.name + "'";
}

}  // namespace

result<kc::quota_entity_parts> quota_entity(const quota_args& a) {
    if (!a.user.empty() && a.user_default)
        return quota_usage("give --user or --user-default, not both");
    if (!a.client_id.empty() && a.client_default)
        return quota_usage("give --client-id or --client-default, not both");
    kc::quota_entity_parts out;
    if (!a.user.empty()) out.push_back({k_user_type, a.user});
    if (a.user_default) out.push_back({k_user_type, std::nullopt});
    if (!a.client_id.empty()) out.push_back({k_client_type, a.client_id});
    if (a.client_default) out.push_back({k_client_type, std::nullopt});
    return out;
}

result<std::vector<kc::quota_op>> quota_ops(const quota_args& a) {
    std::vector<kc::quota_op> out;
    std::set<std::string> keys;
    for (const auto& kv : split_commas(a.add_config)) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            return quota_usage("--add-config '" + kv + "': expected key=value");
        auto key = kv.substr(0, eq);
        auto v = quota_number(key, kv.substr(eq + 1));
        SPATE_TRY(v);
        if (!keys.insert(key).second) return quota_usage("config " + key + " given twice");
        out.push_back({key, *v, false});
    }
    for (const auto& key : split_commas(a.delete_config)) {
        if (!keys.insert(key).second) return quota_usage("config " + key + " given twice");
        out.push_back({key, 0, true});
    }
    if (out.empty()) return quota_usage("give --add-config or --delete-config");
    return out;
}

result<std::vector<kc::quota_filter_component>> quota_filter(const quota_args& a) {
    auto entity = quota_entity(a);
    SPATE_TRY(entity);
    std::vector<kc::quota_filter_component> out;
    for (const auto& p : *entity)
        out.push_back({p.type, static_cast<int8_t>(p.name ? 0 : 1), p.name});
    return out;
}

std::string format_quota_entity(const kc::quota_entity_parts& entity) {
    std::string who;
    for (const auto& p : entity)
        who += (who.empty() ? "" : ", ") + part_text(p);
    return who;
}

std::string format_quotas(const std::vector<kc::quota_entry>& entries) {
    std::string out;
    for (const auto& e : entries) {
        const std::string who = format_quota_entity(e.entity);
        std::string values;
        for (const auto& [k, v] : e.values)
            values += (values.empty() ? "" : ", ") + k + "=" + number_text(v);
        out += "Quota configs for " + who + " are " + values + "\n";
    }
    return out;
}

void define_quota(CLI::App& cmd, quota_args& out) {
    cmd.add_option("--user", out.user, "User principal name of the quota entity")
        ->type_name("NAME");
    cmd.add_flag("--user-default", out.user_default, "The default user entity");
    cmd.add_option("--client-id", out.client_id, "Client id of the quota entity")->type_name("ID");
    cmd.add_flag("--client-default", out.client_default, "The default client-id entity");
    cmd.add_option("--add-config", out.add_config,
                   "alter: quotas to set, k=v[,k=v...]: producer_byte_rate, consumer_byte_rate, "
                   "request_percentage, controller_mutation_rate")
        ->allow_extra_args(false)
        ->type_name("K=V,...");
    cmd.add_option("--delete-config", out.delete_config, "alter: quotas to remove, k[,k...]")
        ->allow_extra_args(false)
        ->type_name("K,...");
    cmd.add_flag("--validate-only", out.validate_only, "alter: check without changing");
    add_connection_options(cmd, out.bootstrap, out.command_config);
}

result<quota_args> parse_quota(const std::vector<std::string>& args) {
    return parse_with<quota_args>(args, define_quota);
}

}  // namespace spate::cli
