// canonical() and normalized(): .proto text rendered from the linked
// descriptors, so the same schema gives the same text whether it came as
// .proto text or as a base64 FileDescriptorProto, whatever its whitespace and
// comments. Our own renderer rather than FileDescriptor::DebugString(): the
// stored text must not change when the protobuf library does.
//
// Layout (2-space indent, one declaration a line):
//   syntax = "proto3";
//   package a.b;
//   <blank> import "x.proto"; / import public ...; / import weak ...;
//   <blank> option java_package = "...";
//   <blank> messages, then enums, then extend blocks, then services
// A message: reserved, options, fields in declaration order (a oneof where
// its first member is, proto3 synthetic oneofs shown as `optional`), extension
// ranges, extend blocks, nested messages (map entries shown as map<K, V>
// fields, group bodies inline), nested enums. Type names are fully qualified
// with a leading dot. Options print in field-number order (custom options as
// `(.full.name)`), message-valued ones as a one-line text-format aggregate.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "registry/protobuf/protobuf_internal.h"

namespace spate::registry::pb {
namespace {

namespace gp = google::protobuf;

constexpr int k_max_field_number = gp::FieldDescriptor::kMaxNumber;

std::string quote(const std::string& s) {
    return "\"" + gp::CEscape(s) + "\"";
}

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n'))
        s.pop_back();
    return s;
}

// "name = value" for each option set in `options`, custom options included.
// The options message of a descriptor built in our pool holds custom
// options as unknown fields (the pool interprets them that way, and a
// descriptor that came serialized carries them so); reparsing it against
// the pool turns them into extensions that reflection can list.
std::vector<std::string> option_entries(const gp::Message& options,
                                        const gp::DescriptorPool& pool) {
    const gp::Message* source = &options;
    // The factory owns the reparsed message's type: it outlives the message.
    std::unique_ptr<gp::DynamicMessageFactory> factory;
    std::unique_ptr<gp::Message> reparsed;
    const gp::Reflection* reflection = options.GetReflection();
    if (!reflection->GetUnknownFields(options).empty()) {
        const gp::Descriptor* type =
            pool.FindMessageTypeByName(options.GetDescriptor()->full_name());
        if (type != nullptr) {
            factory = std::make_unique<gp::DynamicMessageFactory>();
            reparsed.reset(factory->GetPrototype(type)->New());
            std::string bytes = options.SerializeAsString();
            gp::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           static_cast<int>(bytes.size()));
            input.SetExtensionRegistry(&pool, factory.get());
            if (reparsed->ParseFromCodedStream(&input)) source = reparsed.get();
        }
    }
    std::vector<std::string> out;
    const gp::Reflection* r = source->GetReflection();
    std::vector<const gp::FieldDescriptor*> fields;
    r->ListFields(*source, &fields);
    for (const gp::FieldDescriptor* field : fields) {
        // map_entry marks protoc's synthesized entries, which print as map<>.
        if (field->containing_type()->full_name() == "google.protobuf.MessageOptions" &&
            field->name() == "map_entry") {
            continue;
        }
        std::string name = field->is_extension() ? "(." + field->full_name() + ")" : field->name();
        int count = field->is_repeated() ? r->FieldSize(*source, field) : 1;
        for (int i = 0; i < count; ++i) {
            int index = field->is_repeated() ? i : -1;
            std::string value;
            if (field->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE) {
                const gp::Message& m = field->is_repeated()
                                           ? r->GetRepeatedMessage(*source, field, i)
                                           : r->GetMessage(*source, field);
                gp::TextFormat::Printer printer;
                printer.SetSingleLineMode(true);
                std::string body;
                printer.PrintToString(m, &body);
                body = trim_right(std::move(body));
                value = body.empty() ? "{}" : "{ " + body + " }";
            } else {
                gp::TextFormat::PrintFieldValueToString(*source, field, index, &value);
            }
            out.push_back(name + " = " + value);
        }
    }
    return out;
}

bool is_map_entry(const gp::Descriptor* d) {
    return d->options().map_entry();
}

