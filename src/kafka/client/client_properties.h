#pragma once

// Kafka client properties files (the `--command-config FILE` of Kafka's
// tools) into client_config's security settings.
//
// Known keys: security.protocol, sasl.mechanism, sasl.username,
// sasl.password, ssl.ca.location, ssl.certificate.location,
// ssl.key.location, ssl.key.password, ssl.endpoint.identification.algorithm
// (https | none | empty). Any other key, a bad value, a missing SASL user
// or password with a SASL protocol, a certificate without its key (or the
// reverse) and an unreadable file named by an ssl.* key are
// errc::invalid_argument naming the file, line and key. Pure except for
// reading the files.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"

namespace spate::kafka::client {

struct property_line {
    std::string key;
    std::string value;
    int line = 0;  // 1-based, where the entry starts
};

// Java properties syntax: `key=value`, `key: value` or `key value`; blank
// lines and lines starting with '#' or '!' skipped; blanks around keys and
// before values dropped; backslash escapes (\t \n \r \f \uXXXX, any other
// escaped character stands for itself) and a trailing backslash continuing
// the line; a key alone has an empty value. Error: a bad \u escape.
result<std::vector<property_line>> parse_properties_text(std::string_view text);

// Applies `props` (read from `source`, named in errors) to `c`, then checks
// the result as a whole; `c` is unchanged on error.
status apply_client_properties(client_config& c, const std::vector<property_line>& props,
                               const std::string& source);

// Reads `path` and applies it (errc::io_error: unreadable).
status load_client_properties(client_config& c, const std::string& path);

}  // namespace spate::kafka::client
