#include "pgwire/binary_codec.h"

#include <bit>
#include <cstring>

#include "pgwire/message.h"

namespace spate::pgwire {

using sql::column;
using sql::data_type;
using sql::sql_result;
using sql::type_id;
using sql::value;

namespace {

constexpr uint8_t k_jsonb_version = 1;

sql::sql_error bad(const data_type& t, std::string_view why) {
    return sql::make_error(
        sql::sql_errc::invalid_text_representation,
        "incorrect binary data format for type " + sql::type_name(t) + ": " + std::string(why));
}

template <typename T>
T row_value(const column& c, size_t row) {
    return c.values<T>()[row];
}

}  // namespace

void encode_binary(const column& c, size_t row, std::string& out) {
    switch (c.type().id) {
        case type_id::boolean:
            out.push_back(row_value<uint8_t>(c, row) ? 1 : 0);
            return;
        case type_id::int16:
            append_be16(out, static_cast<uint16_t>(row_value<int16_t>(c, row)));
            return;
        case type_id::int32:
            append_be32(out, static_cast<uint32_t>(row_value<int32_t>(c, row)));
            return;
        case type_id::int64:
            append_be64(out, static_cast<uint64_t>(row_value<int64_t>(c, row)));
            return;
        case type_id::float32:
            append_be32(out, std::bit_cast<uint32_t>(row_value<float>(c, row)));
            return;
        case type_id::float64:
            append_be64(out, std::bit_cast<uint64_t>(row_value<double>(c, row)));
            return;
        case type_id::numeric:
            encode_numeric(row_value<sql::decimal>(c, row), out);
            return;
        case type_id::unknown:
        case type_id::text:
        case type_id::bytea:
            out.append(c.strings().at(row));
            return;
        case type_id::jsonb:
            out.push_back(static_cast<char>(k_jsonb_version));
            out.append(c.strings().at(row));
            return;
        case type_id::date:
            append_be32(out, static_cast<uint32_t>(row_value<int32_t>(c, row) - k_pg_epoch_days));
            return;
        case type_id::time:
            append_be64(out, static_cast<uint64_t>(row_value<int64_t>(c, row)));
            return;
        case type_id::timestamp:
        case type_id::timestamptz:
            append_be64(out, static_cast<uint64_t>(row_value<int64_t>(c, row) - k_pg_epoch_micros));
            return;
        case type_id::interval: {
            const auto& iv = c.values<sql::interval_value>()[row];
            append_be64(out, static_cast<uint64_t>(iv.micros));
            append_be32(out, static_cast<uint32_t>(iv.days));
            append_be32(out, static_cast<uint32_t>(iv.months));
            return;
        }
    }
}

namespace {

sql_result<value> decode_fixed(std::string_view b, const data_type& t) {
    auto want = [&](size_t n) { return b.size() == n; };
    switch (t.id) {
        case type_id::boolean:
            if (!want(1)) return bad(t, "expected 1 byte");
            return value::boolean(b[0] != 0);
        case type_id::int16:
            if (!want(2)) return bad(t, "expected 2 bytes");
            return value::int16(static_cast<int16_t>(load_be16(b.data())));
        case type_id::int32:
            if (!want(4)) return bad(t, "expected 4 bytes");
            return value::int32(static_cast<int32_t>(load_be32(b.data())));
        case type_id::int64:
            if (!want(8)) return bad(t, "expected 8 bytes");
            return value::int64(static_cast<int64_t>(load_be64(b.data())));
        case type_id::float32:
            if (!want(4)) return bad(t, "expected 4 bytes");
            return value::float32(std::bit_cast<float>(load_be32(b.data())));
        case type_id::float64:
            if (!want(8)) return bad(t, "expected 8 bytes");
            return value::float64(std::bit_cast<double>(load_be64(b.data())));
        case type_id::date: {
            if (!want(4)) return bad(t, "expected 4 bytes");
            int64_t days = static_cast<int32_t>(load_be32(b.data())) + int64_t{k_pg_epoch_days};
            if (days > INT32_MAX) return bad(t, "date out of range");
            return value::date(static_cast<int32_t>(days));
        }
        case type_id::time: {
            if (!want(8)) return bad(t, "expected 8 bytes");
            auto micros = static_cast<int64_t>(load_be64(b.data()));
            if (micros < 0 || micros > sql::k_micros_per_day) return bad(t, "time out of range");
            return value::temporal(t.id, micros);
        }
        case type_id::timestamp:
        case type_id::timestamptz: {
            if (!want(8)) return bad(t, "expected 8 bytes");
            auto micros = static_cast<int64_t>(load_be64(b.data()));
            if (micros > INT64_MAX - k_pg_epoch_micros) return bad(t, "timestamp out of range");
            return value::temporal(t.id, micros + k_pg_epoch_micros);
        }
        case type_id::interval: {
            if (!want(16)) return bad(t, "expected 16 bytes");
            sql::interval_value iv;
            iv.micros = static_cast<int64_t>(load_be64(b.data()));
            iv.days = static_cast<int32_t>(load_be32(b.data() + 8));
            iv.months = static_cast<int32_t>(load_be32(b.data() + 12));
            return value::interval(iv);
        }
        default:
            return bad(t, "not a fixed-width type");
    }
}

}  // namespace

sql_result<value> decode_binary(std::string_view b, const data_type& t) {
    switch (t.id) {
        case type_id::unknown:
        case type_id::text:
            if (!valid_utf8(b)) return bad(t, "invalid UTF-8");
            return value::string(t, std::string(b));
        case type_id::bytea:
            return value::string(t, std::string(b));
        case type_id::jsonb:
            if (b.empty() || static_cast<uint8_t>(b[0]) != k_jsonb_version)
                return bad(t, "unsupported jsonb version");
            if (!valid_utf8(b.substr(1))) return bad(t, "invalid UTF-8");
            return value::string(t, std::string(b.substr(1)));
        case type_id::numeric: {
            auto d = decode_numeric(b);
            if (!d.ok()) return d.error();
            return value::numeric(d.value(), t);
        }
        default:
            return decode_fixed(b, t);
    }
}

}  // namespace spate::pgwire