std::string type_name(const gp::FieldDescriptor* f) {
    switch (f->type()) {
        case gp::FieldDescriptor::TYPE_MESSAGE:
        case gp::FieldDescriptor::TYPE_GROUP:
            return "." + f->message_type()->full_name();
        case gp::FieldDescriptor::TYPE_ENUM:
            return "." + f->enum_type()->full_name();
        default:
            return gp::FieldDescriptor::TypeName(f->type());
    }
}

class renderer {
  public:
    renderer(const gp::FileDescriptor& file, bool normalize)
        : _file(file), _pool(*file.pool()), _normalize(normalize) {}

    std::string render() {
        const char* syntax =
            _file.syntax() == gp::FileDescriptor::SYNTAX_PROTO3 ? "proto3" : "proto2";
        _out += "syntax = \"" + std::string(syntax) + "\";\n";
        if (!_file.package().empty()) _out += "package " + _file.package() + ";\n";
        imports();
        auto opts = options(_file.options());
        if (!opts.empty()) {
            _out += "\n";
            for (const auto& o : opts)
                line(0, "option " + o + ";");
        }
        bool any_type = _file.message_type_count() > 0 || _file.enum_type_count() > 0 ||
                        _file.extension_count() > 0 || _file.service_count() > 0;
        if (any_type) _out += "\n";
        for (int i = 0; i < _file.message_type_count(); ++i) {
            const gp::Descriptor* m = _file.message_type(i);
            if (is_group_body(m)) continue;
            message(0, m);
        }
        for (int i = 0; i < _file.enum_type_count(); ++i)
            enum_type(0, _file.enum_type(i));
        extensions(
            0, [&](int i) { return _file.extension(i); }, _file.extension_count());
        for (int i = 0; i < _file.service_count(); ++i)
            service(_file.service(i));
        return std::move(_out);
    }

  private:
    void line(int depth, const std::string& text) {
        _out.append(static_cast<size_t>(depth) * 2, ' ');
        _out += text;
        _out += '\n';
    }

    std::vector<std::string> options(const gp::Message& opts) {
        auto entries = option_entries(opts, _pool);
        if (_normalize) std::stable_sort(entries.begin(), entries.end());
        return entries;
    }

    static std::string bracketed(const std::vector<std::string>& entries) {
        if (entries.empty()) return "";
        std::string out = " [";
        for (size_t i = 0; i < entries.size(); ++i) {
            if (i > 0) out += ", ";
            out += entries[i];
        }
        return out + "]";
    }

    void imports() {
        std::vector<std::string> plain, pub, weak;
        std::vector<bool> is_public(static_cast<size_t>(_file.dependency_count()), false);
        std::vector<bool> is_weak(static_cast<size_t>(_file.dependency_count()), false);
        for (int i = 0; i < _file.public_dependency_count(); ++i) {
            const gp::FileDescriptor* d = _file.public_dependency(i);
            for (int j = 0; j < _file.dependency_count(); ++j)
                if (_file.dependency(j) == d) is_public[static_cast<size_t>(j)] = true;
        }
        for (int i = 0; i < _file.weak_dependency_count(); ++i) {
            const gp::FileDescriptor* d = _file.weak_dependency(i);
            for (int j = 0; j < _file.dependency_count(); ++j)
                if (_file.dependency(j) == d) is_weak[static_cast<size_t>(j)] = true;
        }
        std::vector<std::string> all;
        for (int j = 0; j < _file.dependency_count(); ++j) {
            std::string name = quote(_file.dependency(j)->name());
            auto k = static_cast<size_t>(j);
            std::string stmt = is_public[k] ? "import public " + name + ";"
                               : is_weak[k] ? "import weak " + name + ";"
                                            : "import " + name + ";";
            (is_public[k] ? pub : is_weak[k] ? weak : plain).push_back(stmt);
            all.push_back(stmt);
        }
        if (all.empty()) return;
        _out += "\n";
        if (_normalize) {
            for (auto* v : {&plain, &pub, &weak}) {
                std::sort(v->begin(), v->end());
                v->erase(std::unique(v->begin(), v->end()), v->end());
                for (const auto& s : *v)
                    line(0, s);
            }
        } else {
            for (const auto& s : all)
                line(0, s);
        }
    }

