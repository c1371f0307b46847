#include "pgwire/server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/runtime.h"
#include "pgwire/tests/fake_session.h"

namespace spate::pgwire {
namespace server_test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

template <typename Pred>
bool eventually(Pred p) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!p()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

result_ptr wrap(PGresult* r) {
    return result_ptr(r, &PQclear);
}

std::string field(const result_ptr& r, int code) {
    const char* f = PQresultErrorField(r.get(), code);
    return f ? f : "";
}

// A blocking client speaking raw protocol messages.
class raw_client {
  public:
    explicit raw_client(uint16_t port) : _s(_io) {
        _s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        _s.set_option(tcp::no_delay(true));
    }
    void send(std::string_view bytes) { asio::write(_s, asio::buffer(bytes)); }
    void send_message(char type, std::string_view body) {
        std::string m(1, type);
        append_i32(m, static_cast<int32_t>(body.size() + 4));
        m += body;
        send(m);
    }
    void startup() {
        std::string body;
        append_i32(body, 196608);
        body += std::string("user\0test\0database\0spate\0\0", 27);
        std::string m;
        append_i32(m, static_cast<int32_t>(body.size() + 4));
        send(m + body);
        while (read_message().first != 'Z') {
        }
    }
    // {type, body}; type 0 at EOF or error.
    std::pair<char, std::string> read_message() {
        char header[5];
        boost::system::error_code ec;
        asio::read(_s, asio::buffer(header), ec);
        if (ec) return {0, ""};
        uint32_t len = (uint32_t(uint8_t(header[1])) << 24) | (uint32_t(uint8_t(header[2])) << 16) |
                       (uint32_t(uint8_t(header[3])) << 8) | uint8_t(header[4]);
        std::string body(len - 4, '\0');
        asio::read(_s, asio::buffer(body), ec);
        if (ec) return {0, ""};
        return {header[0], body};
    }
    // Message types up to and including ReadyForQuery (or EOF, as '0').
    std::string read_types_until_ready() {
        std::string types;
        for (;;) {
            auto [t, body] = read_message();
            types.push_back(t ? t : '0');
            if (t == 'Z' || t == 0) return types;
        }
    }
    void close() { _s.close(); }

    static void append_i32(std::string& s, int32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            s.push_back(static_cast<char>(v >> shift));
    }

  private:
    asio::io_context _io;
    tcp::socket _s;
};

class pgwire_server : public ::testing::Test {
  protected:
    void SetUp() override {
        rt.start(2);
        sessions = std::make_shared<testing::fake_session_factory>();
        net::listener_options o;
        o.name = "pgwire";
        o.flag = "--pg-listen";
        pg_options pg;
        pg.max_message_bytes = 1 << 20;
        pg.rows_per_fetch = 1000;
        listener = std::make_unique<net::listener>(o, make_pg_connection_factory(sessions, pg));
        ASSERT_TRUE(listener->start(rt).ok());
    }
    void TearDown() override {
        listener->stop();
        rt.stop();
    }

    conn_ptr connect(const std::string& extra = "sslmode=disable") {
        std::string info = "host=127.0.0.1 port=" + std::to_string(listener->port()) +
                           " user=test dbname=spate connect_timeout=10 " + extra;
        return conn_ptr(PQconnectdb(info.c_str()), &PQfinish);
    }

    net::runtime rt;
    std::shared_ptr<testing::fake_session_factory> sessions;
    std::unique_ptr<net::listener> listener;
};

TEST_F(pgwire_server, simple_query_returns_described_rows_in_text) {
    auto c = connect();
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    EXPECT_STREQ(PQparameterStatus(c.get(), "server_version"), "15.0");
    auto r = wrap(PQexec(c.get(), "SELECT"));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    ASSERT_EQ(PQntuples(r.get()), 3);
    ASSERT_EQ(PQnfields(r.get()), 2);
    EXPECT_STREQ(PQfname(r.get(), 0), "a");
    EXPECT_EQ(PQftype(r.get(), 0), 23u);
    EXPECT_EQ(PQftype(r.get(), 1), 25u);
    EXPECT_EQ(PQfsize(r.get(), 0), 4);
    EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "1");
    EXPECT_STREQ(PQgetvalue(r.get(), 0, 1), "one");
    EXPECT_TRUE(PQgetisnull(r.get(), 1, 1));
    EXPECT_STREQ(PQgetvalue(r.get(), 2, 1), "three\ttab");
    EXPECT_STREQ(PQcmdStatus(r.get()), "SELECT 3");
}

