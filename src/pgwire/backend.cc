#include "pgwire/backend.h"

#include "pgwire/binary_codec.h"
#include "pgwire/pg_types.h"
#include "sql/types/text_io.h"

namespace spate::pgwire {

namespace {

// Field values are C strings: an embedded NUL would end them early.
std::string_view until_nul(std::string_view s) {
    return s.substr(0, s.find('\0'));
}

void put_field(message_writer& w, char code, std::string_view v) {
    w.put_u8(static_cast<uint8_t>(code));
    w.put_cstring(until_nul(v));
}

}  // namespace

void write_error(message_writer& w, const pg_error& e, bool notice) {
    w.begin(notice ? 'N' : 'E');
    put_field(w, 'S', e.severity);
    put_field(w, 'V', e.severity);
    put_field(w, 'C', e.sqlstate);
    put_field(w, 'M', e.message);
    if (e.position > 0) put_field(w, 'P', std::to_string(e.position));
    if (!e.detail.empty()) put_field(w, 'D', e.detail);
    if (!e.hint.empty()) put_field(w, 'H', e.hint);
    w.put_u8(0);
    w.end();
}

void write_ready_for_query(message_writer& w, sql::transaction_state t) {
    w.begin('Z');
    switch (t) {
        case sql::transaction_state::idle:
            w.put_u8('I');
            break;
        case sql::transaction_state::in_transaction:
            w.put_u8('T');
            break;
        case sql::transaction_state::failed:
            w.put_u8('E');
            break;
    }
    w.end();
}

void write_parameter_status(message_writer& w, std::string_view name, std::string_view value) {
    w.begin('S');
    w.put_cstring(until_nul(name));
    w.put_cstring(until_nul(value));
    w.end();
}

void write_command_complete(message_writer& w, std::string_view tag) {
    w.begin('C');
    w.put_cstring(until_nul(tag));
    w.end();
}

void write_row_description(message_writer& w, const std::vector<sql::column_def>& columns,
                           std::span<const int16_t> formats) {
    w.begin('T');
    w.put_i16(static_cast<int16_t>(columns.size()));
    for (size_t i = 0; i < columns.size(); ++i) {
        const auto& c = columns[i];
        w.put_cstring(until_nul(c.name));
        w.put_i32(0);  // table OID
        w.put_i16(0);  // attribute number
        w.put_i32(type_oid(c.type));
        w.put_i16(type_length(c.type));
        w.put_i32(type_modifier(c.type));
        w.put_i16(format_of(formats, i));
    }
    w.end();
}

void write_parameter_description(message_writer& w, const std::vector<sql::data_type>& types) {
    w.begin('t');
    w.put_i16(static_cast<int16_t>(types.size()));
    for (const auto& t : types)
        w.put_i32(type_oid(t));
    w.end();
}

void write_data_row(message_writer& w, const sql::chunk& c, size_t row,
                    std::span<const int16_t> formats) {
    w.begin('D');
    w.put_i16(static_cast<int16_t>(c.width()));
    for (size_t i = 0; i < c.width(); ++i) {
        const sql::column& col = c.at(i);
        if (col.is_null(row)) {
            w.put_i32(-1);
            continue;
        }
        size_t len_at = w.reserve_i32();
        size_t before = w.size();
        if (format_of(formats, i) == 1)
            encode_binary(col, row, w.buffer());
        else
            sql::format_text(col, row, w.buffer());
        w.patch_i32(len_at, static_cast<int32_t>(w.size() - before));
    }
    w.end();
}

void write_empty(message_writer& w, char type) {
    w.begin(type);
    w.end();
}

}  // namespace spate::pgwire