    // "reserved 1, 5 to 9;" for [start, end) ranges (`end_inclusive` for
    // enums), with `max` for the top of the number space.
    template <typename Range>
    void reserved(int depth, std::vector<Range> ranges, std::vector<std::string> names,
                  bool end_inclusive, int max) {
        if (_normalize) {
            std::sort(ranges.begin(), ranges.end(),
                      [](const Range& a, const Range& b) { return a.first < b.first; });
            std::sort(names.begin(), names.end());
        }
        if (!ranges.empty()) {
            std::string s = "reserved ";
            for (size_t i = 0; i < ranges.size(); ++i) {
                if (i > 0) s += ", ";
                int first = ranges[i].first;
                int last = end_inclusive ? ranges[i].second : ranges[i].second - 1;
                s += std::to_string(first);
                if (last != first)
                    s += " to " + (last >= max ? std::string("max") : std::to_string(last));
            }
            line(depth, s + ";");
        }
        if (!names.empty()) {
            std::string s = "reserved ";
            for (size_t i = 0; i < names.size(); ++i) {
                if (i > 0) s += ", ";
                s += quote(names[i]);
            }
            line(depth, s + ";");
        }
    }

    std::string field_options(const gp::FieldDescriptor* f) {
        std::vector<std::string> entries;
        if (f->has_default_value()) {
            gp::FieldDescriptorProto p;
            f->CopyTo(&p);
            std::string value = p.default_value();
            if (f->type() == gp::FieldDescriptor::TYPE_STRING) {
                value = quote(value);
            } else if (f->type() == gp::FieldDescriptor::TYPE_BYTES) {
                value = "\"" + value + "\"";  // CopyTo already C-escapes bytes
            }
            entries.push_back("default = " + value);
        }
        if (f->has_json_name() && f->json_name() != default_json_name(f->name())) {
            entries.push_back("json_name = " + quote(f->json_name()));
        }
        for (auto& o : option_entries(f->options(), _pool))
            entries.push_back(std::move(o));
        if (_normalize) std::stable_sort(entries.begin(), entries.end());
        return bracketed(entries);
    }

    void field(int depth, const gp::FieldDescriptor* f) {
        std::string label;
        if (f->is_map()) {
            // no label
        } else if (f->is_repeated()) {
            label = "repeated ";
        } else if (f->is_required()) {
            label = "required ";
        } else if (f->real_containing_oneof() == nullptr &&
                   (_file.syntax() != gp::FileDescriptor::SYNTAX_PROTO3 ||
                    f->has_optional_keyword())) {
            label = "optional ";
        }
        if (f->type() == gp::FieldDescriptor::TYPE_GROUP) {
            const gp::Descriptor* body = f->message_type();
            line(depth, label + "group " + body->name() + " = " + std::to_string(f->number()) +
                            field_options(f) + " {");
            message_body(depth + 1, body);
            line(depth, "}");
            return;
        }
        std::string type;
        if (f->is_map()) {
            const gp::Descriptor* entry = f->message_type();
            type =
                "map<" + type_name(entry->map_key()) + ", " + type_name(entry->map_value()) + ">";
        } else {
            type = type_name(f);
        }
        line(depth, label + type + " " + f->name() + " = " + std::to_string(f->number()) +
                        field_options(f) + ";");
    }

    void oneof(int depth, const gp::OneofDescriptor* o) {
        line(depth, "oneof " + o->name() + " {");
        for (const auto& opt : options(o->options()))
            line(depth + 1, "option " + opt + ";");
        std::vector<const gp::FieldDescriptor*> members;
        for (int i = 0; i < o->field_count(); ++i)
            members.push_back(o->field(i));
        if (_normalize) sort_by_number(members);
        for (const auto* f : members)
            field(depth + 1, f);
        line(depth, "}");
    }

