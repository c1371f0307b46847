#pragma once

// SASL PLAIN (RFC 4616) as Kafka uses it: "[authzid] NUL user NUL password",
// the authzid empty or equal to the user. The password is checked by the
// caller against the user's stored credential (scram.h verify_password).

#include <string>
#include <string_view>

#include "base/result.h"

namespace spate::security {

struct plain_credentials {
    std::string user;
    std::string password;
};

// Errors: not exactly three NUL-separated fields, an empty user or password,
// an authzid other than the user.
result<plain_credentials> parse_plain(std::string_view message);

}  // namespace spate::security
