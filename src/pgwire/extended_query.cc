// The extended query protocol: Parse, Bind, Describe, Execute and Close.
// Each returns an SQL error as a value (the caller sends it and skips to
// Sync); a malformed message is a protocol violation that closes.

#include "pgwire/backend.h"
#include "pgwire/binary_codec.h"
#include "pgwire/connection.h"
#include "pgwire/pg_types.h"
#include "sql/types/text_io.h"

namespace spate::pgwire {

namespace asio = boost::asio;

namespace {

// Reads an int16 count then that many int16 format codes, each 0 or 1.
std::optional<std::vector<int16_t>> read_formats(message_reader& r) {
    auto n = r.i16();
    if (!n || *n < 0) return std::nullopt;
    std::vector<int16_t> formats;
    for (int i = 0; i < *n; ++i) {
        auto f = r.i16();
        if (!f || (*f != 0 && *f != 1)) return std::nullopt;
        formats.push_back(*f);
    }
    return formats;
}

sql::sql_result<sql::value> decode_parameter(std::string_view bytes, int16_t format,
                                             const sql::data_type& t) {
    if (format == 1) return decode_binary(bytes, t);
    if (!valid_utf8(bytes))
        return sql::make_error(sql::sql_errc::invalid_text_representation,
                               "invalid UTF-8 in a text parameter");
    if (t.id == sql::type_id::unknown) return sql::value::string(t, std::string(bytes));
    return sql::parse_value(bytes, t);
}

}  // namespace

asio::awaitable<pg_connection::error_or_none> pg_connection::on_parse(std::string_view body) {
    message_reader r(body);
    auto name = r.cstring();
    auto text = r.cstring();
    auto count = r.i16();
    if (!name || !text || !count || *count < 0) {
        co_await protocol_violation("malformed Parse message");
        co_return std::nullopt;
    }
    std::vector<sql::data_type> hints;
    for (int i = 0; i < *count; ++i) {
        auto o = r.i32();
        if (!o) {
            co_await protocol_violation("malformed Parse message");
            co_return std::nullopt;
        }
        hints.push_back(type_of_oid(*o));
    }
    if (!r.at_end()) {
        co_await protocol_violation("malformed Parse message");
        co_return std::nullopt;
    }
    if (!valid_utf8(*text)) {
        co_await protocol_violation("invalid UTF-8 in query string");
        co_return std::nullopt;
    }
    std::string stmt_name(*name);
    if (!stmt_name.empty() && _statements.contains(stmt_name))
        co_return make_pg_error(k_duplicate_prepared_statement,
                                "prepared statement \"" + stmt_name + "\" already exists");
    auto session = _session;
    auto job = [session, sql_text = std::string(*text), hints] {
        return session->prepare(sql_text, hints);
    };
    auto prepared = co_await run_blocking(job);
    if (!prepared.ok()) co_return to_pg_error(prepared.error());
    _statements[stmt_name] = std::move(prepared).value();
    write_empty(_w, '1');
    co_return std::nullopt;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::bind_parameters(message_reader& r,
                                                                             portal& p) {
    auto formats = read_formats(r);
    auto count = r.i16();
    if (!formats || !count || *count < 0 ||
        (formats->size() > 1 && formats->size() != static_cast<size_t>(*count))) {
        co_await protocol_violation("malformed Bind message parameters");
        co_return std::nullopt;
    }
    const auto& types = p.stmt->parameter_types();
    std::vector<std::optional<std::string_view>> raw;
    for (int i = 0; i < *count; ++i) {
        auto len = r.i32();
        std::optional<std::string_view> bytes;
        if (len && *len >= 0) bytes = r.bytes(static_cast<size_t>(*len));
        if (!len || *len < -1 || (*len >= 0 && !bytes)) {
            co_await protocol_violation("malformed Bind message parameter");
            co_return std::nullopt;
        }
        raw.push_back(bytes);
    }
    if (raw.size() != types.size())
        co_return make_pg_error(k_protocol_violation,
                                "bind message supplies " + std::to_string(raw.size()) +
                                    " parameters, but prepared statement requires " +
                                    std::to_string(types.size()));
    for (size_t i = 0; i < raw.size(); ++i) {
        if (!raw[i]) {
            p.parameters.push_back(sql::value::null(types[i]));
            continue;
        }
        const int16_t f = format_of(*formats, i);
        auto v = decode_parameter(*raw[i], f, types[i]);
        if (!v.ok()) {
            pg_error e = to_pg_error(v.error());
            if (f == 1 && v.error().code == sql::sql_errc::invalid_text_representation)
                e.sqlstate = std::string(k_invalid_binary_representation);
            e.message += " (parameter $" + std::to_string(i + 1) + ")";
            co_return e;
        }
        p.parameters.push_back(std::move(v).value());
    }
    co_return std::nullopt;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::on_bind(std::string_view body) {
    message_reader r(body);
    auto portal_name = r.cstring();
    auto stmt_name = r.cstring();
    if (!portal_name || !stmt_name) {
        co_await protocol_violation("malformed Bind message");
        co_return std::nullopt;
    }
    auto it = _statements.find(std::string(*stmt_name));
    if (it == _statements.end())
        co_return make_pg_error(
            k_invalid_sql_statement_name,
            "prepared statement \"" + std::string(*stmt_name) + "\" does not exist");
    auto p = std::make_shared<portal>();
    p->stmt = it->second;
    auto err = co_await bind_parameters(r, *p);
    if (_closed || err) co_return err;
    auto results = read_formats(r);
    const size_t columns = p->stmt->result_columns().size();
    if (!results || !r.at_end() || (results->size() > 1 && results->size() != columns)) {
        co_await protocol_violation("malformed Bind message result formats");
        co_return std::nullopt;
    }
    p->result_formats = std::move(*results);
    std::string name(*portal_name);
    if (!name.empty() && _portals.contains(name))
        co_return make_pg_error("42P03", "cursor \"" + name + "\" already exists");
    _portals[name] = std::move(p);
    write_empty(_w, '2');
    co_return std::nullopt;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::on_describe(std::string_view body) {
    message_reader r(body);
    auto kind = r.u8();
    auto name = r.cstring();
    if (!kind || !name || !r.at_end() || (*kind != 'S' && *kind != 'P')) {
        co_await protocol_violation("malformed Describe message");
        co_return std::nullopt;
    }
    std::shared_ptr<sql::statement> stmt;
    std::vector<int16_t> formats;
    if (*kind == 'S') {
        auto it = _statements.find(std::string(*name));
        if (it == _statements.end())
            co_return make_pg_error(
                k_invalid_sql_statement_name,
                "prepared statement \"" + std::string(*name) + "\" does not exist");
        stmt = it->second;
        write_parameter_description(_w, stmt->parameter_types());
    } else {
        auto it = _portals.find(std::string(*name));
        if (it == _portals.end())
            co_return make_pg_error(k_invalid_cursor_name,
                                    "portal \"" + std::string(*name) + "\" does not exist");
        stmt = it->second->stmt;
        formats = it->second->result_formats;
    }
    if (stmt->returns_rows() && !stmt->copy_out())
        write_row_description(_w, stmt->result_columns(), formats);
    else
        write_empty(_w, 'n');
    co_return std::nullopt;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::on_execute(std::string_view body) {
    message_reader r(body);
    auto name = r.cstring();
    auto max_rows = r.i32();
    if (!name || !max_rows || !r.at_end()) {
        co_await protocol_violation("malformed Execute message");
        co_return std::nullopt;
    }
    auto it = _portals.find(std::string(*name));
    if (it == _portals.end())
        co_return make_pg_error(k_invalid_cursor_name,
                                "portal \"" + std::string(*name) + "\" does not exist");
    auto p = it->second;
    co_return co_await run_portal(p, *max_rows > 0 ? static_cast<size_t>(*max_rows) : 0, false);
}

asio::awaitable<pg_connection::error_or_none> pg_connection::on_close(std::string_view body) {
    message_reader r(body);
    auto kind = r.u8();
    auto name = r.cstring();
    if (!kind || !name || !r.at_end() || (*kind != 'S' && *kind != 'P')) {
        co_await protocol_violation("malformed Close message");
        co_return std::nullopt;
    }
    if (*kind == 'S')
        _statements.erase(std::string(*name));
    else
        _portals.erase(std::string(*name));
    write_empty(_w, '3');
    co_return std::nullopt;
}

}  // namespace spate::pgwire
