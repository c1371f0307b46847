#include <google/protobuf/dynamic_message.h>

#include <map>

#include "registry/protobuf/protobuf_schema.h"
#include "sql/format/format_detail.h"
#include "sql/format/protobuf_binding.h"
#include "sql/format/registry_codecs.h"

namespace spate::sql::format_detail {

namespace {

// Decodes with DynamicMessage: the message the record's index path names,
// in the file of its writer schema; fields to columns by name.
class protobuf_decoder final : public record_decoder {
  public:
    protobuf_decoder(std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas)
        : _declared(declared.begin(), declared.end()), _schemas(std::move(schemas)) {}

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        decode_each(records, out, failures, _declared.size(), _order,
                    [this](const record_view& r, chunk& c) { return decode_one(r, c); });
    }

  private:
    struct reader {
        std::unique_ptr<pb::Message> message;
        std::vector<const pb::FieldDescriptor*> field_of;  // per declared column; null: absent
    };
    using reader_key = std::pair<int32_t, std::vector<int32_t>>;

    sql_result<reader*> reader_for(int32_t id, const std::vector<int32_t>& indexes) {
        reader_key key{id, indexes};
        auto it = _readers.find(key);
        if (it != _readers.end()) return it->second.get();
        auto f = _files.find(id);
        if (f == _files.end()) {
            auto s = writer_schema(*_schemas, id, registry::schema_type::protobuf);
            if (!s.ok()) return s.error();
            auto file = protobuf_file_of(*s.value());
            if (!file.ok()) return file.error();
            f = _files.emplace(id, std::move(file.value())).first;
        }
        auto d = registry::protobuf_message_at(*f->second, indexes);
        if (!d.ok())
            return make_error(sql_errc::invalid_text_representation,
                              "schema " + std::to_string(id) + ": " + d.err().message);
        auto r = std::make_unique<reader>();
        r->message.reset(_factory.GetPrototype(d.value())->New());
        for (const column_def& c : _declared) {
            const pb::FieldDescriptor* field = d.value()->FindFieldByName(c.name);
            for (int k = 0; !field && k < d.value()->field_count(); ++k)
                if (field_matches_column(d.value()->field(k)->name(), c.name))
                    field = d.value()->field(k);
            r->field_of.push_back(field);
        }
        return _readers.emplace(std::move(key), std::move(r)).first->second.get();
    }

    sql_status decode_one(const record_view& r, chunk& out) {
        auto f = parse_framing(r.value);
        if (!f.ok()) return f.error();
        int32_t id = f.value().schema_id;
        auto idx = registry::decode_message_indexes(f.value().payload);
        if (!idx.ok())
            return make_error(sql_errc::invalid_text_representation,
                              "invalid Protobuf message indexes: " + idx.err().message);
        auto rd = reader_for(id, idx.value().indexes);
        if (!rd.ok()) return rd.error();
        pb::Message& m = *rd.value()->message;
        std::string_view body = f.value().payload.substr(idx.value().size);
        m.Clear();
        if (!m.ParseFromArray(body.data(), static_cast<int>(body.size())))
            return make_error(sql_errc::invalid_text_representation,
                              "invalid Protobuf message " + m.GetDescriptor()->full_name() +
                                  " for schema " + std::to_string(id));
        for (size_t c = 0; c < _declared.size(); ++c) {
            if (auto st = read_column(m, rd.value()->field_of[c], out.at(c)); !st.ok())
                return make_error(st.error().code,
                                  "column \"" + _declared[c].name + "\": " + st.error().message);
        }
        return {};
    }

    sql_status read_column(const pb::Message& m, const pb::FieldDescriptor* f, column& col) {
        if (!f || (!f->is_repeated() && f->has_presence() && !m.GetReflection()->HasField(m, f))) {
            col.push_null();
            return {};
        }
        if (f->is_repeated() || (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
                                 !protobuf_scalar_message(*f->message_type()))) {
            _json.clear();
            append_protobuf_field_json(m, *f, _json);
            scalar s;
            s.k = scalar::kind::json;
            s.s = _json;
            return store_scalar(s, col, _scratch);
        }
        return store_scalar(protobuf_scalar(m, *f, _string), col, _scratch);
    }

    std::vector<column_def> _declared;
    std::shared_ptr<schema_lookup> _schemas;
    // Destroyed in reverse: messages, then the factory, then the files
    // whose descriptors both point into.
    std::map<int32_t, std::shared_ptr<const pb::FileDescriptor>> _files;
    pb::DynamicMessageFactory _factory;
    std::map<reader_key, std::unique_ptr<reader>> _readers;
    std::vector<uint32_t> _order;
    std::string _json;
    std::string _scratch;
    std::string _string;
};

}  // namespace

sql_result<std::unique_ptr<record_decoder>> make_protobuf_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas) {
    return std::unique_ptr<record_decoder>(
        std::make_unique<protobuf_decoder>(declared, std::move(schemas)));
}

sql_result<std::vector<column_def>> protobuf_columns(const registered_schema& s,
                                                     std::string_view message) {
    auto file = protobuf_file_of(s);
    if (!file.ok()) return file.error();
    auto d = protobuf_record_message(*file.value(), message);
    if (!d.ok()) return d.error();
    std::vector<column_def> cols;
    for (int k = 0; k < d.value()->field_count(); ++k) {
        const pb::FieldDescriptor& f = *d.value()->field(k);
        cols.push_back({f.name(), protobuf_sql_type(f)});
    }
    return cols;
}

}  // namespace spate::sql::format_detail
