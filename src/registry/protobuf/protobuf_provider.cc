// The PROTOBUF schema provider: parses .proto text or a base64
// FileDescriptorProto (what confluent-kafka-python registers) with its
// references into a DescriptorPool of its own, renders the canonical text and
// checks compatibility with Confluent's rules (protobuf_compat.cc).
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "registry/core/provider.h"
#include "registry/protobuf/protobuf_internal.h"
#include "registry/protobuf/protobuf_schema.h"

namespace spate::registry {
namespace pb {

namespace gp = google::protobuf;

protobuf_parsed::protobuf_parsed(std::unique_ptr<gp::DescriptorPool> pool,
                                 const gp::FileDescriptor* file,
                                 std::map<std::string, schema_reference> refs_by_file)
    : _pool(std::move(pool))
    , _file(file)
    , _refs_by_file(std::move(refs_by_file))
    , _canonical(render_proto(*file, false))
    , _normalized(render_proto(*file, true)) {
    if (file->message_type_count() > 0) _record_name = file->message_type(0)->full_name();
}

const schema_reference* protobuf_parsed::reference_of(const gp::FileDescriptor* f) const {
    if (f == _file) return nullptr;
    auto it = _refs_by_file.find(f->name());
    return it == _refs_by_file.end() ? nullptr : &it->second;
}

namespace {

// The name the schema's own file gets in its pool when its text gives none
// (.proto text never does) or the name is taken by a reference.
constexpr std::string_view k_main_file = "__spate_schema__.proto";

// Collects the parser's and tokenizer's errors with their positions.
// Positions are 0-based; `first_line_shift` characters were put in front of
// the author's first line (see to_file_proto).
std::string position(int line, int column, int first_line_shift) {
    if (line == 0) column = std::max(0, column - first_line_shift);
    return "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1);
}

class text_errors final : public gp::io::ErrorCollector {
  public:
    explicit text_errors(int first_line_shift) : _shift(first_line_shift) {}
    void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
        errors.push_back(position(line, column, _shift) + ": " + message);
    }
    std::vector<std::string> errors;

  private:
    int _shift;
};

// Collects the linker's errors; for a file parsed from text, with the
// position of the element at fault.
class link_errors final : public gp::DescriptorPool::ErrorCollector {
  public:
    link_errors(const gp::compiler::SourceLocationTable* table, int first_line_shift)
        : _table(table), _shift(first_line_shift) {}

    void AddError(const std::string& /*filename*/, const std::string& element_name,
                  const gp::Message* descriptor, ErrorLocation location,
                  const std::string& message) override {
        int line = -1;
        int column = 0;
        if (_table != nullptr) {
            if (location == IMPORT) {
                _table->FindImport(descriptor, element_name, &line, &column);
            } else {
                _table->Find(descriptor, location, &line, &column);
            }
        }
        if (line >= 0) {
            errors.push_back(position(line, column, _shift) + ": " + message);
        } else if (!element_name.empty()) {
            errors.push_back(element_name + ": " + message);
        } else {
            errors.push_back(message);
        }
    }
    std::vector<std::string> errors;