    static void sort_by_number(std::vector<const gp::FieldDescriptor*>& v) {
        std::stable_sort(v.begin(), v.end(),
                         [](const auto* a, const auto* b) { return a->number() < b->number(); });
    }

    template <typename Get>
    void extensions(int depth, Get get, int count) {
        // Consecutive extensions of one message share an extend block; in
        // normalized text, one block per extended message, by number.
        std::vector<const gp::FieldDescriptor*> exts;
        for (int i = 0; i < count; ++i)
            exts.push_back(get(i));
        if (exts.empty()) return;
        if (_normalize) {
            std::stable_sort(exts.begin(), exts.end(), [](const auto* a, const auto* b) {
                if (a->containing_type()->full_name() != b->containing_type()->full_name())
                    return a->containing_type()->full_name() < b->containing_type()->full_name();
                return a->number() < b->number();
            });
        }
        const gp::Descriptor* open = nullptr;
        for (const auto* f : exts) {
            if (f->containing_type() != open) {
                if (open != nullptr) line(depth, "}");
                open = f->containing_type();
                line(depth, "extend ." + open->full_name() + " {");
            }
            field(depth + 1, f);
        }
        line(depth, "}");
    }

    void message(int depth, const gp::Descriptor* m) {
        line(depth, "message " + m->name() + " {");
        message_body(depth + 1, m);
        line(depth, "}");
    }

    void message_body(int depth, const gp::Descriptor* m) {
        {
            std::vector<std::pair<int, int>> ranges;
            for (int i = 0; i < m->reserved_range_count(); ++i)
                ranges.emplace_back(m->reserved_range(i)->start, m->reserved_range(i)->end);
            std::vector<std::string> names;
            for (int i = 0; i < m->reserved_name_count(); ++i)
                names.push_back(m->reserved_name(i));
            reserved(depth, std::move(ranges), std::move(names), false, k_max_field_number);
        }
        for (const auto& o : options(m->options()))
            line(depth, "option " + o + ";");
        if (_normalize) {
            std::vector<const gp::FieldDescriptor*> plain;
            for (int i = 0; i < m->field_count(); ++i)
                if (m->field(i)->real_containing_oneof() == nullptr) plain.push_back(m->field(i));
            sort_by_number(plain);
            for (const auto* f : plain)
                field(depth, f);
            std::vector<const gp::OneofDescriptor*> oneofs;
            for (int i = 0; i < m->real_oneof_decl_count(); ++i) {
                if (m->oneof_decl(i)->field_count() > 0) oneofs.push_back(m->oneof_decl(i));
            }
            std::stable_sort(oneofs.begin(), oneofs.end(), [](const auto* a, const auto* b) {
                return lowest_number(a) < lowest_number(b);
            });
            for (const auto* o : oneofs)
                oneof(depth, o);
        } else {
            const gp::OneofDescriptor* last = nullptr;
            for (int i = 0; i < m->field_count(); ++i) {
                const gp::FieldDescriptor* f = m->field(i);
                const gp::OneofDescriptor* o = f->real_containing_oneof();
                if (o == nullptr) {
                    field(depth, f);
                } else if (o != last && o->field(0) == f) {
                    oneof(depth, o);
                }
                if (o != nullptr) last = o;
            }
        }
        {
            std::vector<const gp::Descriptor::ExtensionRange*> ranges;
            for (int i = 0; i < m->extension_range_count(); ++i)
                ranges.push_back(m->extension_range(i));
            if (_normalize) {
                std::stable_sort(ranges.begin(), ranges.end(),
                                 [](const auto* a, const auto* b) { return a->start < b->start; });
            }
            for (const auto* r : ranges) {
                std::string s = "extensions " + std::to_string(r->start);
                int last = r->end - 1;
                if (last != r->start) {
                    s += " to " +
                         (last >= k_max_field_number ? std::string("max") : std::to_string(last));
                }
                if (r->options_ != nullptr) s += bracketed(options(*r->options_));
                line(depth, s + ";");
            }
        }
        extensions(
            depth, [&](int i) { return m->extension(i); }, m->extension_count());
        for (int i = 0; i < m->nested_type_count(); ++i) {
            const gp::Descriptor* n = m->nested_type(i);
            if (is_map_entry(n) || is_group_body(n)) continue;
            message(depth, n);
        }
        for (int i = 0; i < m->enum_type_count(); ++i)
            enum_type(depth, m->enum_type(i));
    }

