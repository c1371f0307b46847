#include "registry/core/provider.h"

namespace spate::registry {
namespace {

void append(std::vector<std::string>& out, std::vector<std::string> more) {
    for (auto& m : more)
        out.push_back(std::move(m));
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
        if (forward) append(out, p.incompatibilities(old, candidate));
        if (!transitive) break;
    }
    return out;
}

}  // namespace spate::registry
