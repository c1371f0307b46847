#include <string>
#include <vector>

#include "sql/format/format_detail.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

class raw_decoder final : public record_decoder {
  public:
    explicit raw_decoder(const column_def& column) : _type(column.type) {}

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        for (size_t i = 0; i < records.size(); ++i) {
            const record_view& r = records[i];
            column& c = out.at(0);
            if (!r.value) {
                c.push_null();
            } else if (_type.id == type_id::text && !text_detail::is_valid_utf8(*r.value)) {
                failures.push_back({i, "record value is not valid UTF-8"});
                continue;
            } else if (_type.id == type_id::text) {
                auto v = text_detail::fit_varchar(*r.value, _type);
                if (!v) {
                    failures.push_back({i, v.error().message});
                    continue;
                }
                c.push_string(v.value());
            } else {
                c.push_string(*r.value);
            }
            append_hidden(r, out, 1, _order);
            out.sync_rows();
        }
    }

  private:
    data_type _type;
    std::vector<uint32_t> _order;
};

class raw_encoder final : public row_encoder {
  public:
    // NULL encodes as an empty value.
    void encode(const chunk& input, size_t row, std::string& out) override {
        out.clear();
        const column& c = input.at(0);
        if (c.is_null(row)) return;
        if (is_variable_width(c.type().id)) {
            out.append(c.strings().at(row));
        } else {
            format_text(c, row, out);
        }
    }
};

}  // namespace

std::unique_ptr<record_decoder> make_raw_decoder(const column_def& column) {
    return std::make_unique<raw_decoder>(column);
}

std::unique_ptr<row_encoder> make_raw_encoder() {
    return std::make_unique<raw_encoder>();
}

}  // namespace spate::sql::format_detail
