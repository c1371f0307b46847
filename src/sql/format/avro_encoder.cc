#include "base/log.h"
#include "sql/format/avro_binding.h"
#include "sql/format/format_detail.h"
#include "sql/format/registry_codecs.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

// Whether a non-null value of column type `t` can be written as `n`.
bool writable(const avro_node& n, type_id t) {
    switch (n.kind) {
        case avro_kind::boolean:
            return t == type_id::boolean;
        case avro_kind::int32:
            if (n.logical == avro_logical::date) return t == type_id::date;
            if (n.logical == avro_logical::time_millis) return t == type_id::time;
            return t == type_id::int16 || t == type_id::int32;
        case avro_kind::int64:
            switch (n.logical) {
                case avro_logical::time_micros:
                    return t == type_id::time;
                case avro_logical::none:
                    return is_integer(t);
                default:
                    return t == type_id::timestamp || t == type_id::timestamptz;
            }
        case avro_kind::float32:
            return t == type_id::float32;
        case avro_kind::float64:
            return t == type_id::float32 || t == type_id::float64;
        case avro_kind::string:
            return true;  // the PostgreSQL text of any value
        case avro_kind::bytes:
        case avro_kind::fixed:
            if (n.logical == avro_logical::decimal)
                return t == type_id::numeric && n.precision <= k_max_numeric_digits;
            return n.kind == avro_kind::bytes && t == type_id::bytea;
        case avro_kind::enumeration:
            return t == type_id::text;
        default:
            return false;
    }
}

// How one field of the writer's record is filled.
struct field_plan {
    int column = -1;       // -1: always null
    int null_branch = -1;  // union branch holding null; -1: the field is not a union
    int value_branch = -1;
    const avro_node* value = nullptr;  // the type values are written as
};

// The minimal big-endian two's complement bytes of `v` (Avro decimal).
void twos_complement(__int128 v, std::string& out) {
    uint8_t buf[16];
    auto u = static_cast<unsigned __int128>(v);
    for (int i = 15; i >= 0; --i, u >>= 8)
        buf[i] = static_cast<uint8_t>(u & 0xff);
    int skip = 0;
    while (skip < 15 && ((buf[skip] == 0x00 && (buf[skip + 1] & 0x80) == 0) ||
                         (buf[skip] == 0xff && (buf[skip + 1] & 0x80) != 0)))
        ++skip;
    out.assign(reinterpret_cast<const char*>(buf + skip), static_cast<size_t>(16 - skip));
}

class avro_encoder final : public row_encoder {
  public:
    avro_encoder(std::unique_ptr<avro_binding> b, std::vector<field_plan> plan, int32_t id)
        : _binding(std::move(b)), _plan(std::move(plan)), _id(id) {
        _writer = avro_writer_memory(nullptr, 0);
    }
    ~avro_encoder() override { avro_writer_free(_writer); }

    void encode(const chunk& input, size_t row, std::string& out) override {
        avro_value_t& record = _binding->value();
        for (size_t f = 0; f < _plan.size(); ++f) {
            avro_value_t field;
            SPATE_ASSERT(avro_value_get_by_index(&record, f, &field, nullptr) == 0);
            const field_plan& p = _plan[f];
            bool null = p.column < 0 || input.at(static_cast<size_t>(p.column)).is_null(row);
            if (!null && write_field(field, p, input.at(static_cast<size_t>(p.column)), row))
                continue;
            avro_value_t branch;
            SPATE_ASSERT(avro_value_set_branch(&field, p.null_branch, &branch) == 0);
            SPATE_ASSERT(avro_value_set_null(&branch) == 0);
        }
        size_t size = 0;
        SPATE_ASSERT(avro_value_sizeof(&record, &size) == 0);
        out.clear();
        append_framing(_id, out);
        size_t header = out.size();
        out.resize(header + size);
        avro_writer_memory_set_dest(_writer, out.data() + header, static_cast<int64_t>(size));
        SPATE_ASSERT_MSG(avro_value_write(_writer, &record) == 0, avro_error_text().c_str());
    }

  private:
    // Writes the non-null value; false when it cannot be (logged; the field
    // is written as null).
    bool write_field(avro_value_t& field, const field_plan& p, const column& c, size_t row) {
        avro_value_t v = field;
        if (p.null_branch >= 0)
            SPATE_ASSERT(avro_value_set_branch(&field, p.value_branch, &v) == 0);
        const avro_node& n = *p.value;
        int rc = 0;
        switch (n.kind) {
            case avro_kind::boolean:
                rc = avro_value_set_boolean(&v, c.values<uint8_t>()[row]);
                break;
            case avro_kind::int32:
                rc = avro_value_set_int(&v, int32_value(n, c, row));
                break;
            case avro_kind::int64:
                rc = avro_value_set_long(&v, int64_value(n, c, row));
                break;
            case avro_kind::float32:
                rc = avro_value_set_float(&v, c.values<float>()[row]);
                break;
            case avro_kind::float64:
                rc = avro_value_set_double(&v, c.type().id == type_id::float32
                                                   ? c.values<float>()[row]
                                                   : c.values<double>()[row]);
                break;
            case avro_kind::string:
                _text.clear();
                if (is_string_like(c.type().id)) {
                    _text.append(c.strings().at(row));
                } else {
                    format_text(c, row, _text);
                }
                rc = avro_value_set_string_len(&v, _text.c_str(), _text.size() + 1);
                break;
            case avro_kind::enumeration:
                return write_enum(v, n, c.strings().at(row));
            default:
                if (n.logical == avro_logical::decimal) return write_decimal(v, n, c, row);
                std::string_view b = c.strings().at(row);
                rc = avro_value_set_bytes(&v, const_cast<char*>(b.data()), b.size());
                break;
        }
        SPATE_ASSERT_MSG(rc == 0, avro_error_text().c_str());
        return true;
    }