TEST_F(pgwire_server, a_multi_statement_query_returns_one_result_per_statement) {
    auto c = connect();
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK);
    ASSERT_TRUE(PQsendQuery(c.get(), "SELECT; SET flag; SELECT BIG"));
    std::vector<std::string> tags;
    while (PGresult* raw = PQgetResult(c.get())) {
        auto r = wrap(raw);
        tags.push_back(PQcmdStatus(r.get()));
        if (tags.size() == 3) {
            EXPECT_EQ(PQntuples(r.get()), 2500);
        }
    }
    EXPECT_EQ(tags, (std::vector<std::string>{"SELECT 3", "SET", "SELECT 2500"}));
    EXPECT_STREQ(PQparameterStatus(c.get(), "flag"), "on");
}

TEST_F(pgwire_server, an_empty_query_gets_an_empty_query_response) {
    auto c = connect();
    auto r = wrap(PQexec(c.get(), " ; "));
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_EMPTY_QUERY);
}

TEST_F(pgwire_server, transaction_state_is_reported_in_ready_for_query) {
    auto c = connect();
    wrap(PQexec(c.get(), "BEGIN"));
    EXPECT_EQ(PQtransactionStatus(c.get()), PQTRANS_INTRANS);
    wrap(PQexec(c.get(), "COMMIT"));
    EXPECT_EQ(PQtransactionStatus(c.get()), PQTRANS_IDLE);
}

TEST_F(pgwire_server, errors_carry_sqlstate_position_and_hint_and_the_connection_stays_usable) {
    auto c = connect();
    auto r = wrap(PQexec(c.get(), "SELEC x"));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
    EXPECT_EQ(field(r, PG_DIAG_SQLSTATE), "42601");
    EXPECT_EQ(field(r, PG_DIAG_STATEMENT_POSITION), "8");
    EXPECT_EQ(field(r, PG_DIAG_MESSAGE_HINT), "check the spelling");
    EXPECT_EQ(field(r, PG_DIAG_SEVERITY), "ERROR");
    auto failed = wrap(PQexec(c.get(), "FAIL"));
    EXPECT_EQ(field(failed, PG_DIAG_SQLSTATE), "22012");
    auto ok = wrap(PQexec(c.get(), "SELECT"));
    EXPECT_EQ(PQresultStatus(ok.get()), PGRES_TUPLES_OK);
}

TEST_F(pgwire_server, an_error_skips_the_rest_of_a_multi_statement_query) {
    auto c = connect();
    ASSERT_TRUE(PQsendQuery(c.get(), "SET a; FAIL; SET b"));
    std::vector<ExecStatusType> statuses;
    while (PGresult* raw = PQgetResult(c.get()))
        statuses.push_back(PQresultStatus(wrap(raw).get()));
    EXPECT_EQ(statuses, (std::vector<ExecStatusType>{PGRES_COMMAND_OK, PGRES_FATAL_ERROR}));
    EXPECT_EQ(PQparameterStatus(c.get(), "b"), nullptr);
}

