// The Avro schema provider: the part's own parser (avro_parse.cc) decides
// validity and builds the tree for canonical text and compatibility; avro-c
// then cross-checks the structure, self-contained (references inlined), so
// it sees referenced types too.

#include <avro.h>

#include <mutex>

#include "registry/avro/avro_schema.h"
#include "registry/core/provider.h"

namespace spate::registry {
namespace {

// Whether avro-c accepts the schema's structure. Serialized: avro-c keeps
// its last error message in one process-wide buffer.
status check_with_avro_c(const avro::tree& t) {
    static std::mutex avro_c_mutex;
    const std::string text = avro::write_resolved(t.root);
    std::lock_guard lock(avro_c_mutex);
    avro_schema_t schema = nullptr;
    if (avro_schema_from_json_length(text.data(), text.size(), &schema) != 0) {
        return make_error(errc::invalid_argument,
                          std::string("Invalid schema: ") + avro_strerror());
    }
    avro_schema_decref(schema);
    return {};
}

std::string top_level_name(const avro::node* root) {
    const avro::node* n = avro::resolve(root);
    const bool named =
        n->k == avro::kind::record || n->k == avro::kind::enumeration || n->k == avro::kind::fixed;
    return named ? n->full_name : std::string();
}

class avro_schema final : public parsed_schema {
  public:
    explicit avro_schema(std::shared_ptr<const avro::tree> t)
        : _tree(std::move(t))
        , _canonical(avro::write_canonical(_tree->root))
        , _normalized(avro::write_normalized(_tree->root))
        , _record_name(top_level_name(_tree->root)) {}

    schema_type type() const override { return schema_type::avro; }
    std::string canonical() const override { return _canonical; }
    std::string normalized() const override { return _normalized; }
    std::string record_name() const override { return _record_name; }
    const avro::node* root() const { return _tree->root; }

  private:
    std::shared_ptr<const avro::tree> _tree;
    std::string _canonical;
    std::string _normalized;
    std::string _record_name;
};

class avro_provider final : public schema_provider {
  public:
    schema_type type() const override { return schema_type::avro; }

    result<parsed_schema_ptr> parse(std::string_view text,
                                    const std::vector<resolved_reference>& refs) const override {
        auto t = avro::parse_tree(text, refs);
        SPATE_TRY(t);
        SPATE_TRY(check_with_avro_c(*t.value()));
        return parsed_schema_ptr(std::make_shared<const avro_schema>(std::move(t).value()));
    }

    std::vector<std::string> incompatibilities(const parsed_schema& reader,
                                               const parsed_schema& writer) const override {
        const auto* r = dynamic_cast<const avro_schema*>(&reader);
        const auto* w = dynamic_cast<const avro_schema*>(&writer);
        if (!r || !w) return {"Incompatible because of different schema type"};
        return avro::reader_writer_incompatibilities(r->root(), w->root());
    }
};

}  // namespace

std::unique_ptr<schema_provider> make_avro_provider() {
    return std::make_unique<avro_provider>();
}

}  // namespace spate::registry
