#pragma once

// Invariant checks that stay on in release builds. A failed invariant means a
// bug, not bad input: it prints where and aborts the process loudly.

namespace spate::detail {
[[noreturn]] void assert_fail(const char* expr, const char* msg, const char* file, int line);
}

#define SPATE_ASSERT(expr)                                                    \
    do {                                                                      \
        if (!(expr)) [[unlikely]]                                             \
            ::spate::detail::assert_fail(#expr, nullptr, __FILE__, __LINE__); \
    } while (0)

#define SPATE_ASSERT_MSG(expr, msg)                                         \
    do {                                                                    \
        if (!(expr)) [[unlikely]]                                           \
            ::spate::detail::assert_fail(#expr, (msg), __FILE__, __LINE__); \
    } while (0)
