#pragma once

// Helpers of the schema-registry format tests: Avro and Protobuf wire
// pieces, framed values, decoding a batch, and a sink round trip.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sql/format/registry_format.h"
#include "sql/types/text_io.h"

namespace spate::sql::registry_test {

using registry::schema_type;

inline std::string cell(const chunk& c, size_t col, size_t row) {
    if (c.at(col).is_null(row)) return "NULL";
    std::string out;
    format_text(c.at(col), row, out);
    return out;
}

// Avro binary pieces.
inline std::string zz(int64_t v) {
    auto u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    std::string out;
    do {
        uint8_t b = u & 0x7f;
        u >>= 7;
        out.push_back(static_cast<char>(u ? b | 0x80 : b));
    } while (u);
    return out;
}
inline std::string avro_string(std::string_view s) {
    return zz(static_cast<int64_t>(s.size())) + std::string(s);
}
inline std::string framed(int32_t id, const std::string& payload) {
    std::string out;
    append_framing(id, out);
    return out + payload;
}

struct decoded {
    chunk out;
    std::vector<decode_failure> failures;
};

inline decoded decode_all(record_format f, const std::vector<column_def>& cols,
                          const std::vector<std::string>& values,
                          const std::shared_ptr<schema_lookup>& schemas) {
    auto d = make_decoder(f, cols, {}, schemas);
    EXPECT_TRUE(d.ok()) << d.error().message;
    std::vector<record_view> rs;
    for (size_t i = 0; i < values.size(); ++i) {
        record_view r;
        r.value = values[i];
        r.offset = static_cast<int64_t>(i);
        rs.push_back(r);
    }
    decoded r{make_source_chunk(cols), {}};
    d.value()->decode(rs, r.out, r.failures);
    for (const column& col : r.out.columns())
        EXPECT_EQ(col.size(), r.out.rows());
    return r;
}

inline std::shared_ptr<static_schema_lookup> lookup_with(int32_t id, schema_type t,
                                                         std::string text) {
    auto l = std::make_shared<static_schema_lookup>();
    l->add({id, t, std::move(text), {}});
    return l;
}

inline const std::vector<column_def> k_sink_cols{
    {"id", data_type::of(type_id::int32)},         {"big", data_type::of(type_id::int64)},
    {"name", data_type::of(type_id::text)},        {"price", data_type::numeric(10, 2)},
    {"amount", data_type::of(type_id::numeric)},   {"ratio", data_type::of(type_id::float64)},
    {"ok", data_type::of(type_id::boolean)},       {"day", data_type::of(type_id::date)},
    {"at", data_type::of(type_id::time)},          {"ts", data_type::of(type_id::timestamp)},
    {"tstz", data_type::of(type_id::timestamptz)}, {"raw", data_type::of(type_id::bytea)},
    {"doc", data_type::of(type_id::jsonb)},        {"span", data_type::of(type_id::interval)},
};

inline chunk sink_rows() {
    std::vector<column> cols;
    for (const column_def& d : k_sink_cols)
        cols.emplace_back(d.type);
    chunk c(std::move(cols));
    std::vector<std::vector<std::string>> rows{
        {"1", "-9000000000", "héllo", "-12.50", "3.14159", "0.25", "true", "2024-02-29",
         "12:34:56.789", "2024-01-02 03:04:05.678", "2024-01-02 03:04:05+00", "\\x00ff",
         R"({"a": [1, null]})", "1 day 02:00:00"},
        {"", "", "", "", "", "", "", "", "", "", "", "", "", ""},
    };
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (row[i].empty()) {
                c.at(i).push_null();
            } else {
                EXPECT_TRUE(parse_text(row[i], k_sink_cols[i].type, c.at(i)).ok()) << row[i];
            }
        }
    }
    c.sync_rows();
    return c;
}

// Encodes `rows` with the sink schema of `f` (registered as id 11) and
// decodes them back into `read_as`.
inline decoded round_trip(record_format f, const std::vector<column_def>& read_as) {
    auto in = sink_schema(f, "orders out", k_sink_cols);
    EXPECT_TRUE(in.ok()) << in.error().message;
    auto l = lookup_with(11, in.value().type, in.value().schema);
    auto writer = l->by_id(11);
    auto enc = make_encoder(f, k_sink_cols, writer.value());
    EXPECT_TRUE(enc.ok()) << enc.error().message;
    chunk rows = sink_rows();
    std::vector<std::string> values(rows.rows());
    for (size_t r = 0; r < rows.rows(); ++r) {
        enc.value()->encode(rows, r, values[r]);
        EXPECT_EQ(values[r].substr(0, 5), std::string("\0\0\0\0\x0b", 5));
    }
    return decode_all(f, read_as, values, l);
}

inline void expect_same_rows(const decoded& d) {
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    chunk want = sink_rows();
    ASSERT_EQ(d.out.rows(), want.rows());
    for (size_t r = 0; r < want.rows(); ++r)
        for (size_t c = 0; c < k_sink_cols.size(); ++c)
            EXPECT_EQ(cell(d.out, c, r), cell(want, c, r)) << k_sink_cols[c].name;
}

}  // namespace spate::sql::registry_test
