#include "sql/format/registry_format.h"

#include <set>

#include "sql/format/registry_codecs.h"

namespace spate::sql {

namespace {

// Every reference of `refs`, transitively, dependencies first, each once.
sql_status resolve_references(registry::service& s,
                              const std::vector<registry::schema_reference>& refs,
                              std::set<std::pair<std::string, int32_t>>& seen,
                              std::vector<registry::resolved_reference>& out) {
    for (const auto& r : refs) {
        if (!seen.insert({r.subject, r.version.value()}).second) continue;
        auto v = s.get_version(r.subject, registry::version_selector::of(r.version.value()), true);
        if (!v.ok())
            return make_error(sql_errc::io_error,
                              "schema reference " + r.name + " (" + r.subject + " version " +
                                  std::to_string(r.version.value()) + "): " + v.err().message);
        if (auto st = resolve_references(s, v.value().references, seen, out); !st.ok()) return st;
        out.push_back({r, v.value().schema});
    }
    return {};
}

class registry_lookup final : public schema_lookup {
  public:
    explicit registry_lookup(std::shared_ptr<registry::service> s) : _service(std::move(s)) {}

    sql_result<registered_schema_ptr> by_id(int32_t id) override {
        {
            std::lock_guard lock(_mu);
            auto it = _cache.find(id);
            if (it != _cache.end()) return it->second;
        }
        auto got = _service->get_schema(registry::schema_id(id), "");
        if (!got.ok()) {
            if (got.err().code == registry::registry_errc::schema_not_found)
                return make_error(sql_errc::undefined_object,
                                  "schema id " + std::to_string(id) + " is not registered");
            return make_error(sql_errc::io_error,
                              "schema id " + std::to_string(id) + ": " + got.err().message);
        }
        auto s = std::make_shared<registered_schema>();
        s->id = id;
        s->type = got.value().type;
        s->text = got.value().schema;
        std::set<std::pair<std::string, int32_t>> seen;
        if (auto st = resolve_references(*_service, got.value().references, seen, s->references);
            !st.ok())
            return st.error();
        std::lock_guard lock(_mu);
        return _cache.emplace(id, std::move(s)).first->second;
    }

  private:
    std::shared_ptr<registry::service> _service;
    std::mutex _mu;
    std::map<int32_t, registered_schema_ptr> _cache;
};

}  // namespace

void static_schema_lookup::add(registered_schema s) {
    std::lock_guard lock(_mu);
    int32_t id = s.id;
    _schemas[id] = std::make_shared<registered_schema>(std::move(s));
}

sql_result<registered_schema_ptr> static_schema_lookup::by_id(int32_t id) {
    std::lock_guard lock(_mu);
    auto it = _schemas.find(id);
    if (it == _schemas.end())
        return make_error(sql_errc::undefined_object,
                          "schema id " + std::to_string(id) + " is not registered");
    return it->second;
}

std::shared_ptr<schema_lookup> make_registry_lookup(std::shared_ptr<registry::service> s) {
    return std::make_shared<registry_lookup>(std::move(s));
}

bool is_registry_format(record_format f) {
    return f == record_format::avro || f == record_format::protobuf || f == record_format::json_sr;
}

registry::schema_type registry_schema_type(record_format f) {
    switch (f) {
        case record_format::protobuf:
            return registry::schema_type::protobuf;
        case record_format::json_sr:
            return registry::schema_type::json;
        default:
            return registry::schema_type::avro;
    }
}

sql_result<framed_value> parse_framing(std::optional<std::string_view> value) {
    if (!value)
        return make_error(sql_errc::invalid_text_representation,
                          "null record value (expected a schema registry header)");
    if (value->size() < 5 || (*value)[0] != '\0')
        return make_error(sql_errc::invalid_text_representation,
                          "record value has no schema registry header (magic byte 0 and a "
                          "4-byte schema id)");
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>((*value)[i])); };
    framed_value f;
    f.schema_id = static_cast<int32_t>(b(1) << 24 | b(2) << 16 | b(3) << 8 | b(4));
    f.payload = value->substr(5);
    return f;
}

void append_framing(int32_t id, std::string& out) {
    auto u = static_cast<uint32_t>(id);
    out.push_back('\0');
    out.push_back(static_cast<char>(u >> 24));
    out.push_back(static_cast<char>(u >> 16 & 0xff));
    out.push_back(static_cast<char>(u >> 8 & 0xff));
    out.push_back(static_cast<char>(u & 0xff));
}

sql_result<std::vector<column_def>> columns_from_schema(const registered_schema& s,
                                                        std::string_view message) {
    switch (s.type) {
        case registry::schema_type::avro:
            return format_detail::avro_columns(s);
        case registry::schema_type::json:
            return format_detail::json_schema_columns(s);
        case registry::schema_type::protobuf:
            return format_detail::protobuf_columns(s, message);
    }
    return make_error(sql_errc::internal_error, "unknown schema type");
}

sql_result<registry::schema_input> sink_schema(record_format f, std::string_view name,
                                               std::span<const column_def> columns) {
    registry::schema_input in;
    in.type = registry_schema_type(f);
    sql_result<std::string> text = make_error(sql_errc::internal_error, "not a registry format");
    switch (f) {
        case record_format::avro:
            text = format_detail::avro_sink_schema(name, columns);
            break;
        case record_format::json_sr:
            text = format_detail::json_sink_schema(name, columns);
            break;
        case record_format::protobuf:
            text = format_detail::protobuf_sink_schema(name, columns);
            break;
        default:
            break;
    }
    if (!text.ok()) return text.error();
    in.schema = std::move(text.value());
    return in;
}

namespace format_detail {

sql_result<registered_schema_ptr> writer_schema(schema_lookup& schemas, int32_t id,
                                                registry::schema_type want) {
    auto s = schemas.by_id(id);
    if (!s.ok()) return s.error();
    if (s.value()->type != want)
        return make_error(sql_errc::datatype_mismatch,
                          "schema id " + std::to_string(id) + " is a " +
                              std::string(registry::schema_type_name(s.value()->type)) +
                              " schema, not " + std::string(registry::schema_type_name(want)));
    return s;
}

}  // namespace format_detail

}  // namespace spate::sql
