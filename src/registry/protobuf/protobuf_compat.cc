// Confluent's Protobuf compatibility (protobuf-provider's diff package), on
// linked descriptors. A check of reader against writer walks
// original = writer, update = reader and lists every difference; those of a
// kind Confluent does not count as compatible make the pair incompatible.
// Confluent's check is the same walk in both directions, so e.g. adding a
// message (MESSAGE_ADDED) is fine for BACKWARD but is MESSAGE_REMOVED, and
// incompatible, for FORWARD.
//
// The walk:
//  - file: package differs -> PACKAGE_CHANGED; then the top-level types.
//  - types of a scope (file or message), matched by simple name: a message
//    only in the original -> MESSAGE_REMOVED, only in the update ->
//    MESSAGE_ADDED, in both -> compared, and MESSAGE_MOVED if its position
//    changed; enums likewise (ENUM_REMOVED/ADDED, constants by number:
//    ENUM_CONST_REMOVED/ADDED/CHANGED). Map-entry messages are not types of
//    their own (their map field is compared instead).
//  - a message's fields, matched by number across top-level fields and
//    oneof members alike: removed -> FIELD_REMOVED (REQUIRED_FIELD_REMOVED
//    for a proto2 required one; ONEOF_FIELD_REMOVED for a oneof member
//    unless its whole oneof is gone); added -> FIELD_ADDED
//    (REQUIRED_FIELD_ADDED; ONEOF_FIELD_ADDED); present in both -> compared,
//    ONEOF_FIELD_MOVED_TO_TOP_LEVEL when it left its oneof. A oneof of the
//    update whose existing members were independent in the original ->
//    MULTIPLE_FIELDS_MOVED_TO_ONEOF (several top-level fields moved in) or
//    FIELD_MOVED_TO_EXISTING_ONEOF. Oneofs by name: ONEOF_ADDED/REMOVED.
//  - a field in both: name differs -> FIELD_NAME_CHANGED; kinds scalar
//    (enums included) / message / map differ -> FIELD_KIND_CHANGED; scalars
//    in different wire groups (int32 int64 uint32 uint64 bool enum |
//    sint32 sint64 | fixed32 sfixed32 | fixed64 sfixed64 | float | double |
//    string bytes) -> FIELD_SCALAR_KIND_CHANGED; same group but labels
//    differ -> FIELD_NUMERIC_LABEL_CHANGED or, for string/bytes,
//    FIELD_STRING_OR_BYTES_LABEL_CHANGED; maps compare key and value types;
//    messages compare names without their package (FIELD_NAMED_TYPE_CHANGED
//    when they differ) and, for a type from a reference (unless both sides
//    use the same subject and version), its contents, adding
//    FIELD_NAMED_TYPE_CHANGED when those are incompatible.
//  - labels as Confluent reads them: none for proto3 fields without
//    `optional` and for oneof members, so that e.g. a proto3 `int32 x` that
//    becomes `repeated int32 x` is not a label change (Confluent accepts it)
//    while `optional int32 x` -> `repeated int32 x` is.
// Confluent has no rule for syntax changes (proto2 <-> proto3): neither do we.
//
// Incompatible kinds: PACKAGE_CHANGED, MESSAGE_REMOVED, FIELD_KIND_CHANGED,
// FIELD_SCALAR_KIND_CHANGED, FIELD_NAMED_TYPE_CHANGED,
// FIELD_NUMERIC_LABEL_CHANGED, REQUIRED_FIELD_ADDED, REQUIRED_FIELD_REMOVED,
// ONEOF_FIELD_REMOVED, MULTIPLE_FIELDS_MOVED_TO_ONEOF,
// FIELD_MOVED_TO_EXISTING_ONEOF. Every other kind is compatible.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "registry/protobuf/protobuf_internal.h"

