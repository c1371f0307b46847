// registry_state's reads.

#include <algorithm>

#include "base/log.h"
#include "registry/store/state.h"

namespace spate::registry {
namespace {

registry_error subject_not_found(const std::string& subject) {
    return make_registry_error(registry_errc::subject_not_found,
                               "Subject '" + subject + "' not found.");
}

registry_error schema_not_found(schema_id id) {
    return make_registry_error(registry_errc::schema_not_found,
                               "Schema " + std::to_string(id.value()) + " not found");
}

bool visible(bool deleted, bool include_deleted) {
    return include_deleted || !deleted;
}

}  // namespace

const registry_state::subject_entry* registry_state::find_subject(
    const std::string& qualified) const {
    auto it = _subjects.find(qualified);
    return it == _subjects.end() ? nullptr : &it->second;
}

const registry_state::version_entry* registry_state::find_version(const std::string& qualified,
                                                                  int32_t version) const {
    const subject_entry* s = find_subject(qualified);
    if (s == nullptr) return nullptr;
    auto it = s->versions.find(version);
    return it == s->versions.end() ? nullptr : &it->second;
}

const registry_state::context_entry* registry_state::find_context(
    const std::string& context) const {
    auto it = _contexts.find(context);
    return it == _contexts.end() ? nullptr : &it->second;
}

outcome<int32_t> registry_state::select_version(const std::string& qualified, version_selector v,
                                                bool include_deleted) const {
    const subject_entry* s = find_subject(qualified);
    std::optional<int32_t> latest;
    if (s != nullptr) {
        for (auto it = s->versions.rbegin(); it != s->versions.rend(); ++it) {
            if (visible(it->second.deleted, include_deleted)) {
                latest = it->first;
                break;
            }
        }
    }
    if (!latest) return subject_not_found(qualified);
    if (!v.number || v.number->value() == -1) return *latest;
    const int32_t n = v.number->value();
    if (n <= 0)
        return make_registry_error(registry_errc::invalid_version,
                                   "The specified version '" + std::to_string(n) +
                                       "' is not a valid version id. Allowed values are between "
                                       "[1, 2^31-1] and the string \"latest\"");
    auto it = s->versions.find(n);
    if (it == s->versions.end() || !visible(it->second.deleted, include_deleted))
        return make_registry_error(registry_errc::version_not_found,
                                   "Version " + std::to_string(n) + " not found.");
    return n;
}

subject_schema registry_state::to_subject_schema(const std::string& qualified, int32_t version,
                                                 const version_entry& e) const {
    return subject_schema{qualified, schema_version(version), e.id, e.type, e.schema, e.references,
                          e.deleted};
}

outcome<std::vector<std::string>> registry_state::subjects(std::string_view prefix,
                                                           bool include_deleted) const {
    std::vector<std::string> out;
    for (const auto& [subject, entry] : _subjects) {
        if (!std::string_view(subject).starts_with(prefix)) continue;
        for (const auto& [version, e] : entry.versions) {
            if (visible(e.deleted, include_deleted)) {
                out.push_back(subject);
                break;
            }
        }
    }
    return out;
}

outcome<std::vector<schema_version>> registry_state::versions(std::string_view subject,
                                                              bool include_deleted) const {
    const std::string q = qualify_subject(subject);
    std::vector<schema_version> out;
    if (const subject_entry* s = find_subject(q)) {
        for (const auto& [version, e] : s->versions) {
            if (visible(e.deleted, include_deleted)) out.push_back(schema_version(version));
        }
    }
    if (out.empty()) return subject_not_found(q);
    return out;
}

outcome<subject_schema> registry_state::get_version(std::string_view subject, version_selector v,
                                                    bool include_deleted) const {
    const std::string q = qualify_subject(subject);
    auto n = select_version(q, v, include_deleted);
    if (!n) return n.err();
    return to_subject_schema(q, *n, *find_version(q, *n));
}

outcome<subject_schema> registry_state::lookup(std::string_view subject, const schema_input& in,
                                               bool normalize, bool include_deleted) const {
    const std::string q = qualify_subject(subject);
    auto latest = select_version(q, version_selector::latest(), include_deleted);
    if (!latest) return latest.err();
    auto p = parse_input(q, in, normalize);
    if (!p) return p.err();
    auto v = matching_version(q, in.type, *p, normalize, include_deleted);
    if (!v) return make_registry_error(registry_errc::schema_not_found, "Schema not found");
    return to_subject_schema(q, *v, *find_version(q, *v));
}

std::optional<subject_schema> registry_state::find_registered(std::string_view subject,
                                                              const schema_input& in,
                                                              bool normalize) const {
    auto r = lookup(subject, in, normalize, false);
    if (!r) return std::nullopt;
    return std::move(r).value();
}

std::vector<schema_id> registry_state::referrer_ids(const version_key& target,
                                                    bool include_deleted) const {
    std::vector<schema_id> out;
    auto it = _referrers.find(target);
    if (it == _referrers.end()) return out;
    for (const auto& k : it->second) {
        const version_entry* e = find_version(k.subject, k.version);
        if (e != nullptr && visible(e->deleted, include_deleted)) out.push_back(e->id);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool registry_state::referenced_outside(const version_key& target,
                                        const std::string& except_subject,
                                        bool include_deleted) const {
    auto it = _referrers.find(target);
    if (it == _referrers.end()) return false;
    for (const auto& k : it->second) {
        if (k.subject == except_subject) continue;
        const version_entry* e = find_version(k.subject, k.version);
        if (e != nullptr && visible(e->deleted, include_deleted)) return true;
    }
    return false;
}

outcome<std::vector<schema_id>> registry_state::referenced_by(std::string_view subject,
                                                              version_selector v) const {
    const std::string q = qualify_subject(subject);
    auto n = select_version(q, v, true);
    if (!n) return n.err();
    return referrer_ids({q, *n}, false);
}

outcome<id_schema> registry_state::get_schema(schema_id id, std::string_view subject) const {
    const context_entry* c = find_context(split_context(subject).context);
    if (c == nullptr) return schema_not_found(id);
    auto it = c->ids.find(id.value());
    if (it == c->ids.end()) return schema_not_found(id);
    return id_schema{id, it->second.type, it->second.schema, it->second.references};
}

outcome<std::vector<subject_version>> registry_state::versions_of(schema_id id,
                                                                  std::string_view subject,
                                                                  bool include_deleted) const {
    const context_entry* c = find_context(split_context(subject).context);
    if (c == nullptr) return schema_not_found(id);
    auto it = c->ids.find(id.value());
    if (it == c->ids.end()) return schema_not_found(id);
    std::vector<subject_version> out;
    for (const auto& k : it->second.users) {
        const version_entry* e = find_version(k.subject, k.version);
        if (e != nullptr && visible(e->deleted, include_deleted))
            out.push_back({k.subject, schema_version(k.version)});
    }
    if (out.empty()) return schema_not_found(id);
    return out;
}

outcome<std::vector<std::string>> registry_state::subjects_of(schema_id id,
                                                              std::string_view subject,
                                                              bool include_deleted) const {
    auto vs = versions_of(id, subject, include_deleted);
    if (!vs) return vs.err();
    std::vector<std::string> out;
    for (const auto& v : *vs) {
        if (out.empty() || out.back() != v.subject) out.push_back(v.subject);
    }
    return out;
}

outcome<std::vector<subject_schema>> registry_state::list_schemas(std::string_view subject_prefix,
                                                                  bool include_deleted,
                                                                  bool latest_only) const {
    std::vector<subject_schema> out;
    for (const auto& [subject, entry] : _subjects) {
        if (!std::string_view(subject).starts_with(subject_prefix)) continue;
        std::optional<subject_schema> latest;
        for (const auto& [version, e] : entry.versions) {
            if (!visible(e.deleted, include_deleted)) continue;
            if (latest_only)
                latest = to_subject_schema(subject, version, e);
            else
                out.push_back(to_subject_schema(subject, version, e));
        }
        if (latest) out.push_back(std::move(*latest));
    }
    return out;
}

bool registry_state::id_registered_under(schema_id id, std::string_view subject) const {
    const subject_entry* s = find_subject(qualify_subject(subject));
    if (s == nullptr) return false;
    return std::any_of(s->versions.begin(), s->versions.end(),
                       [&](const auto& v) { return !v.second.deleted && v.second.id == id; });
}

bool registry_state::id_exists(schema_id id) const {
    const context_entry* c = find_context(".");
    return c != nullptr && c->ids.count(id.value()) == 1;
}

std::optional<std::string> registry_state::record_name_of(schema_id id) const {
    auto s = get_schema(id, "");
    if (!s) return std::nullopt;
    auto refs = resolve(".", s->references);
    if (!refs) return std::nullopt;
    auto parsed = provider(s->type).parse(s->schema, *refs);
    if (!parsed.ok()) {
        logging::get("registry")
            .warn("schema {} does not parse: {}", id.value(), parsed.err().message);
        return std::nullopt;
    }
    std::string name = (*parsed)->record_name();
    if (name.empty()) return std::nullopt;
    return name;
}

}  // namespace spate::registry
