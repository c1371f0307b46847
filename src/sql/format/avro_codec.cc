#include <unordered_map>

#include "base/log.h"
#include "sql/format/avro_binding.h"
#include "sql/format/format_detail.h"
#include "sql/format/registry_codecs.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

bool nested(const avro_node& n) {
    return n.kind == avro_kind::record || n.kind == avro_kind::array || n.kind == avro_kind::map ||
           n.kind == avro_kind::union_of;
}

class avro_decoder final : public record_decoder {
  public:
    avro_decoder(std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas)
        : _declared(declared.begin(), declared.end()), _schemas(std::move(schemas)) {
        _reader = avro_reader_memory(nullptr, 0);
    }
    ~avro_decoder() override { avro_reader_free(_reader); }

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        decode_each(records, out, failures, _declared.size(), _order,
                    [this](const record_view& r, chunk& c) { return decode_one(r, c); });
    }

  private:
    struct writer {
        std::unique_ptr<avro_binding> binding;
        std::vector<int> field_of;  // per declared column: the field index, -1: absent
    };

    sql_result<writer*> writer_for(int32_t id) {
        auto it = _writers.find(id);
        if (it != _writers.end()) return it->second.get();
        auto s = writer_schema(*_schemas, id, registry::schema_type::avro);
        if (!s.ok()) return s.error();
        auto b = avro_binding::create(*s.value());
        if (!b.ok()) return b.error();
        auto w = std::make_unique<writer>();
        const avro_node& root = b.value()->root();
        for (const column_def& c : _declared) {
            int found = -1;
            if (root.kind == avro_kind::record) {
                for (size_t f = 0; f < root.field_names.size() && found < 0; ++f)
                    if (root.field_names[f] == c.name) found = static_cast<int>(f);
                for (size_t f = 0; f < root.field_names.size() && found < 0; ++f)
                    if (field_matches_column(root.field_names[f], c.name))
                        found = static_cast<int>(f);
            }
            w->field_of.push_back(found);
        }
        if (root.kind != avro_kind::record && _declared.size() != 1)
            return make_error(sql_errc::datatype_mismatch,
                              "Avro schema " + std::to_string(id) +
                                  " is not a record; a source over it has one column");
        w->binding = std::move(b.value());
        return _writers.emplace(id, std::move(w)).first->second.get();
    }

    sql_status decode_one(const record_view& r, chunk& out) {
        auto f = parse_framing(r.value);
        if (!f.ok()) return f.error();
        auto w = writer_for(f.value().schema_id);
        if (!w.ok()) return w.error();
        avro_binding& b = *w.value()->binding;
        if (auto st = avro_check_bounds(f.value().payload, b.root()); !st.ok())
            return make_error(st.error().code, "schema " + std::to_string(f.value().schema_id) +
                                                   ": " + st.error().message);
        avro_reader_memory_set_source(_reader, f.value().payload.data(),
                                      static_cast<int64_t>(f.value().payload.size()));
        avro_value_t& v = b.value();
        if (avro_value_read(_reader, &v) != 0)
            return make_error(sql_errc::invalid_text_representation,
                              "invalid Avro record for schema " +
                                  std::to_string(f.value().schema_id) + ": " + avro_error_text());
        const avro_node& root = b.root();
        if (root.kind != avro_kind::record) return read_column(v, root, out.at(0), 0);
        for (size_t c = 0; c < _declared.size(); ++c) {
            int idx = w.value()->field_of[c];
            if (idx < 0) {
                out.at(c).push_null();
                continue;
            }
            avro_value_t field;
            if (avro_value_get_by_index(&v, static_cast<size_t>(idx), &field, nullptr) != 0)
                return make_error(sql_errc::internal_error, avro_error_text());
            if (auto st =
                    read_column(field, *root.children[static_cast<size_t>(idx)], out.at(c), c);
                !st.ok())
                return st;
        }
        return {};
    }

    // Nullable unions read as their branch; other unions, records, arrays
    // and maps as JSON.
    sql_status read_column(avro_value_t& v, const avro_node& n, column& col, size_t c) {
        const avro_node* node = &n;
        avro_value_t cur = v;
        if (n.kind == avro_kind::union_of && nullable_branch(n)) {
            int d = 0;
            if (avro_value_get_discriminant(&v, &d) != 0 ||
                avro_value_get_current_branch(&v, &cur) != 0 || d < 0 ||
                static_cast<size_t>(d) >= n.children.size())
                return make_error(sql_errc::invalid_text_representation, avro_error_text());
            node = n.children[static_cast<size_t>(d)];
        }
        sql_status st;
        if (node->kind == avro_kind::null) {
            col.push_null();
        } else if (nested(*node)) {
            _json.clear();
            st = append_avro_json(cur, *node, _json);
            if (st.ok()) {
                scalar s;
                s.k = scalar::kind::json;
                s.s = _json;
                st = store_scalar(s, col, _scratch);
            }
        } else {
            auto s = avro_scalar(cur, *node);
            st = s.ok() ? store_scalar(s.value(), col, _scratch) : sql_status(s.error());
        }
        if (st.ok()) return st;
        return make_error(st.error().code,
                          "column \"" + _declared[c].name + "\": " + st.error().message);
    }

    std::vector<column_def> _declared;
    std::shared_ptr<schema_lookup> _schemas;
    std::unordered_map<int32_t, std::unique_ptr<writer>> _writers;
    avro_reader_t _reader = nullptr;
    std::vector<uint32_t> _order;
    std::string _json;
    std::string _scratch;
};

}  // namespace

sql_result<std::unique_ptr<record_decoder>> make_avro_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas) {
    return std::unique_ptr<record_decoder>(
        std::make_unique<avro_decoder>(declared, std::move(schemas)));
}

}  // namespace spate::sql::format_detail