TEST_F(pgwire_server, prepared_statements_take_text_and_binary_parameters_and_return_binary) {
    auto c = connect();
    const Oid types[2] = {23, 25};
    auto p = wrap(PQprepare(c.get(), "echo", "ECHO $1 $2", 2, types));
    ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
    const char forty_two[4] = {0, 0, 0, 42};
    const char* values[2] = {forty_two, "hi"};
    const int lengths[2] = {4, 2};
    const int formats[2] = {1, 0};
    auto r = wrap(PQexecPrepared(c.get(), "echo", 2, values, lengths, formats, 1));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    ASSERT_EQ(PQntuples(r.get()), 1);
    EXPECT_EQ(PQfformat(r.get(), 0), 1);
    ASSERT_EQ(PQgetlength(r.get(), 0, 0), 4);
    EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 0), 4), std::string(forty_two, 4));
    EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 1), 2), "hi");

    auto text = wrap(PQexecPrepared(c.get(), "echo", 2, std::vector<const char*>{"17", "yo"}.data(),
                                    nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(text.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(text.get());
    EXPECT_STREQ(PQgetvalue(text.get(), 0, 0), "17");
}

TEST_F(pgwire_server, describe_prepared_reports_parameter_and_column_types) {
    auto c = connect();
    const Oid types[2] = {20, 0};
    wrap(PQprepare(c.get(), "d", "ECHO $1 $2", 2, types));
    auto d = wrap(PQdescribePrepared(c.get(), "d"));
    ASSERT_EQ(PQresultStatus(d.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(d.get());
    ASSERT_EQ(PQnparams(d.get()), 2);
    EXPECT_EQ(PQparamtype(d.get(), 0), 20u);
    EXPECT_EQ(PQparamtype(d.get(), 1), 25u);
    ASSERT_EQ(PQnfields(d.get()), 2);
    EXPECT_STREQ(PQfname(d.get(), 1), "p2");
}

TEST_F(pgwire_server, a_bad_binary_parameter_is_22P03_and_the_connection_recovers) {
    auto c = connect();
    const Oid types[1] = {23};
    wrap(PQprepare(c.get(), "e", "ECHO $1", 1, types));
    const char* values[1] = {"\x01\x02"};
    const int lengths[1] = {2};
    const int formats[1] = {1};
    auto r = wrap(PQexecPrepared(c.get(), "e", 1, values, lengths, formats, 0));
    EXPECT_EQ(field(r, PG_DIAG_SQLSTATE), "22P03");
    auto again = wrap(
        PQexecPrepared(c.get(), "e", 1, std::vector<const char*>{"5"}.data(), nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(again.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(again.get());
    EXPECT_STREQ(PQgetvalue(again.get(), 0, 0), "5");
}

TEST_F(pgwire_server, cancel_interrupts_a_running_statement_with_57014) {
    auto c = connect();
    ASSERT_TRUE(PQsendQuery(c.get(), "SLOW"));
    ASSERT_TRUE(eventually([&] { return sessions->slow_started.load(); }));
    PGcancel* cancel = PQgetCancel(c.get());
    char err[256];
    EXPECT_TRUE(PQcancel(cancel, err, sizeof err)) << err;
    PQfreeCancel(cancel);
    auto r = wrap(PQgetResult(c.get()));
    EXPECT_EQ(field(r, PG_DIAG_SQLSTATE), "57014");
    while (PGresult* rest = PQgetResult(c.get()))
        PQclear(rest);
    EXPECT_EQ(PQresultStatus(wrap(PQexec(c.get(), "SELECT")).get()), PGRES_TUPLES_OK);
}

TEST_F(pgwire_server, a_never_ending_statement_streams_rows_between_idle_fetches_until_cancel) {
    auto c = connect();
    ASSERT_TRUE(PQsendQuery(c.get(), "STREAM"));
    ASSERT_TRUE(PQsetSingleRowMode(c.get()));
    std::vector<std::string> got;
    while (got.size() < 3) {
        auto r = wrap(PQgetResult(c.get()));
        ASSERT_EQ(PQresultStatus(r.get()), PGRES_SINGLE_TUPLE);
        got.push_back(PQgetvalue(r.get(), 0, 0));
    }
    EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3"}));
    PGcancel* cancel = PQgetCancel(c.get());
    char err[256];
    EXPECT_TRUE(PQcancel(cancel, err, sizeof err)) << err;
    PQfreeCancel(cancel);
    auto r = wrap(PQgetResult(c.get()));
    EXPECT_EQ(field(r, PG_DIAG_SQLSTATE), "57014");
    while (PGresult* rest = PQgetResult(c.get()))
        PQclear(rest);
    EXPECT_EQ(PQresultStatus(wrap(PQexec(c.get(), "SELECT")).get()), PGRES_TUPLES_OK);
}

TEST_F(pgwire_server, a_client_that_leaves_during_a_never_ending_statement_ends_it) {
    raw_client c(listener->port());
    c.startup();
    std::string body = "STREAM";
    body.push_back('\0');
    c.send_message('Q', body);
    for (auto m = c.read_message(); m.first != 'D'; m = c.read_message())
        ASSERT_NE(m.first, 0);
    EXPECT_EQ(sessions->streams_closed.load(), 0);
    c.close();
    EXPECT_TRUE(eventually([&] { return sessions->streams_closed.load() == 1; }));
}

std::string copy_all(PGconn* c, const char* sql, std::string* tag) {
    auto r = wrap(PQexec(c, sql));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) return "not copy out";
    std::string out;
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
        out.append(buf, static_cast<size_t>(n));
        PQfreemem(buf);
    }
    auto done = wrap(PQgetResult(c));
    *tag = PQcmdStatus(done.get());
    return out;
}

TEST_F(pgwire_server, copy_to_stdout_streams_text_and_csv_rows) {
    auto c = connect();
    std::string tag;
    EXPECT_EQ(copy_all(c.get(), "COPY", &tag), "1\tone\n2\t\\N\n3\tthree\\ttab\n");
    EXPECT_EQ(tag, "COPY 3");
    EXPECT_EQ(copy_all(c.get(), "COPY CSV", &tag), "a,b\n1,one\n2,\n3,three\ttab\n");
    EXPECT_EQ(tag, "COPY 3");
}

TEST_F(pgwire_server, ssl_prefer_falls_back_to_plaintext) {
    auto c = connect("sslmode=prefer");
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    EXPECT_EQ(PQsslInUse(c.get()), 0);
    EXPECT_EQ(PQresultStatus(wrap(PQexec(c.get(), "SELECT")).get()), PGRES_TUPLES_OK);
}

TEST_F(pgwire_server, an_unknown_database_fails_the_connection) {
    auto c = connect("sslmode=disable dbname=nope");
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
    EXPECT_NE(std::string(PQerrorMessage(c.get())).find("does not exist"), std::string::npos);
}

TEST_F(pgwire_server, protocol_violations_close_only_that_connection) {
    auto good = connect();
    ASSERT_EQ(PQstatus(good.get()), CONNECTION_OK);

    raw_client oversized(listener->port());
    oversized.startup();
    std::string huge("Q\x7f\xff\xff\xff", 5);
    oversized.send(huge);
    auto [t1, body1] = oversized.read_message();
    EXPECT_EQ(t1, 'E');
    EXPECT_NE(body1.find("08P01"), std::string::npos);
    EXPECT_EQ(oversized.read_message().first, 0);  // closed

    raw_client garbage(listener->port());
    garbage.startup();
    garbage.send_message('!', "junk");
    auto [t2, body2] = garbage.read_message();
    EXPECT_EQ(t2, 'E');
    EXPECT_NE(body2.find("08P01"), std::string::npos);
    EXPECT_EQ(garbage.read_message().first, 0);

    raw_client bad_utf8(listener->port());
    bad_utf8.startup();
    bad_utf8.send_message('Q', std::string("SELECT \xff\0", 9));
    auto [t3, body3] = bad_utf8.read_message();
    EXPECT_EQ(t3, 'E');
    EXPECT_NE(body3.find("08P01"), std::string::npos);

    EXPECT_EQ(PQresultStatus(wrap(PQexec(good.get(), "SELECT")).get()), PGRES_TUPLES_OK);
}

TEST_F(pgwire_server, an_unsupported_protocol_version_is_refused_with_0A000) {
    raw_client c(listener->port());
    std::string m;
    raw_client::append_i32(m, 8);
    raw_client::append_i32(m, 2 << 16);
    c.send(m);
    auto [t, body] = c.read_message();
    EXPECT_EQ(t, 'E');
    EXPECT_NE(body.find("0A000"), std::string::npos);
    EXPECT_EQ(c.read_message().first, 0);
}

std::string parse_bind(std::string_view sql) {
    std::string b(sql);
    b.push_back('\0');
    return std::string("\0", 1) + b + std::string("\0\0", 2);
}

TEST_F(pgwire_server, execute_with_a_row_limit_suspends_the_portal_and_resumes_it) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('P', parse_bind("SELECT"));
    c.send_message('B', std::string("\0\0\0\0\0\0\0\0", 8));  // unnamed, no params/formats
    std::string exec("\0", 1);
    raw_client::append_i32(exec, 2);
    c.send_message('E', exec);
    c.send_message('E', exec);
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "12DDsDCZ");
}

TEST_F(pgwire_server, after_an_extended_error_messages_are_skipped_until_sync) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('P', parse_bind("SELEC x"));
    c.send_message('B', std::string("\0\0\0\0\0\0\0\0", 8));
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "EZ");
    c.send_message('P', parse_bind("SELECT"));
    c.send_message('D', std::string("S\0", 2));
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "1tTZ");
}

