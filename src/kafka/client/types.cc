#include "kafka/client/types.h"

namespace spate::kafka::client {

std::string broker_node::text() const {
    std::string addr = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return addr + ":" + std::to_string(port) + " (id " + std::to_string(id) + ")";
}

}  // namespace spate::kafka::client