  private:
    const gp::compiler::SourceLocationTable* _table;
    int _shift;
};

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

// Decodes standard or URL-safe base64, padded or not, ignoring whitespace
// (encoders that wrap lines). nullopt when `s` is not base64.
std::optional<std::string> base64_decode(std::string_view s) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    size_t padding = 0;
    size_t chars = 0;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        if (padding > 0) return std::nullopt;  // data after padding
        int v = base64_value(c);
        if (v < 0) return std::nullopt;
        ++chars;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if (chars == 0 || chars % 4 == 1 || padding > 2) return std::nullopt;
    if (padding > 0 && (chars + padding) % 4 != 0) return std::nullopt;
    return out;
}

// Drops what does not change the schema but differs between the ways of
// writing it: json_name equal to the default (protoc fills it in when it
// hands descriptors to plugins; the parser does not), and source info.
void strip_field(gp::FieldDescriptorProto& f) {
    if (f.has_json_name() && f.json_name() == default_json_name(f.name())) f.clear_json_name();
}
void strip_message(gp::DescriptorProto& m) {
    for (auto& f : *m.mutable_field())
        strip_field(f);
    for (auto& f : *m.mutable_extension())
        strip_field(f);
    for (auto& n : *m.mutable_nested_type())
        strip_message(n);
}
void strip_file(gp::FileDescriptorProto& file) {
    file.clear_source_code_info();
    for (auto& m : *file.mutable_message_type())
        strip_message(m);
    for (auto& f : *file.mutable_extension())
        strip_field(f);
}

// What the linker's error collector needs of a parsed text: its elements'
// positions (SourceLocationTable keys on the addresses of the parsed
// FileDescriptorProto's messages, so that proto must not move before it is
// linked).
struct file_source {
    gp::compiler::SourceLocationTable table;  // element positions of text
    std::string text;                         // what the parser read
    int first_line_shift = 0;
    bool from_text = true;
};

// Whether the first token of .proto text is `syntax`.
bool declares_syntax(std::string_view text) {
    class quiet final : public gp::io::ErrorCollector {
      public:
        void AddError(int, gp::io::ColumnNumber, const std::string&) override {}
    } errors;
    gp::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
    gp::io::Tokenizer tokenizer(&input, &errors);
    return tokenizer.Next() && tokenizer.current().text == "syntax";
}

// One schema text as a FileDescriptorProto: .proto text, or the base64 of a
// serialized FileDescriptorProto. Errors name `what`.
status to_file_proto(std::string_view text, const std::string& what, file_source& src,
                     gp::FileDescriptorProto& out) {
    std::string_view body = trim(text);
    if (body.empty()) return make_error(errc::invalid_argument, what + ": the schema is empty");
    // .proto text always has characters outside the base64 alphabet
    // (spaces, ';', '{'); a schema of only base64 characters is a
    // descriptor if it decodes to one, else it is reported as text.
    if (auto bytes = base64_decode(body)) {
        gp::FileDescriptorProto proto;
        if (proto.ParseFromString(*bytes)) {
            out = std::move(proto);
            src.from_text = false;
            return {};
        }
    }
    src.from_text = true;
    // The parser logs a warning to stderr for a file without a syntax
    // statement (proto2 is the default). Write that default in ourselves, in
    // front of the first line so line numbers stay the author's (errors on
    // the first line have their columns shifted back).
    constexpr std::string_view k_proto2 = "syntax = \"proto2\"; ";
    if (declares_syntax(text)) {
        src.text.assign(text);
    } else {
        src.text = std::string(k_proto2) + std::string(text);
        src.first_line_shift = static_cast<int>(k_proto2.size());
    }
    gp::io::ArrayInputStream input(src.text.data(), static_cast<int>(src.text.size()));
    text_errors errors(src.first_line_shift);
    gp::io::Tokenizer tokenizer(&input, &errors);
    gp::compiler::Parser parser;
    parser.RecordErrorsTo(&errors);
    parser.RecordSourceLocationsTo(&src.table);
    bool ok = parser.Parse(&tokenizer, &out);
    if (!ok || !errors.errors.empty()) {
        if (errors.errors.empty()) errors.errors.push_back("the schema does not parse");
        return make_error(errc::invalid_argument, what + ": " + join(errors.errors));
    }
    return {};
}

bool is_well_known(const std::string& name) {
    return gp::DescriptorPool::generated_pool()->FindFileByName(name) != nullptr;
}

// Parses and links one file into `pool`. `name` is the file's name in the
// pool (its import path); for the schema itself, empty means "keep the
// descriptor's own name or make one up".
result<const gp::FileDescriptor*> build_file(gp::DescriptorPool& pool, std::string_view text,
                                             const std::string& what, std::string name) {
    file_source src;
    gp::FileDescriptorProto proto;
    SPATE_TRY(to_file_proto(text, what, src, proto));
    if (name.empty()) {
        name = proto.name();
        if (name.empty() || pool.FindFileByName(name) != nullptr) name = k_main_file;
    }
    proto.set_name(name);
    strip_file(proto);
    link_errors errors(src.from_text ? &src.table : nullptr, src.first_line_shift);
    const gp::FileDescriptor* file = pool.BuildFileCollectingErrors(proto, &errors);
    if (file == nullptr) {
        if (errors.errors.empty()) errors.errors.push_back("the schema does not link");
        return make_error(errc::invalid_argument, what + ": " + join(errors.errors));
    }
    return file;
}

class protobuf_provider final : public schema_provider {
  public:
    schema_type type() const override { return schema_type::protobuf; }

    result<parsed_schema_ptr> parse(std::string_view text,
                                    const std::vector<resolved_reference>& refs) const override {
        // Well-known imports (google/protobuf/*.proto) resolve in the
        // library's generated pool underneath.
        auto pool = std::make_unique<gp::DescriptorPool>(gp::DescriptorPool::generated_pool());
        std::map<std::string, schema_reference> refs_by_file;
        for (const auto& r : refs) {
            const std::string& name = r.ref.name;
            // confluent-kafka-python registers google/protobuf files as
            // references too; the library's own copies serve them.
            if (is_well_known(name)) continue;
            // A file reached through two paths of the reference graph.
            if (refs_by_file.count(name) > 0) continue;
            if (name.empty()) {
                return make_error(errc::invalid_argument, "a reference has no name");
            }
            auto file = build_file(*pool, r.schema, "reference \"" + name + "\"", name);
            SPATE_TRY(file);
            refs_by_file.emplace(name, r.ref);
        }
        auto file = build_file(*pool, text, "schema", "");
        SPATE_TRY(file);
        const gp::FileDescriptor* f = file.value();
        return parsed_schema_ptr(
            std::make_shared<protobuf_parsed>(std::move(pool), f, std::move(refs_by_file)));
    }

    std::vector<std::string> incompatibilities(const parsed_schema& reader,
                                               const parsed_schema& writer) const override {
        const auto* r = dynamic_cast<const protobuf_parsed*>(&reader);
        const auto* w = dynamic_cast<const protobuf_parsed*>(&writer);
        if (r == nullptr || w == nullptr) return {"Incompatible because of different schema type"};
        std::vector<std::string> out;
        // Confluent: reader.isBackwardCompatible(writer) compares
        // original = writer with update = reader.
        for (const auto& d : diff_schemas(*w, *r)) {
            if (!is_compatible_change(d.type)) out.push_back(d.to_string());
        }
        return out;
    }
};

}  // namespace
}  // namespace pb

std::unique_ptr<schema_provider> make_protobuf_provider() {
    return std::make_unique<pb::protobuf_provider>();
}

const google::protobuf::FileDescriptor* protobuf_file(const parsed_schema& s) {
    const auto* p = dynamic_cast<const pb::protobuf_parsed*>(&s);
    return p == nullptr ? nullptr : p->file();
}

std::shared_ptr<const google::protobuf::FileDescriptor> protobuf_file(parsed_schema_ptr s) {
    if (!s) return nullptr;
    const google::protobuf::FileDescriptor* f = protobuf_file(*s);
    if (f == nullptr) return nullptr;
    return std::shared_ptr<const google::protobuf::FileDescriptor>(std::move(s), f);
}

}  // namespace spate::registry
