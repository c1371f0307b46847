// registry_state: references, parsing, sameness and compatibility of schemas.

#include "base/log.h"
#include "registry/store/state.h"

namespace spate::registry {

std::string registry_state::encode_references(const std::vector<schema_reference>& refs) {
    std::string out;
    for (const auto& r : refs) {
        out += r.name;
        out += '\x1f';
        out += r.subject;
        out += '\x1f';
        out += std::to_string(r.version.value());
        out += '\x1e';
    }
    return out;
}

registry_state::version_key registry_state::reference_target(const std::string& referrer_context,
                                                             const schema_reference& r) const {
    // An unqualified subject is in the referring schema's context.
    std::string subject;
    if (r.subject.starts_with(":."))
        subject = qualify_subject(r.subject);
    else if (referrer_context == ".")
        subject = r.subject;
    else
        subject = ":" + referrer_context + ":" + r.subject;
    return {std::move(subject), r.version.value()};
}

void registry_state::resolve_into(const std::string& context, const schema_reference& ref,
                                  std::set<version_key>& seen, std::vector<resolved_reference>& out,
                                  std::optional<registry_error>& failure) const {
    if (failure) return;
    version_key target = reference_target(context, ref);
    if (target.version == -1) {
        auto latest = select_version(target.subject, version_selector::latest(), false);
        if (latest) target.version = *latest;
    }
    const version_entry* e = find_version(target.subject, target.version);
    if (e == nullptr) {
        failure = make_registry_error(
            registry_errc::invalid_schema,
            "Invalid schema: reference '" + ref.name + "' names subject '" + target.subject +
                "' version " + std::to_string(ref.version.value()) + ", which does not exist");
        return;
    }
    if (!seen.insert(target).second) return;
    const std::string target_context = split_context(target.subject).context;
    for (const auto& dep : e->references)
        resolve_into(target_context, dep, seen, out, failure);
    out.push_back(
        {schema_reference{ref.name, ref.subject, schema_version(target.version)}, e->schema});
}

outcome<std::vector<resolved_reference>> registry_state::resolve(
    const std::string& context, const std::vector<schema_reference>& refs) const {
    std::vector<resolved_reference> out;
    std::set<version_key> seen;
    std::optional<registry_error> failure;
    for (const auto& ref : refs)
        resolve_into(context, ref, seen, out, failure);
    if (failure) return *failure;
    return out;
}

outcome<registry_state::parsed_input> registry_state::parse_input(const std::string& qualified,
                                                                  const schema_input& in,
                                                                  bool normalize) const {
    const std::string context = split_context(qualified).context;
    parsed_input p;
    for (const auto& ref : in.references) {
        if (ref.name.empty() || ref.subject.empty())
            return make_registry_error(registry_errc::invalid_schema,
                                       "Invalid schema: a reference needs a name and a subject");
        schema_reference r = ref;
        if (r.version.value() == -1) {
            auto latest =
                select_version(reference_target(context, r).subject, version_selector{}, false);
            if (latest) r.version = schema_version(*latest);
        }
        p.references.push_back(std::move(r));
    }
    auto refs = resolve(context, p.references);
    if (!refs) return refs.err();
    auto parsed = provider(in.type).parse(in.schema, *refs);
    if (!parsed.ok())
        return make_registry_error(registry_errc::invalid_schema,
                                   "Invalid schema: " + parsed.err().message);
    p.parsed = std::move(*parsed);
    p.text = normalize ? p.parsed->normalized() : p.parsed->canonical();
    return p;
}

outcome<parsed_schema_ptr> registry_state::parse_version(const std::string& qualified,
                                                         int32_t version) const {
    const version_entry* e = find_version(qualified, version);
    SPATE_ASSERT(e != nullptr);
    auto refs = resolve(split_context(qualified).context, e->references);
    if (!refs) return refs.err();
    auto parsed = provider(e->type).parse(e->schema, *refs);
    if (!parsed.ok())
        return make_registry_error(registry_errc::invalid_schema,
                                   "version " + std::to_string(version) + " of subject '" +
                                       qualified + "' does not parse: " + parsed.err().message);
    return std::move(*parsed);
}

std::optional<int32_t> registry_state::matching_version(const std::string& qualified,
                                                        schema_type type, const parsed_input& p,
                                                        bool normalize,
                                                        bool include_deleted) const {
    const subject_entry* s = find_subject(qualified);
    if (s == nullptr) return std::nullopt;
    const std::string refs = encode_references(p.references);
    // Live versions before soft-deleted ones; the same text before the same
    // schema written differently (by another registry, or not normalized).
    for (bool deleted : {false, true}) {
        if (deleted && !include_deleted) break;
        for (bool by_parse : {false, true}) {
            for (const auto& [version, e] : s->versions) {
                if (e.deleted != deleted || e.type != type) continue;
                if (encode_references(e.references) != refs) continue;
                if (!by_parse) {
                    if (e.schema == p.text) return version;
                    continue;
                }
                auto parsed = parse_version(qualified, version);
                if (!parsed) continue;
                const std::string text =
                    normalize ? (*parsed)->normalized() : (*parsed)->canonical();
                if (text == p.text) return version;
            }
        }
    }
    return std::nullopt;
}

outcome<std::vector<std::string>> registry_state::incompatibilities(
    const std::string& qualified, compat_level level, const parsed_schema& candidate,
    const std::vector<int32_t>& versions) const {
    std::vector<std::string> messages;
    std::vector<parsed_schema_ptr> existing;
    if (level == compat_level::none) return messages;
    for (int32_t v : versions) {
        const version_entry* e = find_version(qualified, v);
        SPATE_ASSERT(e != nullptr);
        if (e->type != candidate.type()) {
            messages.push_back("schema type " + std::string(schema_type_name(candidate.type())) +
                               " differs from version " + std::to_string(v) + "'s type " +
                               std::string(schema_type_name(e->type)));
            continue;
        }
        auto parsed = parse_version(qualified, v);
        if (!parsed) {
            messages.push_back(parsed.err().message);
            continue;
        }
        existing.push_back(std::move(*parsed));
    }
    if (!messages.empty()) return messages;
    return check_compatibility(provider(candidate.type()), level, candidate, existing);
}

}  // namespace spate::registry