TEST_F(pgwire_server, terminate_closes_the_connection_cleanly) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('X', "");
    EXPECT_EQ(c.read_message().first, 0);
    EXPECT_TRUE(eventually([&] { return listener->connection_count() == 0; }));
}

TEST_F(pgwire_server, stopping_the_listener_cancels_a_running_statement_and_closes) {
    auto c = connect();
    ASSERT_TRUE(PQsendQuery(c.get(), "SLOW"));
    ASSERT_TRUE(eventually([&] { return sessions->slow_started.load(); }));
    auto started = std::chrono::steady_clock::now();
    listener->stop();
    EXPECT_EQ(listener->connection_count(), 0u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    while (PGresult* rest = PQgetResult(c.get()))
        PQclear(rest);
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
}

TEST_F(pgwire_server, a_prepared_statement_name_cannot_be_reused_while_it_exists) {
    auto c = connect();
    auto first = wrap(PQprepare(c.get(), "s", "SELECT", 0, nullptr));
    ASSERT_EQ(PQresultStatus(first.get()), PGRES_COMMAND_OK);
    auto again = wrap(PQprepare(c.get(), "s", "SELECT", 0, nullptr));
    EXPECT_EQ(field(again, PG_DIAG_SQLSTATE), "42P05");
}

TEST_F(pgwire_server, a_closed_statement_no_longer_binds) {
    raw_client c(listener->port());
    c.startup();
    std::string parse("s\0SELECT\0\0\0", 11);
    c.send_message('P', parse);
    c.send_message('C', std::string("Ss\0", 3));
    c.send_message('B', std::string("\0s\0\0\0\0\0\0\0", 9));
    c.send_message('S', "");
    auto [t1, b1] = c.read_message();
    auto [t2, b2] = c.read_message();
    auto [t3, b3] = c.read_message();
    EXPECT_EQ(std::string({t1, t2, t3}), "13E");
    EXPECT_NE(b3.find("26000"), std::string::npos);
    EXPECT_EQ(c.read_message().first, 'Z');
    c.send_message('P', parse);
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "1Z");
}

