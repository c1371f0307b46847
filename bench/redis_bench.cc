// redis_bench: the Redis Streams figures kafka_bench's are compared with, on
// the same machine and in the same run (bench/run.sh starts redis-server with
// appendonly yes, appendfsync everysec).
//
//   redis_bench --port P [--records N] [--size B] [--pipeline K] [--count C]
//
// produce: XADD <stream> * v <B bytes>, K commands pipelined per round trip.
// consume: XREAD COUNT C STREAMS <stream> <last id> until every record was
// read (one call in flight: the next call needs the last id), each reply
// parsed by hiredis as an application would receive it.

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    int port = 6379;
    long records = 1000000;
    size_t size = 100;
    int pipeline = 1000;
    int count = 10000;
};

[[noreturn]] void die(const std::string& msg) {
    std::fprintf(stderr, "redis_bench: %s\n", msg.c_str());
    std::exit(1);
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Owns a reply; dies on a missing or error reply.
struct reply {
    explicit reply(void* r, const char* what) : r(static_cast<redisReply*>(r)) {
        if (!this->r) die(std::string(what) + ": no reply");
        if (this->r->type == REDIS_REPLY_ERROR) die(std::string(what) + ": " + this->r->str);
    }
    ~reply() { freeReplyObject(r); }
    reply(const reply&) = delete;
    reply& operator=(const reply&) = delete;
    redisReply* r;
};

double produce(redisContext* c, const options& o, const std::string& stream) {
    std::string payload(o.size, 'p');
    auto start = clock_type::now();
    for (long sent = 0; sent < o.records;) {
        const long n = std::min<long>(o.pipeline, o.records - sent);
        for (long i = 0; i < n; ++i)
            redisAppendCommand(c, "XADD %s * v %b", stream.c_str(), payload.data(), payload.size());
        for (long i = 0; i < n; ++i) {
            void* r = nullptr;
            if (redisGetReply(c, &r) != REDIS_OK) die(std::string("XADD: ") + c->errstr);
            reply owned(r, "XADD");
        }
        sent += n;
    }
    return o.records / seconds_since(start);
}

double consume(redisContext* c, const options& o, const std::string& stream) {
    std::string last = "0-0";
    long got = 0;
    size_t bytes = 0;
    auto start = clock_type::now();
    while (got < o.records) {
        reply x(
            redisCommand(c, "XREAD COUNT %d STREAMS %s %s", o.count, stream.c_str(), last.c_str()),
            "XREAD");
        if (x.r->type != REDIS_REPLY_ARRAY || x.r->elements != 1) die("XREAD: no entries");
        const redisReply* entries = x.r->element[0]->element[1];
        for (size_t i = 0; i < entries->elements; ++i) {
            const redisReply* e = entries->element[i];
            bytes += e->element[1]->element[1]->len;  // the value, as an application reads it
        }
        got += long(entries->elements);
        if (entries->elements > 0) last = entries->element[entries->elements - 1]->element[0]->str;
    }
    if (bytes != size_t(o.records) * o.size) die("XREAD: wrong byte count");
    return o.records / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    CLI::App app{"redis_bench: Redis Streams XADD/XREAD throughput"};
    app.add_option("--port", o.port, "redis-server port on 127.0.0.1")->required();
    app.add_option("--records", o.records, "Records to add and read");
    app.add_option("--size", o.size, "Bytes per record value");
    app.add_option("--pipeline", o.pipeline, "XADD commands per round trip");
    app.add_option("--count", o.count, "Entries per XREAD");
    CLI11_PARSE(app, argc, argv);

    redisContext* c = redisConnect("127.0.0.1", o.port);
    if (!c || c->err) die(std::string("connect: ") + (c ? c->errstr : "out of memory"));
    const std::string stream = "bench-" + std::to_string(o.size);
    reply(redisCommand(c, "DEL %s", stream.c_str()), "DEL");
    const double add = produce(c, o, stream);
    std::printf("redis    XADD  %5zu B pipelined %-5d %8ld records  %10.0f msg/s\n", o.size,
                o.pipeline, o.records, add);
    const double read = consume(c, o, stream);
    std::printf("redis    XREAD %5zu B COUNT %-9d %8ld records  %10.0f msg/s\n", o.size, o.count,
                o.records, read);
    redisFree(c);
    return 0;
}
