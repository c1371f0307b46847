#include "sql/format/format.h"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <variant>

#include "sql/format/format_detail.h"
#include "sql/format/registry_codecs.h"
#include "sql/types/text_detail.h"

namespace spate::sql {

namespace {

sql_error no_registry(record_format f) {
    return make_error(sql_errc::feature_not_supported,
                      "format '" + std::string(format_name(f)) +
                          "' needs the schema registry, which this server does not run");
}

}  // namespace

sql_result<record_format> parse_record_format(std::string_view name) {
    if (text_detail::iequals(name, "json")) return record_format::json;
    if (text_detail::iequals(name, "csv")) return record_format::csv;
    if (text_detail::iequals(name, "raw")) return record_format::raw;
    if (text_detail::iequals(name, "avro")) return record_format::avro;
    if (text_detail::iequals(name, "protobuf")) return record_format::protobuf;
    if (text_detail::iequals(name, "json_sr")) return record_format::json_sr;
    return make_error(sql_errc::invalid_parameter_value,
                      "unknown record format \"" + std::string(name) +
                          "\" (expected json, csv, raw, avro, protobuf or json_sr)");
}

std::string_view format_name(record_format f) {
    switch (f) {
        case record_format::json:
            return "json";
        case record_format::csv:
            return "csv";
        case record_format::raw:
            return "raw";
        case record_format::avro:
            return "avro";
        case record_format::protobuf:
            return "protobuf";
        case record_format::json_sr:
            return "json_sr";
    }
    return "unknown";
}

const std::vector<column_def>& hidden_columns() {
    static const std::vector<column_def> k_hidden{
        {"_partition", data_type::of(type_id::int32)},
        {"_offset", data_type::of(type_id::int64)},
        {"_timestamp", data_type::of(type_id::timestamptz)},
        {"_key", data_type::of(type_id::bytea)},
        {"_headers", data_type::of(type_id::jsonb)},
        {"_proctime", data_type::of(type_id::timestamptz)},
    };
    return k_hidden;
}

std::vector<data_type> source_column_types(std::span<const column_def> declared) {
    std::vector<data_type> out;
    out.reserve(declared.size() + hidden_columns().size());
    for (const column_def& d : declared)
        out.push_back(d.type);
    for (const column_def& d : hidden_columns())
        out.push_back(d.type);
    return out;
}

chunk make_source_chunk(std::span<const column_def> declared) {
    std::vector<column> cols;
    for (const data_type& t : source_column_types(declared))
        cols.emplace_back(t);
    return chunk(std::move(cols));
}

sql_result<std::unique_ptr<record_decoder>> make_decoder(record_format f,
                                                         std::span<const column_def> declared,
                                                         const decoder_options& o,
                                                         std::shared_ptr<schema_lookup> schemas) {
    if (is_registry_format(f) && !schemas) return no_registry(f);
    switch (f) {
        case record_format::json:
            return format_detail::make_json_decoder(declared, true, o.hidden_read);
        case record_format::csv:
            return format_detail::make_csv_decoder(declared, o);
        case record_format::raw:
            if (declared.size() != 1 ||
                (declared[0].type.id != type_id::bytea && declared[0].type.id != type_id::text)) {
                return make_error(sql_errc::invalid_parameter_value,
                                  "FORMAT RAW needs exactly one column of type BYTEA or TEXT");
            }
            return format_detail::make_raw_decoder(declared[0]);
        case record_format::avro:
            return format_detail::make_avro_decoder(declared, std::move(schemas));
        case record_format::protobuf:
            return format_detail::make_protobuf_decoder(declared, std::move(schemas));
        case record_format::json_sr:
            return format_detail::make_json_sr_decoder(declared, std::move(schemas));
    }
    return make_error(sql_errc::internal_error, "unknown record format");
}

sql_result<std::unique_ptr<row_encoder>> make_encoder(record_format f,
                                                      std::span<const column_def> columns,
                                                      registered_schema_ptr writer) {
    if (is_registry_format(f) && !writer) return no_registry(f);
    switch (f) {
        case record_format::json:
            return format_detail::make_json_encoder(columns);
        case record_format::csv:
            return format_detail::make_csv_encoder(columns);
        case record_format::raw:
            if (columns.size() != 1) {
                return make_error(sql_errc::invalid_parameter_value,
                                  "FORMAT RAW needs exactly one column");
            }
            return format_detail::make_raw_encoder();
        case record_format::avro:
            return format_detail::make_avro_encoder(columns, std::move(writer));
        case record_format::protobuf:
            return format_detail::make_protobuf_encoder(columns, std::move(writer));
        case record_format::json_sr:
            return format_detail::make_json_sr_encoder(columns, std::move(writer));
    }
    return make_error(sql_errc::internal_error, "unknown record format");
}

namespace format_detail {

void rollback(chunk& out, size_t rows) {
    for (column& c : out.columns()) {
        if (c.size() > rows) c.truncate(rows);
    }
}

void append_hidden(const record_view& r, chunk& out, size_t first, std::vector<uint32_t>& order,
                   uint32_t read) {
    if (read & 1u) out.at(first).push<int32_t>(r.partition);
    if (read & 2u) out.at(first + 1).push<int64_t>(r.offset);
    if (read & 4u) {
        if (r.timestamp_ms < 0) {
            out.at(first + 2).push_null();
        } else {
            out.at(first + 2).push<int64_t>(r.timestamp_ms * 1000);
        }
    }
    if (read & 8u) {
        if (r.key) {
            out.at(first + 3).push_string(*r.key);
        } else {
            out.at(first + 3).push_null();
        }
    }
    if (read & 32u) {
        int64_t proctime = r.proctime_micros;
        if (proctime == 0)
            proctime = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
        out.at(first + 5).push<int64_t>(proctime);
    }
    if (!(read & 16u)) return;
    column& headers = out.at(first + 4);
    if (r.headers.empty()) {
        headers.push_null();
        return;
    }
    // As jsonb: names sorted by (length, bytes); the last duplicate wins.
    order.clear();
    for (uint32_t i = 0; i < r.headers.size(); ++i)
        order.push_back(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        std::string_view x = r.headers[a].name, y = r.headers[b].name;
        if (x.size() != y.size()) return x.size() < y.size();
        int c = x.compare(y);
        return c != 0 ? c < 0 : a < b;  // equal names keep record order
    });
    string_data& sd = headers.strings();
    sd.bytes.push_back('{');
    bool first_member = true;
    for (size_t k = 0; k < order.size(); ++k) {
        const record_header& h = r.headers[order[k]];
        if (k + 1 < order.size() && r.headers[order[k + 1]].name == h.name) continue;
        if (!first_member) sd.bytes += ", ";
        first_member = false;
        text_detail::append_json_string(h.name, sd.bytes);
        sd.bytes += ": ";
        if (h.value) {
            text_detail::append_json_string(*h.value, sd.bytes);
        } else {
            sd.bytes += "null";
        }
    }
    sd.bytes.push_back('}');
    sd.offsets.push_back(static_cast<uint32_t>(sd.bytes.size()));
    headers.nulls().push_back(0);
}

void pad_hidden(chunk& out, size_t first, uint32_t read, size_t rows) {
    for (size_t i = 0; i < hidden_columns().size(); ++i) {
        if (read & (1u << i)) continue;
        column& c = out.at(first + i);
        SPATE_ASSERT(c.size() <= rows);
        c.nulls().resize(rows, 1);
        std::visit(
            [rows](auto& v) {
                using V = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<V, string_data>) {
                    v.offsets.resize(rows + 1, v.offsets.back());
                } else {
                    v.resize(rows);
                }
            },
            c.raw());
    }
}

}  // namespace format_detail

}  // namespace spate::sql
