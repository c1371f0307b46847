#include "kafka/client/config.h"

namespace spate::kafka::client {

property_list base_properties(const client_config& c) {
    property_list out = {{"bootstrap.servers", c.bootstrap},
                         {"client.id", c.client_id},
                         {"log.connection.close", "false"},
                         {"allow.auto.create.topics", "false"}};
    out.insert(out.end(), c.properties.begin(), c.properties.end());
    return out;
}

}  // namespace spate::kafka::client
