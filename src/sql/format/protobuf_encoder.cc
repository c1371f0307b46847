#include <google/protobuf/dynamic_message.h>

#include <set>

#include "base/log.h"
#include "registry/protobuf/protobuf_schema.h"
#include "sql/format/avro_model.h"
#include "sql/format/protobuf_binding.h"
#include "sql/format/registry_codecs.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

constexpr std::string_view k_timestamp = "google.protobuf.Timestamp";

// Whether a non-null value of column type `t` can be written to `f`.
bool writable(const pb::FieldDescriptor& f, type_id t) {
    if (f.is_repeated()) return false;
    switch (f.cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_BOOL:
            return t == type_id::boolean;
        case pb::FieldDescriptor::CPPTYPE_INT32:
            return t == type_id::int16 || t == type_id::int32;
        case pb::FieldDescriptor::CPPTYPE_INT64:
            return is_integer(t);
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
            return t == type_id::float32;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            return t == type_id::float32 || t == type_id::float64;
        case pb::FieldDescriptor::CPPTYPE_STRING:
            return f.type() == pb::FieldDescriptor::TYPE_BYTES ? t == type_id::bytea : true;
        case pb::FieldDescriptor::CPPTYPE_ENUM:
            return t == type_id::text;
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            if (f.message_type()->full_name() == k_timestamp)
                return t == type_id::timestamp || t == type_id::timestamptz;
            return protobuf_scalar_message(*f.message_type()) &&
                   writable(*f.message_type()->field(0), t);
        default:
            return false;  // unsigned fields: sinks do not derive them
    }
}

int64_t integer_at(const column& c, size_t row) {
    switch (c.type().id) {
        case type_id::int16:
            return c.values<int16_t>()[row];
        case type_id::int32:
            return c.values<int32_t>()[row];
        default:
            return c.values<int64_t>()[row];
    }
}

class protobuf_encoder final : public row_encoder {
  public:
    protobuf_encoder(std::shared_ptr<const pb::FileDescriptor> file, const pb::Descriptor* d,
                     std::vector<const pb::FieldDescriptor*> fields, int32_t id)
        : _file(std::move(file)), _fields(std::move(fields)), _id(id) {
        _message.reset(_factory.GetPrototype(d)->New());
    }

    void encode(const chunk& input, size_t row, std::string& out) override {
        _message->Clear();
        for (size_t c = 0; c < _fields.size(); ++c) {
            if (input.at(c).is_null(row)) continue;
            set(*_message, *_fields[c], input.at(c), row);
        }
        out.clear();
        append_framing(_id, out);
        out.push_back('\0');  // message indexes [0]: the first message
        SPATE_ASSERT(_message->AppendToString(&out));
    }

  private:
    void set(pb::Message& m, const pb::FieldDescriptor& f, const column& c, size_t row) {
        const pb::Reflection& r = *m.GetReflection();
        switch (f.cpp_type()) {
            case pb::FieldDescriptor::CPPTYPE_BOOL:
                r.SetBool(&m, &f, c.values<uint8_t>()[row] != 0);
                return;
            case pb::FieldDescriptor::CPPTYPE_INT32:
                r.SetInt32(&m, &f, static_cast<int32_t>(integer_at(c, row)));
                return;
            case pb::FieldDescriptor::CPPTYPE_INT64:
                r.SetInt64(&m, &f, integer_at(c, row));
                return;
            case pb::FieldDescriptor::CPPTYPE_FLOAT:
                r.SetFloat(&m, &f, c.values<float>()[row]);
                return;
            case pb::FieldDescriptor::CPPTYPE_DOUBLE:
                r.SetDouble(&m, &f,
                            c.type().id == type_id::float32 ? c.values<float>()[row]
                                                            : c.values<double>()[row]);
                return;
            case pb::FieldDescriptor::CPPTYPE_STRING:
                _text.clear();
                if (is_string_like(c.type().id) || f.type() == pb::FieldDescriptor::TYPE_BYTES) {
                    _text.append(c.strings().at(row));
                } else {
                    format_text(c, row, _text);
                }
                r.SetString(&m, &f, _text);
                return;
            case pb::FieldDescriptor::CPPTYPE_ENUM: {
                std::string_view name = c.strings().at(row);
                const pb::EnumValueDescriptor* v =
                    f.enum_type()->FindValueByName(std::string(name));
                if (v) {
                    r.SetEnum(&m, &f, v);
                } else {
                    logging::get("sql").error(
                        "Protobuf sink schema {}: \"{}\" is not a value of "
                        "enum {}; field {} left unset",
                        _id, name, f.enum_type()->full_name(), f.name());
                }
                return;
            }
            case pb::FieldDescriptor::CPPTYPE_MESSAGE:
                set_message(*r.MutableMessage(&m, &f, &_factory), c, row);
                return;
            default:
                SPATE_ASSERT_MSG(false, "unwritable Protobuf field");
        }
    }

