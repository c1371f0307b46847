// Avro schema resolution (spec "Schema Resolution") as Avro Java's
// SchemaCompatibility applies it for the Confluent registry: types match or
// promote (int -> long -> float -> double, string <-> bytes), named types
// match by unqualified name or by a reader alias of the writer's full name,
// logical types are ignored (the underlying types decide). Results are
// memoized per (reader, writer) pair; a pair met again while it is being
// checked counts as compatible, which ends recursion through recursive types.

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {
namespace {

struct incompatibility {
    std::string_view type;
    std::string path;  // JSON pointer into the reader schema
    std::string info;
};

// Reader "new", writer "old", as in Confluent's messages for BACKWARD checks.
std::string message(const incompatibility& i) {
    const std::string path = "'" + i.path + "'";
    std::string d;
    if (i.type == "READER_FIELD_MISSING_DEFAULT_VALUE") {
        d = "The field '" + i.info + "' at path " + path +
            " in the new schema has no default value and is missing in the old schema";
    } else if (i.type == "TYPE_MISMATCH") {
        d = "The type (path " + path +
            ") of a field in the new schema does not match with the old "
            "schema";
    } else if (i.type == "NAME_MISMATCH") {
        d = "The name of the schema has changed (path " + path + ")";
    } else if (i.type == "FIXED_SIZE_MISMATCH") {
        d = "The size of FIXED type field at path " + path +
            " in the new schema does not match with the old schema";
    } else if (i.type == "MISSING_ENUM_SYMBOLS") {
        d = "The new schema is missing enum symbols '" + i.info + "' at path " + path +
            " in the old schema";
    } else if (i.type == "MISSING_UNION_BRANCH") {
        d = "The new schema is missing a type inside a union field at path " + path +
            " in the old schema";
    } else {
        d = i.info;
    }
    return "{errorType:'" + std::string(i.type) + "', description:'" + d + "', additionalInfo:'" +
           i.info + "'}";
}

using findings = std::vector<incompatibility>;

void append(findings& out, const findings& more) {
    out.insert(out.end(), more.begin(), more.end());
}

class checker {
  public:
    // Checks the pair at the location extended by `token` ("" for none).
    findings check(const std::string& token, const node* reader, const node* writer);

  private:
    findings calculate(const node* reader, const node* writer);
    findings same_type(const node* reader, const node* writer);
    findings reader_union(const node* reader, const node* writer);
    findings names(const node* reader, const node* writer);
    findings fixed_size(const node* reader, const node* writer);
    findings enum_symbols(const node* reader, const node* writer);
    findings record_fields(const node* reader, const node* writer);
    incompatibility found(std::string_view type, std::string info) const;
    findings type_mismatch(const node* reader, const node* writer) const {
        return {found("TYPE_MISMATCH",
                      "reader type: " + std::string(type_label(reader)) +
                          " not compatible with writer type: " + std::string(type_label(writer)))};
    }
    // A check from a fresh root location, as Avro Java runs union branch trials.
    findings trial(const node* reader, const node* writer) {
        std::vector<std::string> saved = std::exchange(_location, {});
        findings out = check("", reader, writer);
        _location = std::move(saved);
        return out;
    }

    // nullopt while the pair is being checked.
    std::map<std::pair<const node*, const node*>, std::optional<findings>> _memo;
    std::vector<std::string> _location;
};

incompatibility checker::found(std::string_view type, std::string info) const {
    std::string path = "/";
    for (size_t i = 0; i < _location.size(); ++i) {
        if (i) path += '/';
        for (char c : _location[i]) {
            if (c == '~')
                path += "~0";
            else if (c == '/')
                path += "~1";
            else
                path += c;
        }
    }
    return {type, std::move(path), std::move(info)};
}

findings checker::check(const std::string& token, const node* reader, const node* writer) {
    reader = resolve(reader);
    writer = resolve(writer);
    if (!token.empty()) _location.push_back(token);
    findings out;
    const auto key = std::make_pair(reader, writer);
    if (auto it = _memo.find(key); it != _memo.end()) {
        if (it->second) out = *it->second;
    } else {
        _memo.emplace(key, std::nullopt);
        out = calculate(reader, writer);
        _memo[key] = out;
    }
    if (!token.empty()) _location.pop_back();
    return out;
}

findings checker::calculate(const node* reader, const node* writer) {
    if (reader->k == writer->k) return same_type(reader, writer);
    if (writer->k == kind::union_type) {
        // Every branch the writer may have written must be readable.
        findings out;
        for (size_t i = 0; i < writer->branches.size(); ++i) {
            append(out, check(std::to_string(i), reader, writer->branches[i]));
        }
        return out;
    }
    switch (reader->k) {
        case kind::long_type:
            if (writer->k == kind::int_type) return {};
            break;
        case kind::float_type:
            if (writer->k == kind::int_type || writer->k == kind::long_type) return {};
            break;
        case kind::double_type:
            if (writer->k == kind::int_type || writer->k == kind::long_type ||
                writer->k == kind::float_type) {
                return {};
            }
            break;
        case kind::bytes_type:
            if (writer->k == kind::string_type) return {};
            break;
        case kind::string_type:
            if (writer->k == kind::bytes_type) return {};
            break;
        case kind::union_type:
            return reader_union(reader, writer);
        default:
            break;
    }
    return type_mismatch(reader, writer);
}

findings checker::same_type(const node* reader, const node* writer) {
    findings out;
    switch (reader->k) {
        case kind::array:
            return check("items", reader->items, writer->items);
        case kind::map:
            return check("values", reader->items, writer->items);
        case kind::fixed:
            out = names(reader, writer);
            append(out, fixed_size(reader, writer));
            return out;
        case kind::enumeration:
            out = names(reader, writer);
            append(out, enum_symbols(reader, writer));
            return out;
        case kind::record:
            out = names(reader, writer);
            append(out, record_fields(reader, writer));
            return out;
        case kind::union_type:
            // Each writer branch must be read by some reader branch.
            for (size_t i = 0; i < writer->branches.size(); ++i) {
                _location.push_back(std::to_string(i));
                if (!trial(reader, writer->branches[i]).empty()) {
                    out.push_back(found("MISSING_UNION_BRANCH",
                                        "reader union lacking writer type: " +
                                            std::string(type_label(writer->branches[i]))));
                }
                _location.pop_back();
            }
            return out;
        default:
            return out;  // the same primitive
    }
}

findings checker::reader_union(const node* reader, const node* writer) {
    for (const node* b : reader->branches) {
        if (trial(b, writer).empty()) return {};
    }
    return {found("MISSING_UNION_BRANCH",
                  "reader union lacking writer type: " + std::string(type_label(writer)))};
}

findings checker::names(const node* reader, const node* writer) {
    const bool match = reader->name == writer->name ||
                       std::find(reader->full_aliases.begin(), reader->full_aliases.end(),
                                 writer->full_name) != reader->full_aliases.end();
    if (match) return {};
    _location.push_back("name");
    findings out{found("NAME_MISMATCH", "expected: " + writer->full_name)};
    _location.pop_back();
    return out;
}

findings checker::fixed_size(const node* reader, const node* writer) {
    if (reader->size == writer->size) return {};
    _location.push_back("size");
    findings out{found("FIXED_SIZE_MISMATCH", "expected: " + std::to_string(writer->size) +
                                                  ", found: " + std::to_string(reader->size))};
    _location.pop_back();
    return out;
}

findings checker::enum_symbols(const node* reader, const node* writer) {
    // A reader default stands in for every symbol it lacks.
    if (reader->enum_default) return {};
    std::set<std::string> missing(writer->symbols.begin(), writer->symbols.end());
    for (const auto& s : reader->symbols)
        missing.erase(s);
    if (missing.empty()) return {};
    std::string list = "[";
    for (const auto& s : missing)
        list += (list.size() > 1 ? ", " : "") + s;
    list += "]";
    _location.push_back("symbols");
    findings out{found("MISSING_ENUM_SYMBOLS", list)};
    _location.pop_back();
    return out;
}

// The writer field a reader field reads: the same name, else one of the
// reader field's aliases.
const field* writer_field(const node* writer, const field& rf) {
    for (const auto& wf : writer->fields) {
        if (wf.name == rf.name) return &wf;
    }
    for (const auto& a : rf.aliases.value_or(std::vector<std::string>())) {
        for (const auto& wf : writer->fields) {
            if (wf.name == a) return &wf;
        }
    }
    return nullptr;
}

findings checker::record_fields(const node* reader, const node* writer) {
    findings out;
    _location.push_back("fields");
    for (size_t i = 0; i < reader->fields.size(); ++i) {
        const field& rf = reader->fields[i];
        _location.push_back(std::to_string(i));
        if (const field* wf = writer_field(writer, rf)) {
            append(out, check("type", rf.type, wf->type));
        } else if (!rf.default_value) {
            out.push_back(found("READER_FIELD_MISSING_DEFAULT_VALUE", rf.name));
        }
        _location.pop_back();
    }
    _location.pop_back();
    return out;
}

}  // namespace

std::vector<std::string> reader_writer_incompatibilities(const node* reader, const node* writer) {
    checker c;
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& i : c.check("", reader, writer)) {
        std::string m = message(i);
        if (seen.insert(m).second) out.push_back(std::move(m));
    }
    return out;
}

}  // namespace spate::registry::avro
