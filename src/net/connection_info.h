#pragma once

// Who is on the other end of a connection, as every protocol (Kafka,
// PostgreSQL wire, HTTP) sees it: the listener it came in on, its address,
// and its authenticated principal. The authorizer decides on the principal
// and host; until authentication exists every principal is User:ANONYMOUS.

#include <cstdint>
#include <string>

namespace spate::net {

// A Kafka-style principal ("User:alice"): a type and a name.
struct principal {
    std::string type = "User";
    std::string name = "ANONYMOUS";

    std::string to_string() const { return type + ":" + name; }
    bool operator==(const principal&) const = default;
};

struct connection_info {
    std::string listener;                         // the listener's name ("kafka", ...)
    std::string security_protocol = "PLAINTEXT";  // PLAINTEXT or SSL (SASL_* later)
    std::string peer_address;                     // "127.0.0.1", "::1"
    uint16_t peer_port = 0;
    principal user;
};

}  // namespace spate::net
