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
            std::string key;
            append_json_string(c.name, key);
            key.push_back(':');
            _keys.push_back(std::move(key));
        }
    }

    void encode(const chunk& input, size_t row, std::string& out) override {
        SPATE_ASSERT(input.width() == _keys.size());
        out.clear();
        out.push_back('{');
        for (size_t c = 0; c < input.width(); ++c) {
            if (c > 0) out.push_back(',');
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
            default:  // bytea, dates, times, timestamps, intervals: their text
                _text.clear();
                format_text(c, row, _text);
                append_json_string(_text, out);
                return;
        }
    }

    std::vector<std::string> _keys;  // "\"name\":" per column
    std::string _text;
};

}  // namespace

std::unique_ptr<row_encoder> make_json_encoder(std::span<const column_def> columns) {
    return std::make_unique<json_encoder>(columns);
}

}  // namespace spate::sql::format_detail
