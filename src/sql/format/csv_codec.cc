#include <string>
#include <vector>

#include "sql/format/format_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

// One parsed field: bytes [begin, begin + size) of the scratch buffer.
struct csv_field {
    size_t begin = 0;
    size_t size = 0;
    bool null = false;
};

// Splits one RFC 4180 record (one trailing line break allowed) into fields,
// unquoting into `scratch`. Returns false on a malformed quote.
bool split_csv(std::string_view s, char delim, std::string& scratch,
               std::vector<csv_field>& fields) {
    scratch.clear();
    fields.clear();
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    size_t i = 0;
    while (true) {
        csv_field f{scratch.size(), 0, false};
        if (i < s.size() && s[i] == '"') {
            ++i;
            while (true) {
                if (i >= s.size()) return false;  // unterminated quote
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') {
                        scratch.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                scratch.push_back(s[i++]);
            }
            if (i < s.size() && s[i] != delim) return false;  // text after closing quote
        } else {
            size_t start = i;
            while (i < s.size() && s[i] != delim) {
                if (s[i] == '"') return false;
                ++i;
            }
            scratch.append(s, start, i - start);
            f.null = i == start;
        }
        f.size = scratch.size() - f.begin;
        fields.push_back(f);
        if (i >= s.size()) return true;
        ++i;  // delimiter
    }
}

class csv_decoder final : public record_decoder {
  public:
    csv_decoder(std::span<const column_def> declared, const decoder_options& o)
        : _declared(declared.begin(), declared.end()), _options(o), _check_header(o.csv_header) {}

    void decode(std::span<const record_view> records, chunk& out,
                std::vector<decode_failure>& failures) override {
        for (size_t i = 0; i < records.size(); ++i) {
            size_t rows = out.rows();
            bool skip = false;
            sql_status st = decode_one(records[i], out, skip);
            if (skip) continue;
            if (st.ok()) {
                append_hidden(records[i], out, _declared.size(), _order);
                out.sync_rows();
            } else {
                rollback(out, rows);
                failures.push_back({i, st.error().message});
            }
        }
    }

  private:
    sql_status decode_one(const record_view& r, chunk& out, bool& skip) {
        if (!r.value) return make_error(sql_errc::invalid_text_representation, "null record value");
        if (!split_csv(*r.value, _options.csv_delimiter, _scratch, _fields)) {
            return make_error(sql_errc::invalid_text_representation, "malformed CSV quoting");
        }
        if (_check_header) {
            _check_header = false;
            if (is_header()) {
                skip = true;
                return {};
            }
        }
        if (_fields.size() != _declared.size()) {
            return make_error(sql_errc::invalid_text_representation,
                              "expected " + std::to_string(_declared.size()) + " CSV fields, got " +
                                  std::to_string(_fields.size()));
        }
        for (size_t c = 0; c < _fields.size(); ++c) {
            const csv_field& f = _fields[c];
            if (f.null) {
                out.at(c).push_null();
                continue;
            }
            std::string_view text = std::string_view(_scratch).substr(f.begin, f.size);
            if (auto st = parse_text(text, _declared[c].type, out.at(c)); !st) {
                return make_error(st.error().code,
                                  "column \"" + _declared[c].name + "\": " + st.error().message);
            }
        }
        return {};
    }

    bool is_header() const {
        if (_fields.size() != _declared.size()) return false;
        for (size_t c = 0; c < _fields.size(); ++c) {
            std::string_view text =
                std::string_view(_scratch).substr(_fields[c].begin, _fields[c].size);
            if (text != _declared[c].name) return false;
        }
        return true;
    }

    std::vector<column_def> _declared;
    decoder_options _options;
    bool _check_header;
    std::string _scratch;
    std::vector<csv_field> _fields;
    std::vector<uint32_t> _order;
};

void append_csv_field(std::string_view v, char delim, std::string& out) {
    bool quote = v.empty();
    for (char c : v)
        quote = quote || c == delim || c == '"' || c == '\r' || c == '\n';
    if (!quote) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

class csv_encoder final : public row_encoder {
  public:
    void encode(const chunk& input, size_t row, std::string& out) override {
        out.clear();
        for (size_t c = 0; c < input.width(); ++c) {
            if (c > 0) out.push_back(',');
            const column& col = input.at(c);
            if (col.is_null(row)) continue;  // NULL: an empty unquoted field
            _value.clear();
            format_text(col, row, _value);
            append_csv_field(_value, ',', out);
        }
    }

  private:
    std::string _value;
};

}  // namespace

std::unique_ptr<record_decoder> make_csv_decoder(std::span<const column_def> declared,
                                                 const decoder_options& o) {
    return std::make_unique<csv_decoder>(declared, o);
}

std::unique_ptr<row_encoder> make_csv_encoder(std::span<const column_def>) {
    return std::make_unique<csv_encoder>();
}

}  // namespace spate::sql::format_detail
