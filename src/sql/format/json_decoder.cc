#include <charconv>
#include <string>
#include <vector>

#include "sql/format/format_detail.h"
#include "sql/format/json_flat.h"
#include "sql/types/jsonb_simd.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

namespace od = simdjson::ondemand;
using namespace text_detail;

const char* json_type_name(od::json_type t) {
    switch (t) {
        case od::json_type::object:
            return "object";
        case od::json_type::array:
            return "array";
        case od::json_type::number:
            return "number";
        case od::json_type::string:
            return "string";
        case od::json_type::boolean:
            return "boolean";
        case od::json_type::null:
            return "null";
    }
    return "value";
}

// The integral value of a JSON number token, or an error.
sql_result<int64_t> integral_of(std::string_view token) {
    // Plain integers (the common case) without the decimal parser.
    int64_t plain = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), plain);
    if (ec == std::errc() && end == token.data() + token.size()) return plain;
    auto d = parse_decimal(token);
    if (!d) return d.error();
    __int128 v = d.value().unscaled;
    for (int32_t k = 0; k < d.value().scale; ++k) {
        if (v % 10 != 0) {
            return make_error(sql_errc::invalid_text_representation,
                              "number " + std::string(token) + " is not an integer");
        }
        v /= 10;
    }
    if (v > INT64_MAX || v < INT64_MIN) {
        return make_error(sql_errc::numeric_value_out_of_range,
                          "number " + std::string(token) + " is out of range");
    }
    return static_cast<int64_t>(v);
}

sql_status check_range(int64_t v, int64_t min, int64_t max, std::string_view type) {
    if (v < min || v > max) {
        return make_error(
            sql_errc::numeric_value_out_of_range,
            "value " + std::to_string(v) + " is out of range for type " + std::string(type));
    }
    return {};
}

sql_status decode_number(od::value& v, column& out) {
    std::string_view token = trim(v.raw_json_token());
    const data_type& t = out.type();
    switch (t.id) {
        case type_id::int16:
        case type_id::int32:
        case type_id::int64: {
            auto i = integral_of(token);
            if (!i) return i.error();
            if (t.id == type_id::int16) {
                if (auto st = check_range(i.value(), INT16_MIN, INT16_MAX, "smallint"); !st) {
                    return st;
                }
                out.push<int16_t>(static_cast<int16_t>(i.value()));
            } else if (t.id == type_id::int32) {
                if (auto st = check_range(i.value(), INT32_MIN, INT32_MAX, "integer"); !st) {
                    return st;
                }
                out.push<int32_t>(static_cast<int32_t>(i.value()));
            } else {
                out.push<int64_t>(i.value());
            }
            return {};
        }
        case type_id::timestamp:
        case type_id::timestamptz: {
            auto ms = integral_of(token);
            if (!ms) return ms.error();
            int64_t micros = 0;
            if (__builtin_mul_overflow(ms.value(), int64_t{1000}, &micros)) {
                return make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
            }
            out.push<int64_t>(micros);
            return {};
        }
        case type_id::float32:
        case type_id::float64:
        case type_id::numeric:
            return parse_text(token, t, out);
        case type_id::text:
        case type_id::unknown:
            return parse_text(token, t, out);  // PostgreSQL-like: the number's text
        default:
            return make_error(sql_errc::datatype_mismatch,
                              "expected " + type_display(t) + ", got number");
    }
}