namespace spate::registry::pb {

namespace gp = google::protobuf;

std::string_view diff_type_name(diff_type t) {
    switch (t) {
        case diff_type::package_changed:
            return "PACKAGE_CHANGED";
        case diff_type::message_added:
            return "MESSAGE_ADDED";
        case diff_type::message_removed:
            return "MESSAGE_REMOVED";
        case diff_type::message_moved:
            return "MESSAGE_MOVED";
        case diff_type::enum_added:
            return "ENUM_ADDED";
        case diff_type::enum_removed:
            return "ENUM_REMOVED";
        case diff_type::enum_const_added:
            return "ENUM_CONST_ADDED";
        case diff_type::enum_const_changed:
            return "ENUM_CONST_CHANGED";
        case diff_type::enum_const_removed:
            return "ENUM_CONST_REMOVED";
        case diff_type::field_added:
            return "FIELD_ADDED";
        case diff_type::field_removed:
            return "FIELD_REMOVED";
        case diff_type::field_name_changed:
            return "FIELD_NAME_CHANGED";
        case diff_type::field_kind_changed:
            return "FIELD_KIND_CHANGED";
        case diff_type::field_scalar_kind_changed:
            return "FIELD_SCALAR_KIND_CHANGED";
        case diff_type::field_named_type_changed:
            return "FIELD_NAMED_TYPE_CHANGED";
        case diff_type::field_numeric_label_changed:
            return "FIELD_NUMERIC_LABEL_CHANGED";
        case diff_type::field_string_or_bytes_label_changed:
            return "FIELD_STRING_OR_BYTES_LABEL_CHANGED";
        case diff_type::required_field_added:
            return "REQUIRED_FIELD_ADDED";
        case diff_type::required_field_removed:
            return "REQUIRED_FIELD_REMOVED";
        case diff_type::oneof_added:
            return "ONEOF_ADDED";
        case diff_type::oneof_removed:
            return "ONEOF_REMOVED";
        case diff_type::oneof_field_added:
            return "ONEOF_FIELD_ADDED";
        case diff_type::oneof_field_removed:
            return "ONEOF_FIELD_REMOVED";
        case diff_type::oneof_field_moved_to_top_level:
            return "ONEOF_FIELD_MOVED_TO_TOP_LEVEL";
        case diff_type::multiple_fields_moved_to_oneof:
            return "MULTIPLE_FIELDS_MOVED_TO_ONEOF";
        case diff_type::field_moved_to_existing_oneof:
            return "FIELD_MOVED_TO_EXISTING_ONEOF";
    }
    return "UNKNOWN";
}

bool is_compatible_change(diff_type t) {
    switch (t) {
        case diff_type::message_added:
        case diff_type::message_moved:
        case diff_type::enum_added:
        case diff_type::enum_removed:
        case diff_type::enum_const_added:
        case diff_type::enum_const_changed:
        case diff_type::enum_const_removed:
        case diff_type::field_added:
        case diff_type::field_removed:
        case diff_type::field_name_changed:
        case diff_type::field_string_or_bytes_label_changed:
        case diff_type::oneof_added:
        case diff_type::oneof_removed:
        case diff_type::oneof_field_added:
        case diff_type::oneof_field_moved_to_top_level:
            return true;
        default:
            return false;
    }
}

std::string difference::to_string() const {
    return std::string(diff_type_name(type)) + " " + path + ": " + description;
}

namespace {

enum class label { none, optional, required, repeated };
enum class field_kind { scalar, message, map };
enum class scalar_kind {
    general_number,
    signed_number,
    string_or_bytes,
    fixed32,
    fixed64,
    flt,
    dbl
};

std::string_view label_name(label l) {
    switch (l) {
        case label::none:
            return "singular";
        case label::optional:
            return "optional";
        case label::required:
            return "required";
        case label::repeated:
            return "repeated";
    }
    return "?";
}

// The label Confluent sees (Wire's parse of the .proto text).
label label_of(const gp::FieldDescriptor* f) {
    if (f->real_containing_oneof() != nullptr) return label::none;
    if (f->is_repeated()) return label::repeated;
    if (f->is_required()) return label::required;
    if (f->file()->syntax() == gp::FileDescriptor::SYNTAX_PROTO3) {
        return f->has_optional_keyword() ? label::optional : label::none;
    }
    return label::optional;
}

field_kind kind_of(const gp::FieldDescriptor* f) {
    if (f->is_map()) return field_kind::map;
    if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE) return field_kind::message;
    return field_kind::scalar;
}

std::string_view kind_name(field_kind k) {
    switch (k) {
        case field_kind::scalar:
            return "a scalar";
        case field_kind::message:
            return "a message";
        case field_kind::map:
            return "a map";
    }
    return "?";
}

// Proto's wire-compatible scalar groups (protobuf.dev "Updating a message").
scalar_kind scalar_kind_of(const gp::FieldDescriptor* f) {
    switch (f->type()) {
        case gp::FieldDescriptor::TYPE_INT32:
        case gp::FieldDescriptor::TYPE_INT64:
        case gp::FieldDescriptor::TYPE_UINT32:
        case gp::FieldDescriptor::TYPE_UINT64:
        case gp::FieldDescriptor::TYPE_BOOL:
        case gp::FieldDescriptor::TYPE_ENUM:
            return scalar_kind::general_number;
        case gp::FieldDescriptor::TYPE_SINT32:
        case gp::FieldDescriptor::TYPE_SINT64:
            return scalar_kind::signed_number;
        case gp::FieldDescriptor::TYPE_STRING:
        case gp::FieldDescriptor::TYPE_BYTES:
            return scalar_kind::string_or_bytes;
        case gp::FieldDescriptor::TYPE_FIXED32:
        case gp::FieldDescriptor::TYPE_SFIXED32:
            return scalar_kind::fixed32;
        case gp::FieldDescriptor::TYPE_FIXED64:
        case gp::FieldDescriptor::TYPE_SFIXED64:
            return scalar_kind::fixed64;
        case gp::FieldDescriptor::TYPE_FLOAT:
            return scalar_kind::flt;
        case gp::FieldDescriptor::TYPE_DOUBLE:
            return scalar_kind::dbl;
        default:
            return scalar_kind::general_number;  // not reached for scalars
    }
}

std::string type_text(const gp::FieldDescriptor* f) {
    if (f->is_map()) {
        const gp::Descriptor* e = f->message_type();
        return "map<" + type_text(e->map_key()) + ", " + type_text(e->map_value()) + ">";
    }
    if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE)
        return "." + f->message_type()->full_name();
    if (f->type() == gp::FieldDescriptor::TYPE_ENUM) return "." + f->enum_type()->full_name();
    return gp::FieldDescriptor::TypeName(f->type());
}

