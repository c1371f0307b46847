// registry_state::apply: the only place the state changes.

#include <algorithm>

#include "base/log.h"
#include "registry/store/state.h"

namespace spate::registry {

std::string qualify_subject(std::string_view subject) {
    auto q = split_context(subject);
    if (q.context == ".") return q.name;
    return ":" + q.context + ":" + q.name;
}

registry_state::registry_state(provider_lookup providers) : _providers(std::move(providers)) {
    SPATE_ASSERT(_providers);
}

void registry_state::apply(const store_record& r) {
    struct visitor {
        registry_state& s;
        void operator()(const schema_record& x) const { s.apply_schema(x); }
        void operator()(const config_record& x) const {
            std::optional<std::string> key;
            if (x.subject) key = qualify_subject(*x.subject);
            if (x.level)
                s._configs[key] = *x.level;
            else
                s._configs.erase(key);
        }
        void operator()(const mode_record& x) const {
            std::optional<std::string> key;
            if (x.subject) key = qualify_subject(*x.subject);
            if (x.mode)
                s._modes[key] = *x.mode;
            else
                s._modes.erase(key);
        }
        void operator()(const delete_subject_record& x) const { s.apply_delete_subject(x); }
        void operator()(const clear_subject_record& x) const { s.apply_clear_subject(x); }
        void operator()(const noop_record&) const {}
    };
    std::visit(visitor{*this}, r);
}

void registry_state::apply_schema(const schema_record& r) {
    const std::string subject = qualify_subject(r.subject);
    const int32_t version = r.version.value();
    if (!r.value) {
        remove_version(subject, version);
        return;
    }
    const subject_schema& s = *r.value;
    const std::string context = split_context(subject).context;
    if (const context_entry* c = find_context(context)) {
        auto it = c->ids.find(s.id.value());
        const version_key self{subject, version};
        // An id stands for one schema: a record giving it another one is
        // refused, unless it rewrites the id's only version.
        if (it != c->ids.end() &&
            (it->second.type != s.type || it->second.schema != s.schema ||
             it->second.references != s.references) &&
            !(it->second.users.size() == 1 && it->second.users.count(self) == 1)) {
            logging::get("registry")
                .error(
                    "_schemas: subject '{}' version {} gives id {} to another schema than its "
                    "earlier registrations; record skipped",
                    subject, version, s.id.value());
            return;
        }
    }
    remove_version(subject, version);
    add_version(subject, version, s);
}

void registry_state::add_version(const std::string& subject, int32_t version,
                                 const subject_schema& s) {
    subject_entry& subj = _subjects[subject];
    subj.versions[version] = version_entry{s.id, s.type, s.schema, s.references, s.deleted};
    subj.max_version = std::max(subj.max_version, version);

    const std::string context = split_context(subject).context;
    context_entry& c = _contexts[context];
    const version_key self{subject, version};
    auto [it, added] = c.ids.try_emplace(s.id.value());
    if (added) {
        it->second.type = s.type;
        it->second.schema = s.schema;
        it->second.references = s.references;
    }
    it->second.users.insert(self);
    c.by_content.try_emplace(content_key{s.type, s.schema, encode_references(s.references)},
                             s.id.value());
    c.max_id = std::max(c.max_id, s.id.value());

    for (const auto& ref : s.references) {
        if (ref.version.value() <= 0) continue;  // "latest" names no fixed version
        _referrers[reference_target(context, ref)].insert(self);
    }
}

void registry_state::remove_version(const std::string& subject, int32_t version) {
    auto sit = _subjects.find(subject);
    if (sit == _subjects.end()) return;
    auto vit = sit->second.versions.find(version);
    if (vit == sit->second.versions.end()) return;
    const version_entry& e = vit->second;
    const std::string context = split_context(subject).context;
    const version_key self{subject, version};

    context_entry& c = _contexts[context];
    auto iit = c.ids.find(e.id.value());
    if (iit != c.ids.end()) {
        iit->second.users.erase(self);
        if (iit->second.users.empty()) {
            content_key content{iit->second.type, iit->second.schema,
                                encode_references(iit->second.references)};
            c.ids.erase(iit);
            // Another id of the same content (IMPORT may make them) takes over.
            auto bit = c.by_content.find(content);
            if (bit != c.by_content.end() && bit->second == e.id.value()) {
                c.by_content.erase(bit);
                for (const auto& [id, entry] : c.ids) {
                    if (entry.type == content.type && entry.schema == content.schema &&
                        encode_references(entry.references) == content.references) {
                        c.by_content.emplace(content, id);
                        break;
                    }
                }
            }
        }
    }
    for (const auto& ref : e.references) {
        if (ref.version.value() <= 0) continue;
        auto rit = _referrers.find(reference_target(context, ref));
        if (rit == _referrers.end()) continue;
        rit->second.erase(self);
        if (rit->second.empty()) _referrers.erase(rit);
    }
    sit->second.versions.erase(vit);
}

void registry_state::apply_delete_subject(const delete_subject_record& r) {
    if (!r.version) return;
    auto it = _subjects.find(qualify_subject(r.subject));
    if (it == _subjects.end()) return;
    for (auto& [version, e] : it->second.versions) {
        if (version <= r.version->value()) e.deleted = true;
    }
}

void registry_state::apply_clear_subject(const clear_subject_record& r) {
    if (r.tombstone) return;
    std::optional<std::string> scope;
    if (r.subject) scope = qualify_subject(*r.subject);
    std::vector<version_key> gone;
    for (const auto& [subject, entry] : _subjects) {
        if (!in_scope(scope, subject)) continue;
        for (const auto& [version, e] : entry.versions) {
            if (e.deleted) gone.push_back({subject, version});
        }
    }
    for (const auto& k : gone)
        remove_version(k.subject, k.version);
}

}  // namespace spate::registry
