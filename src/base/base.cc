#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/assert.h"
#include "base/result.h"

namespace spate {

namespace detail {
void assert_fail(const char* expr, const char* msg, const char* file, int line) {
    std::fprintf(stderr, "spate: invariant violated: %s%s%s at %s:%d\n", expr, msg ? ": " : "",
                 msg ? msg : "", file, line);
    std::fflush(stderr);
    std::abort();
}
}  // namespace detail

const char* errc_name(errc e) {
    switch (e) {
        case errc::ok:
            return "ok";
        case errc::io_error:
            return "io_error";
        case errc::corrupt:
            return "corrupt";
        case errc::invalid_argument:
            return "invalid_argument";
        case errc::not_found:
            return "not_found";
        case errc::already_exists:
            return "already_exists";
        case errc::out_of_range:
            return "out_of_range";
        case errc::unsupported:
            return "unsupported";
        case errc::too_large:
            return "too_large";
        case errc::timed_out:
            return "timed_out";
        case errc::shutting_down:
            return "shutting_down";
        case errc::out_of_order_sequence:
            return "out_of_order_sequence";
        case errc::producer_fenced:
            return "producer_fenced";
    }
    return "unknown";
}

std::string error::to_string() const {
    std::string s = errc_name(code);
    if (!message.empty()) {
        s += ": ";
        s += message;
    }
    return s;
}

error errno_error(const std::string& what, int errno_value) {
    return error{errc::io_error, what + ": " + std::strerror(errno_value)};
}

}  // namespace spate
