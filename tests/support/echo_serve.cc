// `spate serve` with one more service plugged in the way every protocol
// plugs in: a connection factory (an echo protocol: 4-byte messages sent
// back) registered on a second listener. The system test
// test_extra_service.sh runs it beside Kafka and stops it with SIGTERM.
//
//   spate_echo_serve --data-dir DIR --kafka-listen HOST:PORT --echo-listen HOST:PORT

#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/platform.h"
#include "app/serve.h"
#include "net/listener.h"
#include "net/tests/echo.h"

int main(int argc, char** argv) {
    CLI::App cli{"spate serve plus an echo service on a second port"};
    spate::app::serve_options opts;
    std::string data_dir, kafka_listen = "127.0.0.1:0", echo_listen = "127.0.0.1:0";
    cli.add_option("--data-dir", data_dir, "data directory")->required();
    cli.add_option("--kafka-listen", kafka_listen, "Kafka listener HOST:PORT or off");
    cli.add_option("--echo-listen", echo_listen, "echo listener HOST:PORT");
    CLI11_PARSE(cli, argc, argv);
    opts.data_dir = data_dir;
    opts.kafka_listen = kafka_listen;
    opts.pg_listen = "off";    // this binary tests the platform's listeners, not SQL
    opts.http_listen = "off";  // nor the registry
    auto echo = spate::net::parse_listen_address("--echo-listen", echo_listen);
    if (!echo.ok() || !*echo) {
        std::fprintf(stderr, "spate_echo_serve: --echo-listen needs HOST:PORT\n");
        return 2;
    }
    return spate::app::serve(opts, [&](spate::app::platform& p) {
        p.add_listener({.name = "echo",
                        .flag = "--echo-listen",
                        .host = (*echo)->first,
                        .port = (*echo)->second},
                       spate::net::testing::echo_factory());
    });
}
