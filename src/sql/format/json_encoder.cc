#include <cmath>
#include <string>
#include <vector>

#include "sql/format/format_detail.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

using namespace text_detail;

class json_encoder final : public row_encoder {
  public:
    explicit json_encoder(std::span<const column_def> columns) {
        for (const column_def& c : columns) {
            std::string key(_keys.empty() ? "{" : ",");
            append_json_string(c.name, key);
            key.push_back(':');
            _keys.push_back(std::move(key));
        }
    }

    void encode(const chunk& input, size_t row, std::string& out) override {
        SPATE_ASSERT(input.width() == _keys.size());
        out.clear();
        if (_keys.empty()) out.push_back('{');
        for (size_t c = 0; c < input.width(); ++c) {
            out += _keys[c];
            append_value(input.at(c), row, out);
        }
        out.push_back('}');
    }

  private:
    void append_value(const column& c, size_t row, std::string& out) {
        if (c.is_null(row)) {
            out += "null";
            return;
        }
        switch (c.type().id) {
            case type_id::boolean:
                out += c.values<uint8_t>()[row] ? "true" : "false";
                return;
            case type_id::int16:
            case type_id::int32:
            case type_id::int64:
            case type_id::numeric:
            case type_id::jsonb:
                format_text(c, row, out);
                return;
            case type_id::float32:
            case type_id::float64: {
                double v = c.type().id == type_id::float32 ? c.values<float>()[row]
                                                           : c.values<double>()[row];
                if (std::isfinite(v)) {
                    format_text(c, row, out);
                } else {
                    out.push_back('"');
                    format_text(c, row, out);
                    out.push_back('"');
                }
                return;
            }
            case type_id::text:
            case type_id::unknown:
                append_json_string(c.strings().at(row), out);
                return;
            case type_id::timestamp:
            case type_id::timestamptz:
                append_timestamp(c.values<int64_t>()[row], c.type().id == type_id::timestamptz,
                                 out);
                return;
            default:  // bytea, dates, times, timestamps, intervals: their text
                _text.clear();
                format_text(c, row, _text);
                append_json_string(_text, out);
                return;
        }
    }

    // As format_text prints it, in quotes (no character needs escaping). A
    // day of years 1..9999 keeps its "YYYY-MM-DD" for the rows after it.
    void append_timestamp(int64_t micros, bool with_zone, std::string& out) {
        int64_t day = micros / k_micros_per_day - (micros % k_micros_per_day < 0 ? 1 : 0);
        if (day != _day) {
            if (day < k_first_plain_day || day > k_last_plain_day) {
                _text.clear();
                format_timestamp(micros, with_zone, _text);
                append_json_string(_text, out);
                return;
            }
            _day = day;
            _day_text.clear();
            format_date(static_cast<int32_t>(day), _day_text);
            _day_text.push_back(' ');
        }
        out.push_back('"');
        out += _day_text;
        append_hms(micros - day * k_micros_per_day, out);
        if (with_zone) out += "+00";
        out.push_back('"');
    }

    // 0001-01-01 and 9999-12-31: four-digit years, no era.
    static constexpr int64_t k_first_plain_day = -719162;
    static constexpr int64_t k_last_plain_day = 2932896;

    std::vector<std::string> _keys;  // "{\"name\":" for the first column, ",\"name\":" after
    std::string _text;
    int64_t _day = INT64_MIN;
    std::string _day_text;  // "YYYY-MM-DD " of _day
};

}  // namespace

std::unique_ptr<row_encoder> make_json_encoder(std::span<const column_def> columns) {
    return std::make_unique<json_encoder>(columns);
}

}  // namespace spate::sql::format_detail
