// PLACEHOLDER until the json_schema part lands: refuses every schema. Replaced by
// the real provider (its owner deletes this comment).
#include "registry/core/provider.h"

namespace spate::registry {
namespace {
class placeholder final : public schema_provider {
  public:
    schema_type type() const override { return schema_type::json; }
    result<parsed_schema_ptr> parse(std::string_view,
                                    const std::vector<resolved_reference>&) const override {
        return make_error(errc::unsupported, "json schemas are not supported yet");
    }
    std::vector<std::string> incompatibilities(const parsed_schema&,
                                               const parsed_schema&) const override {
        return {};
    }
};
}  // namespace
std::unique_ptr<schema_provider> make_json_schema_provider() {
    return std::make_unique<placeholder>();
}
}  // namespace spate::registry