    static int32_t int32_value(const avro_node& n, const column& c, size_t row) {
        if (n.logical == avro_logical::time_millis)
            return static_cast<int32_t>(c.values<int64_t>()[row] / 1000);
        if (c.type().id == type_id::int16) return c.values<int16_t>()[row];
        return c.values<int32_t>()[row];
    }

    static int64_t int64_value(const avro_node& n, const column& c, size_t row) {
        switch (c.type().id) {
            case type_id::int16:
                return c.values<int16_t>()[row];
            case type_id::int32:
                return c.values<int32_t>()[row];
            default:
                break;
        }
        int64_t v = c.values<int64_t>()[row];
        bool millis = n.logical == avro_logical::timestamp_millis ||
                      n.logical == avro_logical::local_timestamp_millis;
        if (!millis) return v;
        return v >= 0 ? v / 1000 : -((-v + 999) / 1000);  // floor
    }

    bool write_decimal(avro_value_t& v, const avro_node& n, const column& c, size_t row) {
        decimal d = c.values<decimal>()[row];
        data_type t =
            data_type::numeric(static_cast<int16_t>(n.precision), static_cast<int16_t>(n.scale));
        if (auto st = text_detail::fit_numeric(d, t); !st.ok()) {
            logging::get("sql").error("Avro sink schema {}: {}; written as null", _id,
                                      st.error().message);
            return false;
        }
        twos_complement(d.unscaled, _text);
        if (n.kind == avro_kind::fixed) {
            // A fixed decimal is sign-extended to the fixed size.
            size_t size = n.size;
            if (size < _text.size()) {
                logging::get("sql").error(
                    "Avro sink schema {}: decimal wider than its fixed; "
                    "written as null",
                    _id);
                return false;
            }
            char fill = d.unscaled < 0 ? '\xff' : '\0';
            _text.insert(0, size - _text.size(), fill);
            SPATE_ASSERT(avro_value_set_fixed(&v, _text.data(), _text.size()) == 0);
            return true;
        }
        SPATE_ASSERT(avro_value_set_bytes(&v, _text.data(), _text.size()) == 0);
        return true;
    }

    bool write_enum(avro_value_t& v, const avro_node& n, std::string_view symbol) {
        for (size_t i = 0; i < n.symbols.size(); ++i) {
            if (n.symbols[i] == symbol) {
                SPATE_ASSERT(avro_value_set_enum(&v, static_cast<int>(i)) == 0);
                return true;
            }
        }
        logging::get("sql").error(
            "Avro sink schema {}: \"{}\" is not a symbol of enum {}; "
            "written as null",
            _id, symbol, n.name);
        return false;
    }

    std::unique_ptr<avro_binding> _binding;
    std::vector<field_plan> _plan;
    int32_t _id;
    avro_writer_t _writer = nullptr;
    std::string _text;
};

sql_error unwritable(const registered_schema& s, const std::string& what) {
    return make_error(sql_errc::datatype_mismatch,
                      "Avro schema " + std::to_string(s.id) + ": " + what);
}

sql_result<field_plan> plan_field(const registered_schema& s, const std::string& name,
                                  const avro_node& n, std::span<const column_def> columns) {
    field_plan p;
    for (size_t c = 0; c < columns.size() && p.column < 0; ++c)
        if (columns[c].name == name) p.column = static_cast<int>(c);
    if (n.kind != avro_kind::union_of)
        return unwritable(s, "field \"" + name + "\" is not nullable (a sink's fields must be)");
    for (size_t b = 0; b < n.children.size(); ++b) {
        const avro_node& branch = *n.children[b];
        if (branch.kind == avro_kind::null) {
            if (p.null_branch < 0) p.null_branch = static_cast<int>(b);
        } else if (p.column >= 0 && p.value == nullptr &&
                   writable(branch, columns[static_cast<size_t>(p.column)].type.id)) {
            p.value_branch = static_cast<int>(b);
            p.value = &branch;
        }
    }
    if (p.null_branch < 0)
        return unwritable(s, "field \"" + name + "\" is not nullable (a sink's fields must be)");
    if (p.column >= 0 && p.value == nullptr)
        return unwritable(s, "field \"" + name + "\" cannot hold " +
                                 type_display(columns[static_cast<size_t>(p.column)].type));
    return p;
}

}  // namespace

sql_result<std::unique_ptr<row_encoder>> make_avro_encoder(std::span<const column_def> columns,
                                                           registered_schema_ptr writer) {
    auto b = avro_binding::create(*writer);
    if (!b.ok()) return b.error();
    const avro_node& root = b.value()->root();
    if (root.kind != avro_kind::record) return unwritable(*writer, "not a record");
    std::vector<field_plan> plan;
    for (size_t f = 0; f < root.field_names.size(); ++f) {
        auto p = plan_field(*writer, root.field_names[f], *root.children[f], columns);
        if (!p.ok()) return p.error();
        plan.push_back(p.value());
    }
    for (const column_def& c : columns) {
        bool found = false;
        for (const auto& n : root.field_names)
            found = found || n == c.name;
        if (!found) return unwritable(*writer, "no field for column \"" + c.name + "\"");
    }
    return std::unique_ptr<row_encoder>(
        std::make_unique<avro_encoder>(std::move(b.value()), std::move(plan), writer->id));
}

}  // namespace spate::sql::format_detail
