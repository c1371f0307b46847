#include "registry/core/provider.h"

namespace spate::registry {
namespace {

void append(std::vector<std::string>& out, std::vector<std::string> more) {
    for (auto& m : more)
        out.push_back(std::move(m));
}

// Providers word messages for a BACKWARD check (the reader is the "new
// schema", the writer the "old schema"). In a FORWARD check the old schema
// reads, so the two words trade places.
std::string reverse_roles(std::string_view m) {
    // Matches "new schema"/"old schema" with either case of the first letter.
    auto role_at = [&](size_t i, char lower) {
        return i + 10 <= m.size() && (m[i] == lower || m[i] == lower - 'a' + 'A') &&
               m.substr(i + 1, 9) == (lower == 'n' ? "ew schema" : "ld schema");
    };
    std::string out;
    out.reserve(m.size());
    for (size_t i = 0; i < m.size();) {
        const bool is_new = role_at(i, 'n');
        if (is_new || role_at(i, 'o')) {
            const bool upper = m[i] >= 'A' && m[i] <= 'Z';
            out += is_new ? (upper ? "Old schema" : "old schema")
                          : (upper ? "New schema" : "new schema");
            i += 10;
        } else {
            out += m[i++];
        }
    }
    return out;
}

std::vector<std::string> reversed(std::vector<std::string> messages) {
    for (auto& m : messages)
        m = reverse_roles(m);
    return messages;
}

}  // namespace

const schema_provider& provider_for(schema_type t) {
    static const auto avro = make_avro_provider();
    static const auto json = make_json_schema_provider();
    static const auto protobuf = make_protobuf_provider();
    switch (t) {
        case schema_type::avro:
            return *avro;
        case schema_type::json:
            return *json;
        case schema_type::protobuf:
            return *protobuf;
    }
    SPATE_ASSERT_MSG(false, "unknown schema type");
    return *avro;
}

std::vector<std::string> check_compatibility(compat_level level, const parsed_schema& candidate,
                                             const std::vector<parsed_schema_ptr>& existing) {
    return check_compatibility(provider_for(candidate.type()), level, candidate, existing);
}

std::vector<std::string> check_compatibility(const schema_provider& p, compat_level level,
                                             const parsed_schema& candidate,
                                             const std::vector<parsed_schema_ptr>& existing) {
    std::vector<std::string> out;
    if (level == compat_level::none || existing.empty()) return out;
    const bool transitive = level == compat_level::backward_transitive ||
                            level == compat_level::forward_transitive ||
                            level == compat_level::full_transitive;
    const bool backward =
        level != compat_level::forward && level != compat_level::forward_transitive;
    const bool forward =
        level != compat_level::backward && level != compat_level::backward_transitive;
    // Newest first, as Confluent reports against the latest before older ones.
    for (auto it = existing.rbegin(); it != existing.rend(); ++it) {
        const parsed_schema& old = **it;
        if (backward) append(out, p.incompatibilities(candidate, old));
        if (forward) append(out, reversed(p.incompatibilities(old, candidate)));
        if (!transitive) break;
    }
    return out;
}

}  // namespace spate::registry
