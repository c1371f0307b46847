// registry_state: registering, deleting and checking schemas.

#include "registry/store/state.h"

namespace spate::registry {
namespace {

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

}  // namespace

outcome<int32_t> registry_state::choose_id(const std::string& context, const parsed_input& p,
                                           schema_type type, const register_options& o) const {
    const context_entry* c = find_context(context);
    const std::string refs = encode_references(p.references);
    if (o.id) {
        const int32_t id = o.id->value();
        if (id < 1)
            return make_registry_error(registry_errc::invalid_schema,
                                       "Schema id " + std::to_string(id) + " is not positive");
        if (c == nullptr) return id;
        auto it = c->ids.find(id);
        if (it != c->ids.end() && (it->second.type != type || it->second.schema != p.text ||
                                   encode_references(it->second.references) != refs))
            return make_registry_error(registry_errc::id_conflict,
                                       "Schema id " + std::to_string(id) + " in context " +
                                           context + " is taken by another schema");
        return id;
    }
    if (c == nullptr) return 1;
    auto it = c->by_content.find(content_key{type, p.text, refs});
    if (it != c->by_content.end()) return it->second;
    return c->max_id + 1;
}

outcome<int32_t> registry_state::choose_version(const std::string& qualified,
                                                const register_options& o, bool import) const {
    const subject_entry* s = find_subject(qualified);
    const int32_t next = (s == nullptr ? 0 : s->max_version) + 1;
    if (!o.version) return next;
    const int32_t v = o.version->value();
    if (v < 1)
        return make_registry_error(registry_errc::invalid_version,
                                   "Version " + std::to_string(v) + " is not a valid version");
    if (import) {
        if (find_version(qualified, v) != nullptr)
            return make_registry_error(
                registry_errc::invalid_version,
                "Version " + std::to_string(v) + " of subject '" + qualified + "' already exists");
        return v;
    }
    if (v != next)
        return make_registry_error(registry_errc::invalid_schema,
                                   "Version " + std::to_string(v) +
                                       " is not one more than the latest version " +
                                       std::to_string(next - 1));
    return v;
}

outcome<write_plan<subject_schema>> registry_state::plan_register(std::string_view subject,
                                                                  const schema_input& in,
                                                                  const register_options& o) const {
    const std::string q = qualify_subject(subject);
    if (split_context(q).name.empty())
        return make_registry_error(registry_errc::invalid_schema, "The subject name is empty");
    if (auto refused = refuse_read_only(q)) return *refused;
    const bool import = effective_mode(q) == registry_mode::import;
    if (o.id && !import)
        return make_registry_error(registry_errc::operation_not_permitted,
                                   "A schema id may only be given in IMPORT mode");
    if (import && !o.id)
        return make_registry_error(registry_errc::operation_not_permitted,
                                   "Subject " + q + " is in IMPORT mode: a schema id is required");
    auto p = parse_input(q, in, o.normalize);
    if (!p) return p.err();

    if (auto v = matching_version(q, in.type, *p, o.normalize, false)) {
        const version_entry* e = find_version(q, *v);
        if ((!o.id || *o.id == e->id) && (!o.version || o.version->value() == *v))
            return write_plan<subject_schema>{{}, to_subject_schema(q, *v, *e)};
    }
    if (!import) {
        std::vector<int32_t> live;
        if (const subject_entry* s = find_subject(q)) {
            for (const auto& [version, e] : s->versions) {
                if (!e.deleted) live.push_back(version);
            }
        }
        auto problems = incompatibilities(q, effective_level(q), *p->parsed, live);
        if (!problems) return problems.err();
        if (!problems->empty())
            return make_registry_error(
                registry_errc::incompatible_schema,
                "Schema being registered is incompatible with an earlier schema for subject \"" +
                    q + "\", details: [" + join(*problems) + "]");
    }
    const std::string context = split_context(q).context;
    auto id = choose_id(context, *p, in.type, o);
    if (!id) return id.err();
    auto version = choose_version(q, o, import);
    if (!version) return version.err();

    write_plan<subject_schema> plan{{},
                                    subject_schema{q, schema_version(*version), schema_id(*id),
                                                   in.type, p->text, p->references, false}};
    // A soft-deleted earlier version of the same schema gives way to the new
    // one, unless something still references it.
    if (const subject_entry* s = find_subject(q)) {
        for (const auto& [v, e] : s->versions) {
            if (e.deleted && e.id.value() == *id && v < *version &&
                referrer_ids({q, v}, true).empty())
                plan.records.push_back(schema_record{q, schema_version(v), std::nullopt});
        }
    }
    plan.records.push_back(schema_record{q, schema_version(*version), plan.answer});
    return plan;
}

outcome<write_plan<std::vector<schema_version>>> registry_state::plan_delete_subject(
    std::string_view subject, bool permanent) const {
    const std::string q = qualify_subject(subject);
    if (auto refused = refuse_read_only(q)) return *refused;
    const subject_entry* s = find_subject(q);
    if (s == nullptr || s->versions.empty())
        return make_registry_error(registry_errc::subject_not_found,
                                   "Subject '" + q + "' not found.");
    write_plan<std::vector<schema_version>> plan;
    for (const auto& [version, e] : s->versions) {
        if (permanent || !e.deleted) plan.answer.push_back(schema_version(version));
        if (permanent && !e.deleted)
            return make_registry_error(registry_errc::subject_not_soft_deleted,
                                       "Subject '" + q +
                                           "' was not deleted first before being permanently "
                                           "deleted");
    }
    if (plan.answer.empty())
        return make_registry_error(registry_errc::subject_soft_deleted,
                                   "Subject '" + q +
                                       "' was soft deleted. Set permanent=true to delete "
                                       "permanently");
    for (const auto& v : plan.answer) {
        if (referenced_outside({q, v.value()}, q, permanent))
            return make_registry_error(registry_errc::reference_exists,
                                       "Subject '" + q + "' version " + std::to_string(v.value()) +
                                           " is referenced by another schema");
    }
    if (!permanent) {
        plan.records.push_back(delete_subject_record{q, plan.answer.back()});
        return plan;
    }
    // Newest first: references within the subject point to older versions.
    for (auto it = plan.answer.rbegin(); it != plan.answer.rend(); ++it)
        plan.records.push_back(schema_record{q, *it, std::nullopt});
    if (own_config(q)) plan.records.push_back(config_record{q, std::nullopt});
    if (own_mode(q)) plan.records.push_back(mode_record{q, std::nullopt});
    return plan;
}

outcome<write_plan<schema_version>> registry_state::plan_delete_version(std::string_view subject,
                                                                        version_selector v,
                                                                        bool permanent) const {
    const std::string q = qualify_subject(subject);
    if (auto refused = refuse_read_only(q)) return *refused;
    // "latest" is the newest live version (of all, for a permanent delete);
    // a number may name a soft-deleted one.
    const bool latest = !v.number || v.number->value() == -1;
    auto n = select_version(q, v, latest ? permanent : true);
    if (!n) return n.err();
    const version_entry* e = find_version(q, *n);
    const std::string name = "Version " + std::to_string(*n) + " of subject '" + q + "'";
    if (!permanent && e->deleted)
        return make_registry_error(
            registry_errc::version_soft_deleted,
            name + " was soft deleted. Set permanent=true to delete permanently");
    if (permanent && !e->deleted)
        return make_registry_error(
            registry_errc::version_not_soft_deleted,
            name + " was not deleted first before being permanently deleted");
    if (!referrer_ids({q, *n}, permanent).empty())
        return make_registry_error(registry_errc::reference_exists,
                                   name + " is referenced by another schema");
    write_plan<schema_version> plan{{}, schema_version(*n)};
    if (!permanent) {
        subject_schema s = to_subject_schema(q, *n, *e);
        s.deleted = true;
        plan.records.push_back(schema_record{q, s.version, std::move(s)});
        return plan;
    }
    plan.records.push_back(schema_record{q, schema_version(*n), std::nullopt});
    if (find_subject(q)->versions.size() == 1) {
        if (own_config(q)) plan.records.push_back(config_record{q, std::nullopt});
        if (own_mode(q)) plan.records.push_back(mode_record{q, std::nullopt});
    }
    return plan;
}

outcome<compat_report> registry_state::check(std::string_view subject,
                                             std::optional<version_selector> against,
                                             const schema_input& in, bool normalize) const {
    const std::string q = qualify_subject(subject);
    auto p = parse_input(q, in, normalize);
    if (!p) return p.err();
    std::vector<int32_t> versions;
    if (against) {
        auto n = select_version(q, *against, false);
        if (!n) return n.err();
        versions.push_back(*n);
    } else if (const subject_entry* s = find_subject(q)) {
        for (const auto& [version, e] : s->versions) {
            if (!e.deleted) versions.push_back(version);
        }
    }
    auto problems = incompatibilities(q, effective_level(q), *p->parsed, versions);
    if (!problems) return problems.err();
    compat_report r;
    r.compatible = problems->empty();
    r.messages = std::move(*problems);
    return r;
}

}  // namespace spate::registry