sql_status decode_field(od::value& v, column& out) {
    od::json_type jt;
    if (auto e = v.type().get(jt))
        return make_error(sql_errc::invalid_text_representation, simdjson::error_message(e));
    const data_type& t = out.type();
    if (jt == od::json_type::null) {
        bool is_null = false;
        if (v.is_null().get(is_null) || !is_null) {
            return make_error(sql_errc::invalid_text_representation, "invalid JSON literal");
        }
        out.push_null();
        return {};
    }
    if (t.id == type_id::jsonb) {
        string_data& sd = out.strings();
        size_t mark = sd.bytes.size();
        if (auto st = normalise_jsonb_value(v, sd.bytes); !st) {
            sd.bytes.resize(mark);
            return st;
        }
        sd.offsets.push_back(static_cast<uint32_t>(sd.bytes.size()));
        out.nulls().push_back(0);
        return {};
    }
    switch (jt) {
        case od::json_type::string: {
            std::string_view s;
            if (auto e = v.get_string().get(s)) {
                return make_error(sql_errc::invalid_text_representation,
                                  simdjson::error_message(e));
            }
            return parse_text(s, t, out);
        }
        case od::json_type::number:
            return decode_number(v, out);
        case od::json_type::boolean: {
            bool b = false;
            if (auto e = v.get_bool().get(b)) {
                return make_error(sql_errc::invalid_text_representation,
                                  simdjson::error_message(e));
            }
            if (t.id == type_id::boolean) {
                out.push<uint8_t>(b ? 1 : 0);
                return {};
            }
            if (t.id == type_id::text || t.id == type_id::unknown) {
                return parse_text(b ? "true" : "false", t, out);
            }
            break;
        }
        default:
            break;
    }
    return make_error(sql_errc::datatype_mismatch,
                      "expected " + type_display(t) + ", got " + json_type_name(jt));
}

class json_decoder final : public record_decoder {
  public:
    json_decoder(std::span<const column_def> declared, bool flat_path, uint32_t hidden_read)
        : _declared(declared.begin(), declared.end())
        , _seen(declared.size())
        , _flat_path(flat_path)
        , _hidden_read(hidden_read)
        , _flat(declared) {}

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        decode_each(
            records, out, failures, _declared.size(), _order,
            [this](const record_view& r, chunk& c) { return decode_one(r, c); }, _hidden_read);
    }

  private:
    sql_status decode_one(const record_view& r, chunk& out) {
        if (!r.value) return make_error(sql_errc::invalid_text_representation, "null record value");
        std::string_view text = *r.value;
        if (_flat_path && _flat.decode(text, out, out.rows())) return {};
        _buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
        _buffer.assign(text);
        od::document doc;
        od::object obj;
        if (auto e = _parser.iterate(_buffer.data(), text.size(), _buffer.capacity()).get(doc)) {
            return json_failure(e);
        }
        if (doc.get_object().get(obj) != simdjson::SUCCESS) {
            return make_error(sql_errc::datatype_mismatch, "record value is not a JSON object");
        }
        std::fill(_seen.begin(), _seen.end(), 0);
        size_t rows = out.rows();
        for (auto field : obj) {
            std::string_view key;
            if (auto e = field.unescaped_key().get(key)) return json_failure(e);
            size_t c = find_column(key);
            od::value v;
            if (auto e = field.value().get(v)) return json_failure(e);
            if (c == _declared.size()) continue;  // extra field: ignored (skipped by ondemand)
            column& col = out.at(c);
            if (_seen[c]) col.truncate(rows);  // the last duplicate wins
            _seen[c] = 1;
            if (auto st = decode_field(v, col); !st) {
                return make_error(st.error().code,
                                  "column \"" + _declared[c].name + "\": " + st.error().message);
            }
        }
        const char* loc = nullptr;
        if (doc.current_location().get(loc) == simdjson::SUCCESS) {
            return json_failure(simdjson::TRAILING_CONTENT);
        }
        for (size_t c = 0; c < _declared.size(); ++c) {
            if (!_seen[c]) out.at(c).push_null();
        }
        return {};
    }

    static sql_error json_failure(simdjson::error_code e) {
        return make_error(sql_errc::invalid_text_representation,
                          std::string("invalid JSON: ") + simdjson::error_message(e));
    }

    size_t find_column(std::string_view key) const {
        for (size_t c = 0; c < _declared.size(); ++c) {
            if (_declared[c].name == key) return c;
        }
        for (size_t c = 0; c < _declared.size(); ++c) {
            if (field_matches_column(key, _declared[c].name)) return c;
        }
        return _declared.size();
    }

    std::vector<column_def> _declared;
    std::vector<uint8_t> _seen;
    std::vector<uint32_t> _order;
    std::string _buffer;
    od::parser _parser;
    bool _flat_path;
    uint32_t _hidden_read;
    json_flat_decoder _flat;  // tried first; this path decodes what it declines
};

}  // namespace

std::unique_ptr<record_decoder> make_json_decoder(std::span<const column_def> declared,
                                                  bool flat_path, uint32_t hidden_read) {
    return std::make_unique<json_decoder>(declared, flat_path, hidden_read);
}

}  // namespace spate::sql::format_detail
