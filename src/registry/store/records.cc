#include "registry/store/records.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace spate::registry {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

error corrupt(std::string what) {
    return make_error(errc::corrupt, std::move(what));
}

result<std::string> required_string(const json& o, const char* field) {
    auto it = o.find(field);
    if (it == o.end() || !it->is_string())
        return corrupt(std::string("\"") + field + "\" is missing or not a string");
    return it->get<std::string>();
}

// Absent or null: unset.
result<std::optional<std::string>> optional_string(const json& o, const char* field) {
    auto it = o.find(field);
    if (it == o.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) return corrupt(std::string("\"") + field + "\" is not a string");
    return std::optional<std::string>(it->get<std::string>());
}

result<int32_t> required_int(const json& o, const char* field, int32_t min) {
    auto it = o.find(field);
    if (it == o.end() || !it->is_number_integer())
        return corrupt(std::string("\"") + field + "\" is missing or not an integer");
    auto v = it->get<int64_t>();
    if (v < min || v > std::numeric_limits<int32_t>::max())
        return corrupt(std::string("\"") + field + "\" is out of range: " + std::to_string(v));
    return static_cast<int32_t>(v);
}

result<std::vector<schema_reference>> decode_references(const json& o) {
    std::vector<schema_reference> out;
    auto it = o.find("references");
    if (it == o.end() || it->is_null()) return out;
    if (!it->is_array()) return corrupt("\"references\" is not an array");
    for (const auto& r : *it) {
        if (!r.is_object()) return corrupt("a reference is not an object");
        auto name = required_string(r, "name");
        if (!name.ok()) return name.err();
        auto subject = required_string(r, "subject");
        if (!subject.ok()) return subject.err();
        auto version = required_int(r, "version", -1);
        if (!version.ok()) return version.err();
        out.push_back({std::move(*name), std::move(*subject), schema_version(*version)});
    }
    return out;
}

result<subject_schema> decode_schema_value(const json& o, const std::string& subject,
                                           schema_version version) {
    subject_schema s;
    auto vsubject = required_string(o, "subject");
    if (!vsubject.ok()) return vsubject.err();
    auto vversion = required_int(o, "version", 1);
    if (!vversion.ok()) return vversion.err();
    if (*vsubject != subject || schema_version(*vversion) != version)
        return corrupt("the value's subject/version differ from the key's");
    auto id = required_int(o, "id", 0);
    if (!id.ok()) return id.err();
    auto text = required_string(o, "schema");
    if (!text.ok()) return text.err();
    auto type_name = optional_string(o, "schemaType");
    if (!type_name.ok()) return type_name.err();
    if (type_name->has_value()) {
        auto t = parse_schema_type(**type_name);
        if (!t) return corrupt("unknown schemaType \"" + **type_name + "\"");
        s.type = *t;
    }
    auto refs = decode_references(o);
    if (!refs.ok()) return refs.err();
    auto deleted = o.find("deleted");
    if (deleted != o.end() && !deleted->is_null()) {
        if (!deleted->is_boolean()) return corrupt("\"deleted\" is not a boolean");
        s.deleted = deleted->get<bool>();
    }
    s.subject = subject;
    s.version = version;
    s.id = schema_id(*id);
    s.schema = std::move(*text);
    s.references = std::move(*refs);
    return s;
}

result<store_record> decode_schema(const json& key, const json* value) {
    auto subject = required_string(key, "subject");
    if (!subject.ok()) return subject.err();
    auto version = required_int(key, "version", 1);
    if (!version.ok()) return version.err();
    schema_record r{std::move(*subject), schema_version(*version), std::nullopt};
    if (value != nullptr) {
        auto v = decode_schema_value(*value, r.subject, r.version);
        if (!v.ok()) return v.err();
        r.value = std::move(*v);
    }
    return store_record(std::move(r));
}

result<store_record> decode_config(const json& key, const json* value) {
    auto subject = optional_string(key, "subject");
    if (!subject.ok()) return subject.err();
    config_record r{std::move(*subject), std::nullopt};
    if (value != nullptr) {
        // A value without a level (only Confluent extensions) sets none.
        auto name = optional_string(*value, "compatibilityLevel");
        if (!name.ok()) return name.err();
        if (name->has_value()) {
            r.level = parse_compat_level(**name);
            if (!r.level) return corrupt("unknown compatibilityLevel \"" + **name + "\"");
        }
    }
    return store_record(std::move(r));
}

result<store_record> decode_mode(const json& key, const json* value) {
    auto subject = optional_string(key, "subject");
    if (!subject.ok()) return subject.err();
    mode_record r{std::move(*subject), std::nullopt};
    if (value != nullptr) {
        auto name = required_string(*value, "mode");
        if (!name.ok()) return name.err();
        r.mode = parse_mode(*name);
        if (!r.mode) return corrupt("unknown mode \"" + *name + "\"");
    }
    return store_record(std::move(r));
}

result<store_record> decode_delete_subject(const json& key, const json* value) {
    auto subject = required_string(key, "subject");
    if (!subject.ok()) return subject.err();
    delete_subject_record r{std::move(*subject), std::nullopt};
    if (value != nullptr) {
        auto vsubject = optional_string(*value, "subject");
        if (!vsubject.ok()) return vsubject.err();
        if (vsubject->has_value() && **vsubject != r.subject)
            return corrupt("the value's subject differs from the key's");
        auto version = required_int(*value, "version", 0);
        if (!version.ok()) return version.err();
        r.version = schema_version(*version);
    }
    return store_record(std::move(r));
}

