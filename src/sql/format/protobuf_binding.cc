#include "sql/format/protobuf_binding.h"

#include <cmath>
#include <limits>

#include "registry/protobuf/protobuf_schema.h"
#include "sql/types/text_detail.h"

namespace spate::sql::format_detail {

namespace {

constexpr std::string_view k_timestamp = "google.protobuf.Timestamp";

bool is_wrapper(const pb::Descriptor& d) {
    return d.file()->name() == "google/protobuf/wrappers.proto" && d.field_count() == 1 &&
           d.field(0)->name() == "value";
}

scalar field_scalar(const pb::Message& m, const pb::FieldDescriptor& f, int i,
                    std::string& scratch);

scalar enum_scalar(const pb::FieldDescriptor& f, int n) {
    scalar s;
    if (const pb::EnumValueDescriptor* v = f.enum_type()->FindValueByNumber(n)) {
        s.k = scalar::kind::text;
        s.s = v->name();
    } else {
        s.k = scalar::kind::integer;  // an open enum's unknown number
        s.i = n;
    }
    return s;
}

// A wrapper's value, or a google.protobuf.Timestamp: seconds (1), nanos (2).
scalar message_scalar(const pb::Message& sub, std::string& scratch) {
    const pb::Descriptor& d = *sub.GetDescriptor();
    if (is_wrapper(d)) return field_scalar(sub, *d.field(0), -1, scratch);
    const pb::Reflection& r = *sub.GetReflection();
    scalar s;
    s.k = scalar::kind::timestamptz;
    s.i = r.GetInt64(sub, d.field(0)) * k_micros_per_second + r.GetInt32(sub, d.field(1)) / 1000;
    return s;
}

// Element `i` of repeated field `f`, or the singular value when i < 0.
scalar field_scalar(const pb::Message& m, const pb::FieldDescriptor& f, int i,
                    std::string& scratch) {
    const pb::Reflection& r = *m.GetReflection();
    bool rep = i >= 0;
    scalar s;
    switch (f.cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
            s.k = scalar::kind::integer;
            s.i = rep ? r.GetRepeatedInt32(m, &f, i) : r.GetInt32(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_INT64:
            s.k = scalar::kind::integer;
            s.i = rep ? r.GetRepeatedInt64(m, &f, i) : r.GetInt64(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_UINT32:
            s.k = scalar::kind::integer;
            s.i = rep ? r.GetRepeatedUInt32(m, &f, i) : r.GetUInt32(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_UINT64: {
            uint64_t u = rep ? r.GetRepeatedUInt64(m, &f, i) : r.GetUInt64(m, &f);
            if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                s.k = scalar::kind::integer;
                s.i = static_cast<int64_t>(u);
            } else {
                s.k = scalar::kind::unsigned64;
                s.u = u;
            }
            return s;
        }
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            s.k = scalar::kind::float64;
            s.d = rep ? r.GetRepeatedDouble(m, &f, i) : r.GetDouble(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
            s.k = scalar::kind::float32;
            s.d = rep ? r.GetRepeatedFloat(m, &f, i) : r.GetFloat(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_BOOL:
            s.k = scalar::kind::boolean;
            s.i = rep ? r.GetRepeatedBool(m, &f, i) : r.GetBool(m, &f);
            return s;
        case pb::FieldDescriptor::CPPTYPE_ENUM:
            return enum_scalar(f, rep ? r.GetRepeatedEnumValue(m, &f, i) : r.GetEnumValue(m, &f));
        case pb::FieldDescriptor::CPPTYPE_STRING: {
            const std::string& v = rep ? r.GetRepeatedStringReference(m, &f, i, &scratch)
                                       : r.GetStringReference(m, &f, &scratch);
            s.k = f.type() == pb::FieldDescriptor::TYPE_BYTES ? scalar::kind::bytes
                                                              : scalar::kind::text;
            s.s = v;
            return s;
        }
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            break;
    }
    return message_scalar(rep ? r.GetRepeatedMessage(m, &f, i) : r.GetMessage(m, &f), scratch);
}

void append_message_json(const pb::Message& m, std::string& out);

void append_element_json(const pb::Message& m, const pb::FieldDescriptor& f, int i,
                         std::string& out) {
    if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
        !protobuf_scalar_message(*f.message_type())) {
        const pb::Reflection& r = *m.GetReflection();
        append_message_json(i >= 0 ? r.GetRepeatedMessage(m, &f, i) : r.GetMessage(m, &f), out);
        return;
    }
    std::string scratch;
    append_scalar_json(field_scalar(m, f, i, scratch), out);
}

void append_message_json(const pb::Message& m, std::string& out) {
    const pb::Descriptor& d = *m.GetDescriptor();
    const pb::Reflection& r = *m.GetReflection();
    out.push_back('{');
    bool first = true;
    for (int k = 0; k < d.field_count(); ++k) {
        const pb::FieldDescriptor& f = *d.field(k);
        if (!f.is_repeated() && f.has_presence() && !r.HasField(m, &f)) continue;
        if (!first) out.push_back(',');
        first = false;
        text_detail::append_json_string(f.name(), out);
        out.push_back(':');
        append_protobuf_field_json(m, f, out);
    }
    out.push_back('}');
}

}  // namespace

sql_result<std::shared_ptr<const pb::FileDescriptor>> protobuf_file_of(const registered_schema& s) {
    auto parsed =
        registry::provider_for(registry::schema_type::protobuf).parse(s.text, s.references);
    if (!parsed.ok())
        return make_error(sql_errc::invalid_parameter_value,
                          "Protobuf schema " + std::to_string(s.id) + ": " + parsed.err().message);
    auto file = registry::protobuf_file(parsed.value());
    if (!file)
        return make_error(sql_errc::internal_error,
                          "Protobuf schema " + std::to_string(s.id) + " has no file descriptor");
    return file;
}

sql_result<const pb::Descriptor*> protobuf_record_message(const pb::FileDescriptor& file,
                                                          std::string_view name) {
    if (name.empty()) {
        if (file.message_type_count() == 0)
            return make_error(sql_errc::feature_not_supported,
                              "the Protobuf schema declares no message");
        return file.message_type(0);
    }
    const pb::Descriptor* d = file.pool()->FindMessageTypeByName(std::string(name));
    if (!d || d->file() != &file)
        return make_error(sql_errc::undefined_object,
                          "the Protobuf schema has no message " + std::string(name));
    return d;
}

bool protobuf_scalar_message(const pb::Descriptor& d) {
    return d.full_name() == k_timestamp || is_wrapper(d);
}

data_type protobuf_sql_type(const pb::FieldDescriptor& f) {
    if (f.is_repeated()) return data_type::of(type_id::jsonb);
    switch (f.cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
            return data_type::of(type_id::int32);
        case pb::FieldDescriptor::CPPTYPE_INT64:
        case pb::FieldDescriptor::CPPTYPE_UINT32:
            return data_type::of(type_id::int64);
        case pb::FieldDescriptor::CPPTYPE_UINT64:
            return data_type::numeric(20, 0);
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            return data_type::of(type_id::float64);
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
            return data_type::of(type_id::float32);
        case pb::FieldDescriptor::CPPTYPE_BOOL:
            return data_type::of(type_id::boolean);
        case pb::FieldDescriptor::CPPTYPE_ENUM:
            return data_type::of(type_id::text);
        case pb::FieldDescriptor::CPPTYPE_STRING:
            return data_type::of(f.type() == pb::FieldDescriptor::TYPE_BYTES ? type_id::bytea
                                                                             : type_id::text);
        case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
            const pb::Descriptor& d = *f.message_type();
            if (d.full_name() == k_timestamp) return data_type::of(type_id::timestamptz);
            if (is_wrapper(d)) return protobuf_sql_type(*d.field(0));
            return data_type::of(type_id::jsonb);
        }
    }
    return data_type::of(type_id::jsonb);
}

scalar protobuf_scalar(const pb::Message& m, const pb::FieldDescriptor& f, std::string& scratch) {
    if (f.has_presence() && !m.GetReflection()->HasField(m, &f)) return scalar{};
    return field_scalar(m, f, -1, scratch);
}

void append_protobuf_field_json(const pb::Message& m, const pb::FieldDescriptor& f,
                                std::string& out) {
    const pb::Reflection& r = *m.GetReflection();
    if (!f.is_repeated()) {
        if (f.has_presence() && !r.HasField(m, &f)) {
            out += "null";
            return;
        }
        append_element_json(m, f, -1, out);
        return;
    }
    int n = r.FieldSize(m, &f);
    if (f.is_map()) {
        // Entries are messages of key (1) and value (2).
        out.push_back('{');
        std::string key;
        for (int i = 0; i < n; ++i) {
            const pb::Message& e = r.GetRepeatedMessage(m, &f, i);
            const pb::Descriptor& ed = *e.GetDescriptor();
            key.clear();
            std::string scratch;
            append_scalar_text(field_scalar(e, *ed.field(0), -1, scratch), key);
            if (i > 0) out.push_back(',');
            text_detail::append_json_string(key, out);
            out.push_back(':');
            append_element_json(e, *ed.field(1), -1, out);
        }
        out.push_back('}');
        return;
    }
    out.push_back('[');
    for (int i = 0; i < n; ++i) {
        if (i > 0) out.push_back(',');
        append_element_json(m, f, i, out);
    }
    out.push_back(']');
}

}  // namespace spate::sql::format_detail
