#pragma once

// Inside the protobuf provider: the parsed schema, the .proto text renderer
// behind canonical()/normalized(), and the Confluent difference walk behind
// incompatibilities(). Nothing outside src/registry/protobuf/ (its tests
// aside) includes this; use protobuf_schema.h.

#include <google/protobuf/descriptor.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/core/provider.h"

namespace spate::registry::pb {

// A linked .proto file with the pool that owns it.
class protobuf_parsed final : public parsed_schema {
  public:
    protobuf_parsed(std::unique_ptr<google::protobuf::DescriptorPool> pool,
                    const google::protobuf::FileDescriptor* file,
                    std::map<std::string, schema_reference> refs_by_file);

    schema_type type() const override { return schema_type::protobuf; }
    std::string canonical() const override { return _canonical; }
    std::string normalized() const override { return _normalized; }
    std::string record_name() const override { return _record_name; }

    const google::protobuf::FileDescriptor* file() const { return _file; }
    // The reference a file of the pool came from: null for this schema's own
    // file and for well-known files (google/protobuf/*) taken from the
    // library's generated pool.
    const schema_reference* reference_of(const google::protobuf::FileDescriptor* f) const;

  private:
    std::unique_ptr<google::protobuf::DescriptorPool> _pool;
    const google::protobuf::FileDescriptor* _file;
    std::map<std::string, schema_reference> _refs_by_file;
    std::string _canonical;
    std::string _normalized;
    std::string _record_name;
};

// .proto text of `file`: syntax, package, imports, options, messages, then
// enums (each scope), extensions, services; every type name fully qualified
// with a leading dot; no comments. `normalize` additionally sorts imports,
// options (by name), fields and oneofs (by number), enum values, reserved and
// extension ranges, as Confluent's normalization does. Message order is kept
// either way: message indexes depend on it.
std::string render_proto(const google::protobuf::FileDescriptor& file, bool normalize);

// The JSON name protoc gives a field by default (protobuf's ToJsonName).
std::string default_json_name(const std::string& field_name);
// Whether `d` is the body of a proto2 group field (declared inline in the
// .proto text, not as a message of its own).
bool is_group_body(const google::protobuf::Descriptor* d);

// Confluent's Protobuf difference kinds (io.confluent...protobuf.diff).
enum class diff_type {
    package_changed,
    message_added,
    message_removed,
    message_moved,
    enum_added,
    enum_removed,
    enum_const_added,
    enum_const_changed,
    enum_const_removed,
    field_added,
    field_removed,
    field_name_changed,
    field_kind_changed,
    field_scalar_kind_changed,
    field_named_type_changed,
    field_numeric_label_changed,
    field_string_or_bytes_label_changed,
    required_field_added,
    required_field_removed,
    oneof_added,
    oneof_removed,
    oneof_field_added,
    oneof_field_removed,
    oneof_field_moved_to_top_level,
    multiple_fields_moved_to_oneof,
    field_moved_to_existing_oneof,
};
// "PACKAGE_CHANGED", ... as Confluent spells them.
std::string_view diff_type_name(diff_type t);
// Whether Confluent lists the kind among its compatible changes.
bool is_compatible_change(diff_type t);

struct difference {
    diff_type type;
    std::string path;  // "#/Message/Nested/3", as Confluent's paths
    std::string description;
    // "FIELD_KIND_CHANGED #/Message/3: <description>"
    std::string to_string() const;
};

// Every difference between `original` and `update`, in Confluent's sense:
// data written with `original` is read with `update`, so a reader/writer
// check is diff(writer, reader).
std::vector<difference> diff_schemas(const protobuf_parsed& original,
                                     const protobuf_parsed& update);

}  // namespace spate::registry::pb