TEST_F(pgwire_server, a_named_portal_runs_in_steps_and_describes_its_binary_formats) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('P', parse_bind("SELECT"));
    // Bind portal "p" to the unnamed statement: no parameters, all results binary.
    c.send_message('B', std::string("p\0\0\0\0\0\0\0\1\0\1", 11));
    c.send_message('D', std::string("Pp\0", 3));
    std::string exec("p\0", 2);
    raw_client::append_i32(exec, 3);
    c.send_message('E', exec);
    c.send_message('H', "");  // Flush: the rows so far, without ending the portal
    std::string types;
    std::string row_description;
    for (;;) {
        auto [t, body] = c.read_message();
        types.push_back(t ? t : '0');
        if (t == 'T') row_description = body;
        if (t == 's' || t == 0) break;
    }
    EXPECT_EQ(types, "12TDDDs");
    // The last field's format code (int16 at the end) is binary.
    ASSERT_GE(row_description.size(), 2u);
    EXPECT_EQ(row_description.substr(row_description.size() - 2), std::string("\0\1", 2));
    c.send_message('E', exec);
    c.send_message('C', std::string("Pp\0", 3));
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "C3Z");  // nothing was left: just the tag
}

std::string hex_of(const char* p, int n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(p[i]);
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

TEST_F(pgwire_server, text_parameters_come_back_in_postgresql_binary_format) {
    auto c = connect();
    const Oid types[3] = {1700, 1114, 1082};
    auto p = wrap(PQprepare(c.get(), "t", "ECHO $1 $2 $3", 3, types));
    ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
    const char* values[3] = {"1.50", "2000-01-01 00:00:01", "2000-01-02"};
    auto r = wrap(PQexecPrepared(c.get(), "t", 3, values, nullptr, nullptr, 1));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    EXPECT_EQ(PQftype(r.get(), 0), 1700u);
    EXPECT_EQ(hex_of(PQgetvalue(r.get(), 0, 0), PQgetlength(r.get(), 0, 0)),
              "000200000000000200011388");
    EXPECT_EQ(hex_of(PQgetvalue(r.get(), 0, 1), PQgetlength(r.get(), 0, 1)), "00000000000f4240");
    EXPECT_EQ(hex_of(PQgetvalue(r.get(), 0, 2), PQgetlength(r.get(), 0, 2)), "00000001");
}

TEST_F(pgwire_server, binary_parameters_come_back_in_postgresql_text_format) {
    auto c = connect();
    const Oid types[2] = {1700, 16};
    wrap(PQprepare(c.get(), "b", "ECHO $1 $2", 2, types));
    const std::string numeric("\0\3\0\1\x40\0\0\3\0\1\x09\x29\x1a\x7c", 14);  // -12345.678
    const char* values[2] = {numeric.data(), "\1"};
    const int lengths[2] = {14, 1};
    const int formats[2] = {1, 1};
    auto r = wrap(PQexecPrepared(c.get(), "b", 2, values, lengths, formats, 0));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "-12345.678");
    EXPECT_STREQ(PQgetvalue(r.get(), 0, 1), "t");
}

