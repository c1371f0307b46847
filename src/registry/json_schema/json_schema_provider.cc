// The JSON Schema provider: Confluent-compatible parsing, identity and
// compatibility for schemaType "JSON".
//
//   - parse: the text (and each reference) must be a JSON object or boolean;
//     "$schema" picks draft-04, -06, -07, 2019-09 or 2020-12 (default
//     draft-07, as Confluent); keyword shapes are checked for that draft
//     (load.cc) and every $ref reachable from the root must resolve, locally
//     or into a reference whose name is the URL the $ref uses.
//   - canonical: compact JSON, object keys sorted.
//   - normalized: canonical, with "required" and "type" arrays sorted and
//     deduplicated and a one-element "type" array written as its name.
//   - record_name: the root's "title".
//   - incompatibilities: Confluent's JSON Schema diff under its default
//     (STRICT) policy (compat.cc), writer as the original, reader as the
//     update; one message per incompatible difference.

#include "registry/json_schema/model.h"

namespace spate::registry {
namespace {

class json_parsed_schema final : public parsed_schema {
  public:
    explicit json_parsed_schema(std::shared_ptr<const json_schema::model> m)
        : _model(std::move(m)) {
        const auto& root = *_model->documents.front();
        _canonical = json_schema::canonical_text(root.value);
        _normalized = json_schema::normalized_text(root.value, root.dialect, _canonical);
        if (root.value.is_object()) {
            auto it = root.value.find("title");
            if (it != root.value.end() && it->is_string()) _record_name = it->get<std::string>();
        }
    }

    schema_type type() const override { return schema_type::json; }
    std::string canonical() const override { return _canonical; }
    std::string normalized() const override { return _normalized; }
    std::string record_name() const override { return _record_name; }

    const json_schema::node* root() const { return _model->root; }

  private:
    std::shared_ptr<const json_schema::model> _model;
    std::string _canonical, _normalized, _record_name;
};

class json_schema_provider final : public schema_provider {
  public:
    schema_type type() const override { return schema_type::json; }

    result<parsed_schema_ptr> parse(std::string_view text,
                                    const std::vector<resolved_reference>& refs) const override {
        auto m = json_schema::load(text, refs);
        if (!m.ok()) return m.err();
        return parsed_schema_ptr(std::make_shared<json_parsed_schema>(std::move(m).value()));
    }

    std::vector<std::string> incompatibilities(const parsed_schema& reader,
                                               const parsed_schema& writer) const override {
        const auto* r = dynamic_cast<const json_parsed_schema*>(&reader);
        const auto* w = dynamic_cast<const json_parsed_schema*>(&writer);
        SPATE_ASSERT_MSG(r != nullptr && w != nullptr, "JSON schema provider given another type");
        std::vector<std::string> out;
        for (const auto& d : json_schema::compare(w->root(), r->root()))
            if (!json_schema::is_compatible_change(d.type))
                out.push_back(json_schema::format_difference(d));
        return out;
    }
};

}  // namespace

std::unique_ptr<schema_provider> make_json_schema_provider() {
    return std::make_unique<json_schema_provider>();
}

}  // namespace spate::registry