    static int lowest_number(const gp::OneofDescriptor* o) {
        int n = o->field(0)->number();
        for (int i = 1; i < o->field_count(); ++i)
            n = std::min(n, o->field(i)->number());
        return n;
    }

    void enum_type(int depth, const gp::EnumDescriptor* e) {
        line(depth, "enum " + e->name() + " {");
        {
            std::vector<std::pair<int, int>> ranges;
            for (int i = 0; i < e->reserved_range_count(); ++i)
                ranges.emplace_back(e->reserved_range(i)->start, e->reserved_range(i)->end);
            std::vector<std::string> names;
            for (int i = 0; i < e->reserved_name_count(); ++i)
                names.push_back(e->reserved_name(i));
            reserved(depth + 1, std::move(ranges), std::move(names), true,
                     std::numeric_limits<int32_t>::max());
        }
        for (const auto& o : options(e->options()))
            line(depth + 1, "option " + o + ";");
        std::vector<const gp::EnumValueDescriptor*> values;
        for (int i = 0; i < e->value_count(); ++i)
            values.push_back(e->value(i));
        if (_normalize) {
            std::stable_sort(values.begin(), values.end(), [](const auto* a, const auto* b) {
                if (a->number() != b->number()) return a->number() < b->number();
                return a->name() < b->name();
            });
        }
        for (const auto* v : values) {
            line(depth + 1, v->name() + " = " + std::to_string(v->number()) +
                                bracketed(options(v->options())) + ";");
        }
        line(depth, "}");
    }

    void service(const gp::ServiceDescriptor* s) {
        line(0, "service " + s->name() + " {");
        for (const auto& o : options(s->options()))
            line(1, "option " + o + ";");
        for (int i = 0; i < s->method_count(); ++i) {
            const gp::MethodDescriptor* m = s->method(i);
            std::string text = "rpc " + m->name() + "(" + (m->client_streaming() ? "stream " : "") +
                               "." + m->input_type()->full_name() + ") returns (" +
                               (m->server_streaming() ? "stream " : "") + "." +
                               m->output_type()->full_name() + ")";
            auto opts = options(m->options());
            if (opts.empty()) {
                line(1, text + ";");
            } else {
                line(1, text + " {");
                for (const auto& o : opts)
                    line(2, "option " + o + ";");
                line(1, "}");
            }
        }
        line(0, "}");
    }

    const gp::FileDescriptor& _file;
    const gp::DescriptorPool& _pool;
    bool _normalize;
    std::string _out;
};

}  // namespace

std::string default_json_name(const std::string& field_name) {
    std::string out;
    bool upper_next = false;
    for (char c : field_name) {
        if (c == '_') {
            upper_next = true;
        } else if (upper_next) {
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
            upper_next = false;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool is_group_body(const google::protobuf::Descriptor* d) {
    auto is_group_of = [d](const google::protobuf::FieldDescriptor* f) {
        return f->type() == google::protobuf::FieldDescriptor::TYPE_GROUP && f->message_type() == d;
    };
    const google::protobuf::Descriptor* parent = d->containing_type();
    if (parent != nullptr) {
        for (int i = 0; i < parent->field_count(); ++i)
            if (is_group_of(parent->field(i))) return true;
        for (int i = 0; i < parent->extension_count(); ++i)
            if (is_group_of(parent->extension(i))) return true;
    } else {
        const google::protobuf::FileDescriptor* file = d->file();
        for (int i = 0; i < file->extension_count(); ++i)
            if (is_group_of(file->extension(i))) return true;
    }
    return false;
}

std::string render_proto(const google::protobuf::FileDescriptor& file, bool normalize) {
    return renderer(file, normalize).render();
}

}  // namespace spate::registry::pb
