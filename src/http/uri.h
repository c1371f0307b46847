#pragma once

// Request targets: the path split into percent-decoded segments and the
// query into decoded name/value pairs. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace spate::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in
// query strings). A '%' not followed by two hex digits is
// errc::invalid_argument. The result may hold any bytes, NUL included.
result<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Escapes every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX,
// for one path segment or query value.
std::string percent_encode(std::string_view s);

struct target_parts {
    // "/a/b%2Fc/" -> {"a", "b/c"}: split on '/' before decoding, so an
    // escaped slash stays inside its segment; one trailing '/' is ignored;
    // "/" -> {}.
    std::vector<std::string> segments;
    param_list query;  // "a=1&b&c=x+y" -> {a,1}, {b,""}, {c,"x y"}
};

// Splits an origin-form target ("/path?query"). A target not starting with
// '/' or with a bad escape is errc::invalid_argument.
result<target_parts> parse_target(std::string_view target);

}  // namespace spate::http
