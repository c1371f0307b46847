// registry_state: compatibility levels and modes, with their fallbacks
// (subject, then its context's, then the global one, then the default).

#include "registry/store/state.h"

namespace spate::registry {
namespace {

// Confluent's key for settings of every context.
constexpr const char* k_all_contexts = ":.__GLOBAL:";

std::optional<std::string> context_key(const std::string& qualified) {
    std::string context = split_context(qualified).context;
    if (context == ".") return std::nullopt;
    return ":" + context + ":";
}

std::optional<std::string> scope_key(std::optional<std::string_view> subject) {
    if (!subject) return std::nullopt;
    return qualify_subject(*subject);
}

}  // namespace

std::optional<compat_level> registry_state::own_config(
    const std::optional<std::string>& key) const {
    auto it = _configs.find(key);
    if (it == _configs.end()) return std::nullopt;
    return it->second;
}

compat_level registry_state::effective_level(const std::string& qualified) const {
    if (auto c = own_config(qualified)) return *c;
    if (auto ctx = context_key(qualified); ctx && qualified != *ctx) {
        if (auto c = own_config(ctx)) return *c;
    }
    if (auto c = own_config(std::nullopt)) return *c;
    if (auto c = own_config(k_all_contexts)) return *c;
    return compat_level::backward;
}

std::optional<registry_mode> registry_state::own_mode(const std::optional<std::string>& key) const {
    auto it = _modes.find(key);
    if (it == _modes.end()) return std::nullopt;
    return it->second;
}

registry_mode registry_state::effective_mode(const std::string& qualified) const {
    std::optional<registry_mode> context;
    if (auto ctx = context_key(qualified); ctx && qualified != *ctx) context = own_mode(ctx);
    std::optional<registry_mode> global = own_mode(std::nullopt);
    if (!global) global = own_mode(k_all_contexts);
    // READONLY_OVERRIDE above a subject wins over the subject's own mode.
    for (const auto& higher : {context, global}) {
        if (higher == registry_mode::readonly_override) return *higher;
    }
    for (const auto& m : {own_mode(qualified), context, global}) {
        if (m) return *m;
    }
    return registry_mode::readwrite;
}

std::optional<registry_error> registry_state::refuse_read_only(const std::string& qualified) const {
    registry_mode m = effective_mode(qualified);
    if (m != registry_mode::readonly && m != registry_mode::readonly_override) return std::nullopt;
    return make_registry_error(registry_errc::operation_not_permitted,
                               "Subject " + qualified + " is in read-only mode");
}

bool registry_state::in_scope(const std::optional<std::string>& scope,
                              const std::string& qualified) const {
    if (!scope) return true;
    auto s = split_context(*scope);
    if (s.name.empty()) return split_context(qualified).context == s.context;
    return *scope == qualified;
}

outcome<compat_level> registry_state::get_config(std::optional<std::string_view> subject,
                                                 bool default_to_global) const {
    if (!subject) {
        if (auto c = own_config(std::nullopt)) return *c;
        if (auto c = own_config(k_all_contexts)) return *c;
        return compat_level::backward;
    }
    const std::string q = qualify_subject(*subject);
    if (auto c = own_config(q)) return *c;
    if (!default_to_global)
        return make_registry_error(
            registry_errc::subject_compat_not_configured,
            "Subject '" + q + "' does not have subject-level compatibility configured");
    return effective_level(q);
}

outcome<registry_mode> registry_state::get_mode(std::optional<std::string_view> subject,
                                                bool default_to_global) const {
    if (!subject) {
        if (auto m = own_mode(std::nullopt)) return *m;
        if (auto m = own_mode(k_all_contexts)) return *m;
        return registry_mode::readwrite;
    }
    const std::string q = qualify_subject(*subject);
    if (auto m = own_mode(q)) return *m;
    if (!default_to_global)
        return make_registry_error(
            registry_errc::subject_mode_not_configured,
            "Subject '" + q + "' does not have subject-level mode configured");
    return effective_mode(q);
}

outcome<write_plan<compat_level>> registry_state::plan_set_config(
    std::optional<std::string_view> subject, compat_level level) const {
    write_plan<compat_level> plan{{}, level};
    plan.records.push_back(config_record{scope_key(subject), level});
    return plan;
}

outcome<write_plan<compat_level>> registry_state::plan_delete_config(
    std::optional<std::string_view> subject) const {
    const std::optional<std::string> key = scope_key(subject);
    std::optional<compat_level> old = own_config(key);
    if (!old) {
        if (key)
            return make_registry_error(registry_errc::subject_not_found,
                                       "Subject '" + *key + "' not found.");
        // The global level is already the default: nothing to write.
        return write_plan<compat_level>{{}, *get_config(std::nullopt, true)};
    }
    write_plan<compat_level> plan{{}, *old};
    plan.records.push_back(config_record{key, std::nullopt});
    return plan;
}

outcome<std::vector<store_record>> registry_state::clear_for_import(
    const std::optional<std::string>& scope) const {
    std::set<version_key> gone;
    for (const auto& [subject, entry] : _subjects) {
        if (!in_scope(scope, subject)) continue;
        for (const auto& [version, e] : entry.versions) {
            if (!e.deleted)
                return make_registry_error(registry_errc::operation_not_permitted,
                                           "Cannot import since found existing subjects");
            gone.insert({subject, version});
        }
    }
    std::vector<store_record> records;
    if (gone.empty()) return records;
    for (const auto& k : gone) {
        auto it = _referrers.find(k);
        if (it == _referrers.end()) continue;
        for (const auto& referrer : it->second) {
            if (gone.count(referrer) == 0)
                return make_registry_error(registry_errc::reference_exists,
                                           "Subject '" + k.subject + "' version " +
                                               std::to_string(k.version) +
                                               " is referenced by another schema");
        }
    }
    for (const auto& k : gone)
        records.push_back(schema_record{k.subject, schema_version(k.version), std::nullopt});
    records.push_back(clear_subject_record{scope, false});
    return records;
}

outcome<write_plan<registry_mode>> registry_state::plan_set_mode(
    std::optional<std::string_view> subject, registry_mode m, bool force) const {
    const std::optional<std::string> key = scope_key(subject);
    write_plan<registry_mode> plan{{}, m};
    const registry_mode current = key ? effective_mode(*key) : *get_mode(std::nullopt, true);
    // Entering IMPORT needs an empty scope (soft-deleted versions are
    // cleared out first) unless forced.
    if (m == registry_mode::import && current != registry_mode::import && !force) {
        auto cleared = clear_for_import(key);
        if (!cleared) return cleared.err();
        plan.records = std::move(*cleared);
    }
    plan.records.push_back(mode_record{key, m});
    return plan;
}

outcome<write_plan<registry_mode>> registry_state::plan_delete_mode(
    std::string_view subject) const {
    const std::string key = qualify_subject(subject);
    std::optional<registry_mode> old = own_mode(key);
    if (!old)
        return make_registry_error(registry_errc::subject_not_found,
                                   "Subject '" + key + "' not found.");
    write_plan<registry_mode> plan{{}, *old};
    plan.records.push_back(mode_record{key, std::nullopt});
    return plan;
}

}  // namespace spate::registry