std::string field_text(const gp::FieldDescriptor* f) {
    return "field '" + f->name() + "' (" + std::to_string(f->number()) + ")";
}

// A message's name within its package.
std::string local_name(const gp::Descriptor* d) {
    const std::string& pkg = d->file()->package();
    const std::string& full = d->full_name();
    if (!pkg.empty() && full.size() > pkg.size() && full.compare(0, pkg.size(), pkg) == 0 &&
        full[pkg.size()] == '.') {
        return full.substr(pkg.size() + 1);
    }
    return full;
}

std::vector<std::string> split_dots(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t dot = s.find('.', start);
        out.push_back(s.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

// Where a type comes from, as Confluent's reference of a type: the schema
// itself (subject "", version -1), a reference's subject and version, or
// nothing known (a well-known file), which always compares.
struct origin {
    std::string subject;
    int32_t version = -1;
    bool operator==(const origin&) const = default;
};

std::optional<origin> origin_of(const protobuf_parsed& schema, const gp::Descriptor* d) {
    if (d->file() == schema.file()) return origin{};
    const schema_reference* ref = schema.reference_of(d->file());
    if (ref == nullptr) return std::nullopt;
    return origin{ref->subject, ref->version.value()};
}

class walker {
  public:
    walker(const protobuf_parsed& original, const protobuf_parsed& update)
        : _original(original), _update(update) {}

    std::vector<difference> take() { return std::move(_diffs); }

    void compare_files() {
        const gp::FileDescriptor* o = _original.file();
        const gp::FileDescriptor* u = _update.file();
        if (o->package() != u->package()) {
            auto show = [](const std::string& p) { return p.empty() ? "(none)" : "'" + p + "'"; };
            add(diff_type::package_changed, "package " + show(o->package()) +
                                                " of the writer's schema is " + show(u->package()) +
                                                " in the reader's");
        }
        compare_types(scope_types(o), scope_types(u));
    }

  private:
    struct types {
        std::vector<const gp::Descriptor*> messages;
        std::vector<const gp::EnumDescriptor*> enums;
    };

    static types scope_types(const gp::FileDescriptor* f) {
        types t;
        for (int i = 0; i < f->message_type_count(); ++i)
            t.messages.push_back(f->message_type(i));
        for (int i = 0; i < f->enum_type_count(); ++i)
            t.enums.push_back(f->enum_type(i));
        return t;
    }
    static types scope_types(const gp::Descriptor* d) {
        types t;
        for (int i = 0; i < d->nested_type_count(); ++i) {
            const gp::Descriptor* n = d->nested_type(i);
            if (!n->options().map_entry()) t.messages.push_back(n);
        }
        for (int i = 0; i < d->enum_type_count(); ++i)
            t.enums.push_back(d->enum_type(i));
        return t;
    }

    class path_scope {
      public:
        path_scope(walker& w, std::string part) : _w(w) { _w._path.push_back(std::move(part)); }
        ~path_scope() { _w._path.pop_back(); }
        path_scope(const path_scope&) = delete;
        path_scope& operator=(const path_scope&) = delete;

      private:
        walker& _w;
    };

    void add(diff_type t, std::string description) {
        std::string path = "#/";
        for (size_t i = 0; i < _path.size(); ++i) {
            if (i > 0) path += "/";
            path += _path[i];
        }
        _diffs.push_back(difference{t, std::move(path), std::move(description)});
    }

    bool compatible() const {
        for (const auto& d : _diffs)
            if (!is_compatible_change(d.type)) return false;
        return true;
    }

    void compare_types(const types& o, const types& u) {
        // Matched by simple name; originals in declaration order, then the
        // update's new ones.
        std::vector<std::string> names;
        std::map<std::string, std::pair<const gp::Descriptor*, int>> om, um;
        for (size_t i = 0; i < o.messages.size(); ++i) {
            om[o.messages[i]->name()] = {o.messages[i], static_cast<int>(i)};
            names.push_back(o.messages[i]->name());
        }
        for (size_t i = 0; i < u.messages.size(); ++i) {
            um[u.messages[i]->name()] = {u.messages[i], static_cast<int>(i)};
            if (om.count(u.messages[i]->name()) == 0) names.push_back(u.messages[i]->name());
        }
        for (const auto& name : names) {
            path_scope s(*this, name);
            auto oi = om.find(name);
            auto ui = um.find(name);
            if (ui == um.end()) {
                add(diff_type::message_removed, "message '" + oi->second.first->full_name() +
                                                    "' of the writer's schema is missing from "
                                                    "the reader's");
            } else if (oi == om.end()) {
                add(diff_type::message_added, "message '" + ui->second.first->full_name() +
                                                  "' is new in the reader's schema");
            } else {
                compare_message(oi->second.first, ui->second.first);
                if (oi->second.second != ui->second.second) {
                    add(diff_type::message_moved, "message '" + ui->second.first->full_name() +
                                                      "' moved from position " +
                                                      std::to_string(oi->second.second) + " to " +
                                                      std::to_string(ui->second.second));
                }
            }
        }

        std::vector<std::string> enum_names;
        std::map<std::string, const gp::EnumDescriptor*> oe, ue;
        for (const auto* e : o.enums) {
            oe[e->name()] = e;
            enum_names.push_back(e->name());
        }
        for (const auto* e : u.enums) {
            ue[e->name()] = e;
            if (oe.count(e->name()) == 0) enum_names.push_back(e->name());
        }
        for (const auto& name : enum_names) {
            path_scope s(*this, name);
            auto oi = oe.find(name);
            auto ui = ue.find(name);
            if (ui == ue.end()) {
                add(diff_type::enum_removed,
                    "enum '" + oi->second->full_name() + "' is not in the reader's schema");
            } else if (oi == oe.end()) {
                add(diff_type::enum_added,
                    "enum '" + ui->second->full_name() + "' is new in the reader's schema");
            } else {
                compare_enum(oi->second, ui->second);
            }
        }
    }

    void compare_enum(const gp::EnumDescriptor* o, const gp::EnumDescriptor* u) {
        std::set<int> numbers;
        for (int i = 0; i < o->value_count(); ++i)
            numbers.insert(o->value(i)->number());
        for (int i = 0; i < u->value_count(); ++i)
            numbers.insert(u->value(i)->number());
        for (int n : numbers) {
            path_scope s(*this, std::to_string(n));
            const gp::EnumValueDescriptor* ov = o->FindValueByNumber(n);
            const gp::EnumValueDescriptor* uv = u->FindValueByNumber(n);
            if (uv == nullptr) {
                add(diff_type::enum_const_removed,
                    "constant " + ov->name() + " = " + std::to_string(n) + " was removed");
            } else if (ov == nullptr) {
                add(diff_type::enum_const_added,
                    "constant " + uv->name() + " = " + std::to_string(n) + " was added");
            } else if (ov->name() != uv->name()) {
                add(diff_type::enum_const_changed, "constant " + std::to_string(n) +
                                                       " was renamed from " + ov->name() + " to " +
                                                       uv->name());
            }
        }
    }

    struct field_index {
        std::map<int, const gp::FieldDescriptor*> by_number;
        std::map<int, std::string> oneof_of;  // number -> enclosing oneof's name
        std::map<std::string, const gp::OneofDescriptor*> oneofs;
    };

    static field_index index_fields(const gp::Descriptor* d) {
        field_index x;
        for (int i = 0; i < d->field_count(); ++i) {
            const gp::FieldDescriptor* f = d->field(i);
            x.by_number[f->number()] = f;
            if (const gp::OneofDescriptor* o = f->real_containing_oneof()) {
                x.oneof_of[f->number()] = o->name();
            }
        }
        for (int i = 0; i < d->real_oneof_decl_count(); ++i) {
            x.oneofs[d->oneof_decl(i)->name()] = d->oneof_decl(i);
        }
        return x;
    }

    void compare_message(const gp::Descriptor* o, const gp::Descriptor* u) {
        // A message already being compared further up (a recursive type
        // reached through a reference) is not compared again.
        if (_in_progress.insert(o).second) {
            compare_fields(o, u);
            _in_progress.erase(o);
        }
        compare_types(scope_types(o), scope_types(u));
    }

    void compare_fields(const gp::Descriptor* o, const gp::Descriptor* u) {
        const field_index ox = index_fields(o);
        const field_index ux = index_fields(u);

        // An original oneof that is gone by name and none of whose members
        // survive anywhere was deleted whole: its members are not reported.
        std::set<std::string> deleted_oneofs;
        for (const auto& [name, oneof] : ox.oneofs) {
            if (ux.oneofs.count(name) > 0) continue;
            bool survives = false;
            for (int i = 0; i < oneof->field_count(); ++i)
                if (ux.by_number.count(oneof->field(i)->number()) > 0) survives = true;
            if (!survives) deleted_oneofs.insert(name);
        }

        // Mutual exclusion the original did not have: a oneof of the update
        // whose pre-existing members come from more than one original group
        // (a group being an original oneof or a single top-level field).
        for (int i = 0; i < u->real_oneof_decl_count(); ++i) {
            const gp::OneofDescriptor* oneof = u->oneof_decl(i);
            path_scope s(*this, oneof->name());
            std::set<std::string> groups;
            int top_level_moved_in = 0;
            for (int j = 0; j < oneof->field_count(); ++j) {
                int n = oneof->field(j)->number();
                if (auto it = ox.oneof_of.find(n); it != ox.oneof_of.end()) {
                    groups.insert("oneof:" + it->second);
                } else if (ox.by_number.count(n) > 0) {
                    groups.insert("field:" + std::to_string(n));
                    ++top_level_moved_in;
                }
            }
            if (groups.size() > 1) {
                if (top_level_moved_in > 1) {
                    add(diff_type::multiple_fields_moved_to_oneof,
                        "oneof '" + oneof->name() + "' joins " +
                            std::to_string(top_level_moved_in) +
                            " fields that were independent in the writer's schema");
                } else {
                    add(diff_type::field_moved_to_existing_oneof,
                        "oneof '" + oneof->name() +
                            "' joins fields that were not mutually exclusive in the writer's "
                            "schema");
                }
            }
        }

        std::set<std::string> oneof_names;
        for (const auto& [name, _] : ox.oneofs)
            oneof_names.insert(name);
        for (const auto& [name, _] : ux.oneofs)
            oneof_names.insert(name);
        for (const auto& name : oneof_names) {
            path_scope s(*this, name);
            if (ux.oneofs.count(name) == 0) {
                add(diff_type::oneof_removed, "oneof '" + name + "' is not in the reader's schema");
            } else if (ox.oneofs.count(name) == 0) {
                add(diff_type::oneof_added, "oneof '" + name + "' is new in the reader's schema");
            }
        }

        std::set<int> numbers;
        for (const auto& [n, _] : ox.by_number)
            numbers.insert(n);
        for (const auto& [n, _] : ux.by_number)
            numbers.insert(n);
        for (int n : numbers) {
            auto oi = ox.by_number.find(n);
            auto ui = ux.by_number.find(n);
            auto oo = ox.oneof_of.find(n);
            auto uo = ux.oneof_of.find(n);
            const std::string tag = std::to_string(n);
            if (ui == ux.by_number.end()) {
                const gp::FieldDescriptor* f = oi->second;
                if (oo != ox.oneof_of.end()) {
                    if (deleted_oneofs.count(oo->second) == 0) {
                        path_scope s1(*this, oo->second);
                        path_scope s2(*this, tag);
                        add(diff_type::oneof_field_removed,
                            field_text(f) + " of oneof '" + oo->second +
                                "' in the writer's schema is not in the reader's");
                    }
                } else {
                    path_scope s(*this, tag);
                    if (f->is_required()) {
                        add(diff_type::required_field_removed,
                            "required " + field_text(f) +
                                " of the writer's schema is not in the reader's");
                    } else {
                        add(diff_type::field_removed,
                            field_text(f) + " of the writer's schema is not in the reader's");
                    }
                }
            } else if (oi == ox.by_number.end()) {
                const gp::FieldDescriptor* f = ui->second;
                if (uo != ux.oneof_of.end()) {
                    path_scope s1(*this, uo->second);
                    path_scope s2(*this, tag);
                    add(diff_type::oneof_field_added,
                        field_text(f) + " is new in oneof '" + uo->second + "'");
                } else {
                    path_scope s(*this, tag);
                    if (f->is_required()) {
                        add(diff_type::required_field_added,
                            "required " + field_text(f) +
                                " of the reader's schema is not in the writer's");
                    } else {
                        add(diff_type::field_added,
                            field_text(f) + " is new in the reader's schema");
                    }
                }
            } else {
                if (oo != ox.oneof_of.end() && uo == ux.oneof_of.end()) {
                    path_scope s(*this, tag);
                    add(diff_type::oneof_field_moved_to_top_level,
                        field_text(ui->second) + " moved out of oneof '" + oo->second + "'");
                }
                if (uo != ux.oneof_of.end()) {
                    path_scope s1(*this, uo->second);
                    path_scope s2(*this, tag);
                    compare_field(oi->second, ui->second);
                } else {
                    path_scope s(*this, tag);
                    compare_field(oi->second, ui->second);
                }
            }
        }
    }

    void compare_field(const gp::FieldDescriptor* o, const gp::FieldDescriptor* u) {
        if (o->name() != u->name()) {
            add(diff_type::field_name_changed, "field " + std::to_string(o->number()) +
                                                   " was renamed from '" + o->name() + "' to '" +
                                                   u->name() + "'");
        }
        compare_labels_and_types(u, field_text(u), label_of(o), label_of(u), o, u);
    }

    // `field` is the field being compared, `what` how messages name it (the
    // field, or its map's key or value); `o`/`u` are the field or, for maps,
    // its key or value.
    void compare_labels_and_types(const gp::FieldDescriptor* field, const std::string& what,
                                  label lo, label lu, const gp::FieldDescriptor* o,
                                  const gp::FieldDescriptor* u) {
        field_kind ko = kind_of(o);
        field_kind ku = kind_of(u);
        if (ko != ku) {
            add(diff_type::field_kind_changed, what + " is " + std::string(kind_name(ko)) + " (" +
                                                   type_text(o) + ") in the writer's schema but " +
                                                   std::string(kind_name(ku)) + " (" +
                                                   type_text(u) + ") in the reader's");
            return;
        }
        switch (ko) {
            case field_kind::scalar: {
                scalar_kind so = scalar_kind_of(o);
                if (so != scalar_kind_of(u)) {
                    add(diff_type::field_scalar_kind_changed,
                        what + " changed type from " + type_text(o) + " to " + type_text(u) +
                            ", which is not wire-compatible");
                } else if (lo != label::none && lu != label::none && lo != lu) {
                    std::string text = what + " changed from " + std::string(label_name(lo)) +
                                       " to " + std::string(label_name(lu));
                    if (so == scalar_kind::string_or_bytes) {
                        add(diff_type::field_string_or_bytes_label_changed, text);
                    } else {
                        add(diff_type::field_numeric_label_changed,
                            text + ", which changes its numeric wire encoding");
                    }
                }
                break;
            }
            case field_kind::message:
                compare_message_types(what, o->message_type(), u->message_type());
                break;
            case field_kind::map: {
                const gp::Descriptor* oe = o->message_type();
                const gp::Descriptor* ue = u->message_type();
                const std::string map_field = "map " + field_text(field);
                compare_labels_and_types(field, "the key of " + map_field, label::none, label::none,
                                         oe->map_key(), ue->map_key());
                compare_labels_and_types(field, "the value of " + map_field, label::none,
                                         label::none, oe->map_value(), ue->map_value());
                break;
            }
        }
    }

    void compare_message_types(const std::string& what, const gp::Descriptor* o,
                               const gp::Descriptor* u) {
        std::string ol = local_name(o);
        std::string ul = local_name(u);
        if (ol != ul) {
            add(diff_type::field_named_type_changed,
                what + " changed type from ." + o->full_name() + " to ." + u->full_name());
            return;
        }
        // Types of the schemas themselves are compared where they are
        // declared; a referenced type is compared here unless both sides
        // use the same subject and version of it.
        std::optional<origin> oo = origin_of(_original, o);
        std::optional<origin> uo = origin_of(_update, u);
        if (oo && uo && *oo == *uo) return;
        walker sub(_original, _update);
        sub._path = split_dots(ol);
        sub._in_progress = _in_progress;
        sub.compare_message(o, u);
        bool sub_compatible = sub.compatible();
        for (auto& d : sub._diffs)
            _diffs.push_back(std::move(d));
        if (!sub_compatible) {
            add(diff_type::field_named_type_changed,
                what + " has type ." + u->full_name() +
                    ", which changed incompatibly (see its differences)");
        }
    }

    const protobuf_parsed& _original;
    const protobuf_parsed& _update;
    std::vector<std::string> _path;
    std::set<const gp::Descriptor*> _in_progress;
    std::vector<difference> _diffs;
};

}  // namespace

std::vector<difference> diff_schemas(const protobuf_parsed& original,
                                     const protobuf_parsed& update) {
    walker w(original, update);
    w.compare_files();
    return w.take();
}

}  // namespace spate::registry::pb