    // google.protobuf.Timestamp or a wrapper.
    void set_message(pb::Message& sub, const column& c, size_t row) {
        const pb::Descriptor& d = *sub.GetDescriptor();
        if (d.full_name() != k_timestamp) {
            set(sub, *d.field(0), c, row);
            return;
        }
        int64_t micros = c.values<int64_t>()[row];
        int64_t seconds = micros / k_micros_per_second;
        int64_t rest = micros % k_micros_per_second;
        if (rest < 0) {
            rest += k_micros_per_second;
            --seconds;
        }
        const pb::Reflection& r = *sub.GetReflection();
        r.SetInt64(&sub, d.field(0), seconds);
        r.SetInt32(&sub, d.field(1), static_cast<int32_t>(rest * 1000));
    }

    // Destroyed in reverse: the message, the factory, then the file.
    std::shared_ptr<const pb::FileDescriptor> _file;
    pb::DynamicMessageFactory _factory;
    std::unique_ptr<pb::Message> _message;
    std::vector<const pb::FieldDescriptor*> _fields;  // per column
    int32_t _id;
    std::string _text;
};

const char* proto_type_of(const data_type& t) {
    switch (t.id) {
        case type_id::boolean:
            return "bool";
        case type_id::int16:
        case type_id::int32:
            return "int32";
        case type_id::int64:
            return "int64";
        case type_id::float32:
            return "float";
        case type_id::float64:
            return "double";
        case type_id::bytea:
            return "bytes";
        case type_id::timestamp:
        case type_id::timestamptz:
            return "google.protobuf.Timestamp";
        default:  // numeric, text, dates, times, intervals, jsonb: their text
            return "string";
    }
}

}  // namespace

sql_result<std::unique_ptr<row_encoder>> make_protobuf_encoder(std::span<const column_def> columns,
                                                               registered_schema_ptr writer) {
    if (writer->type != registry::schema_type::protobuf)
        return make_error(sql_errc::datatype_mismatch,
                          "schema id " + std::to_string(writer->id) + " is not a Protobuf schema");
    auto file = protobuf_file_of(*writer);
    if (!file.ok()) return file.error();
    auto d = protobuf_record_message(*file.value(), "");
    if (!d.ok()) return d.error();
    std::vector<const pb::FieldDescriptor*> fields;
    for (const column_def& c : columns) {
        const pb::FieldDescriptor* f = d.value()->FindFieldByName(c.name);
        if (!f)
            return make_error(sql_errc::datatype_mismatch,
                              "Protobuf schema " + std::to_string(writer->id) +
                                  ": no field for column \"" + c.name + "\"");
        if (!writable(*f, c.type.id))
            return make_error(sql_errc::datatype_mismatch,
                              "Protobuf schema " + std::to_string(writer->id) + ": field \"" +
                                  c.name + "\" cannot hold " + type_display(c.type));
        fields.push_back(f);
    }
    return std::unique_ptr<row_encoder>(std::make_unique<protobuf_encoder>(
        std::move(file.value()), d.value(), std::move(fields), writer->id));
}

sql_result<std::string> protobuf_sink_schema(std::string_view name,
                                             std::span<const column_def> columns) {
    std::string body;
    bool timestamps = false;
    std::set<std::string> seen;
    int number = 0;
    for (const column_def& c : columns) {
        if (!valid_avro_name(c.name))
            return make_error(
                sql_errc::invalid_parameter_value,
                "column \"" + c.name + "\" is not a valid Protobuf field name; name it with AS");
        if (!seen.insert(c.name).second)
            return make_error(sql_errc::duplicate_object,
                              "column \"" + c.name + "\" appears twice in the sink's output");
        std::string type = proto_type_of(c.type);
        bool message = type == "google.protobuf.Timestamp";
        timestamps = timestamps || message;
        // Scalars are proto3 `optional` so that NULL (unset) differs from 0.
        body += std::string("  ") + (message ? "" : "optional ") + type + " " + c.name + " = " +
                std::to_string(++number) + ";\n";
    }
    std::string message_name;
    for (char c : name) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        message_name.push_back(ok ? c : '_');
    }
    if (message_name.empty() || !valid_avro_name(message_name)) message_name.insert(0, "M");
    std::string out = "syntax = \"proto3\";\n\n";
    if (timestamps) out += "import \"google/protobuf/timestamp.proto\";\n\n";
    out += "message " + message_name + " {\n" + body + "}\n";
    return out;
}

}  // namespace spate::sql::format_detail