result<store_record> decode_clear_subject(const json& key, const json* value) {
    auto subject = optional_string(key, "subject");
    if (!subject.ok()) return subject.err();
    return store_record(clear_subject_record{std::move(*subject), value == nullptr});
}

ordered_json key_header(const char* keytype) {
    ordered_json k;
    k["keytype"] = keytype;
    return k;
}

// Confluent omits a null subject from keys (Jackson's NON_EMPTY).
ordered_json subject_key(const char* keytype, const std::optional<std::string>& subject) {
    ordered_json k = key_header(keytype);
    if (subject) k["subject"] = *subject;
    k["magic"] = 0;
    return k;
}

encoded_record encode_schema(const schema_record& r) {
    ordered_json k = key_header("SCHEMA");
    k["subject"] = r.subject;
    k["version"] = r.version.value();
    k["magic"] = 1;
    encoded_record out{k.dump(), std::nullopt};
    if (!r.value) return out;
    const subject_schema& s = *r.value;
    ordered_json v;
    v["subject"] = s.subject;
    v["version"] = s.version.value();
    v["id"] = s.id.value();
    if (s.type != schema_type::avro) v["schemaType"] = std::string(schema_type_name(s.type));
    if (!s.references.empty()) {
        ordered_json refs = ordered_json::array();
        for (const auto& ref : s.references) {
            ordered_json j;
            j["name"] = ref.name;
            j["subject"] = ref.subject;
            j["version"] = ref.version.value();
            refs.push_back(std::move(j));
        }
        v["references"] = std::move(refs);
    }
    v["schema"] = s.schema;
    v["deleted"] = s.deleted;
    out.value = v.dump();
    return out;
}

}  // namespace

encoded_record encode_record(const store_record& r) {
    struct visitor {
        encoded_record operator()(const schema_record& s) const { return encode_schema(s); }
        encoded_record operator()(const config_record& c) const {
            encoded_record out{subject_key("CONFIG", c.subject).dump(), std::nullopt};
            if (c.level) {
                ordered_json v;
                v["compatibilityLevel"] = std::string(compat_level_name(*c.level));
                out.value = v.dump();
            }
            return out;
        }
        encoded_record operator()(const mode_record& m) const {
            encoded_record out{subject_key("MODE", m.subject).dump(), std::nullopt};
            if (m.mode) {
                ordered_json v;
                v["mode"] = std::string(mode_name(*m.mode));
                out.value = v.dump();
            }
            return out;
        }
        encoded_record operator()(const delete_subject_record& d) const {
            encoded_record out{subject_key("DELETE_SUBJECT", d.subject).dump(), std::nullopt};
            if (d.version) {
                ordered_json v;
                v["subject"] = d.subject;
                v["version"] = d.version->value();
                out.value = v.dump();
            }
            return out;
        }
        encoded_record operator()(const clear_subject_record& c) const {
            encoded_record out{subject_key("CLEAR_SUBJECT", c.subject).dump(), std::nullopt};
            if (!c.tombstone) {
                ordered_json v = ordered_json::object();
                if (c.subject) v["subject"] = *c.subject;
                out.value = v.dump();
            }
            return out;
        }
        encoded_record operator()(const noop_record&) const {
            ordered_json k = key_header("NOOP");
            k["magic"] = 0;
            return {k.dump(), std::nullopt};
        }
    };
    return std::visit(visitor{}, r);
}

result<std::optional<store_record>> decode_record(std::optional<std::string_view> key,
                                                  std::optional<std::string_view> value) {
    if (!key) return corrupt("record without a key");
    json k = json::parse(key->begin(), key->end(), nullptr, false);
    if (k.is_discarded() || !k.is_object()) return corrupt("key is not a JSON object");
    json v;
    if (value) {
        v = json::parse(value->begin(), value->end(), nullptr, false);
        if (v.is_discarded()) return corrupt("value is not JSON");
        if (!v.is_object() && !v.is_null()) return corrupt("value is not a JSON object");
    }
    const json* vp = value && !v.is_null() ? &v : nullptr;
    auto keytype = required_string(k, "keytype");
    if (!keytype.ok()) return keytype.err();
    if (auto magic = k.find("magic"); magic != k.end() && !magic->is_number_integer())
        return corrupt("\"magic\" is not an integer");
    result<store_record> r = corrupt("unreachable");
    if (*keytype == "SCHEMA") {
        r = decode_schema(k, vp);
    } else if (*keytype == "CONFIG") {
        r = decode_config(k, vp);
    } else if (*keytype == "MODE") {
        r = decode_mode(k, vp);
    } else if (*keytype == "DELETE_SUBJECT") {
        r = decode_delete_subject(k, vp);
    } else if (*keytype == "CLEAR_SUBJECT") {
        r = decode_clear_subject(k, vp);
    } else if (*keytype == "NOOP") {
        r = store_record(noop_record{});
    } else {
        return std::optional<store_record>();
    }
    if (!r.ok()) return corrupt(*keytype + " record: " + r.err().message);
    return std::optional<store_record>(std::move(*r));
}

}  // namespace spate::registry
