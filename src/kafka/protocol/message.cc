#include "kafka/protocol/message.h"

#include <string>

namespace spate::kafka::protocol {

spate::status check_version(int16_t version, int16_t min, int16_t max) {
    if (version < min || version > max) {
        return make_error(errc::unsupported, "unsupported version " + std::to_string(version) +
                                                 " (valid " + std::to_string(min) + "-" +
                                                 std::to_string(max) + ")");
    }
    return {};
}

}  // namespace spate::kafka::protocol