TEST_F(pgwire_server, sync_outside_a_transaction_drops_the_portals) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('P', parse_bind("SELECT"));
    c.send_message('B', std::string("p\0\0\0\0\0\0\0\0", 9));
    c.send_message('S', "");
    EXPECT_EQ(c.read_types_until_ready(), "12Z");
    std::string exec("p\0", 2);
    raw_client::append_i32(exec, 0);
    c.send_message('E', exec);
    c.send_message('S', "");
    auto [t, body] = c.read_message();
    EXPECT_EQ(t, 'E');
    EXPECT_NE(body.find("34000"), std::string::npos);
}

TEST_F(pgwire_server, a_bind_with_an_invalid_format_code_is_a_protocol_violation) {
    raw_client c(listener->port());
    c.startup();
    c.send_message('P', parse_bind("SELECT"));
    c.send_message('B', std::string("\0\0\0\0\0\0\0\1\0\2", 10));  // result format 2
    c.send_message('S', "");
    auto [t1, b1] = c.read_message();
    EXPECT_EQ(t1, '1');
    auto [t2, b2] = c.read_message();
    EXPECT_EQ(t2, 'E');
    EXPECT_NE(b2.find("08P01"), std::string::npos);
    EXPECT_EQ(c.read_message().first, 0);
}

TEST_F(pgwire_server, copy_runs_through_the_extended_protocol_too) {
    auto c = connect();
    auto r = wrap(PQexecParams(c.get(), "COPY", 0, nullptr, nullptr, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_COPY_OUT) << PQresultErrorMessage(r.get());
    std::string out;
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(c.get(), &buf, 0)) > 0) {
        out.append(buf, static_cast<size_t>(n));
        PQfreemem(buf);
    }
    EXPECT_EQ(out, "1\tone\n2\t\\N\n3\tthree\\ttab\n");
    auto done = wrap(PQgetResult(c.get()));
    EXPECT_STREQ(PQcmdStatus(done.get()), "COPY 3");
}

}  // namespace
}  // namespace server_test
}  // namespace spate::pgwire
