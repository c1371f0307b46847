#pragma once

// Expected failures as values. `result<T>` holds either a T or an `error`;
// `status` is `result<void>`. Callers must check `ok()` before `value()`:
// reading the wrong alternative is an invariant violation and crashes.

#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace spate {

// Broad error categories used inside the process. Protocol edges (Kafka,
// pgwire, HTTP) map these to their own codes.
enum class errc {
    ok = 0,
    io_error,          // a system call failed; message carries errno text
    corrupt,           // bytes failed validation (CRC, length, magic, ...)
    invalid_argument,  // caller passed something malformed
    not_found,
    already_exists,
    out_of_range,  // offset or position outside what exists
    unsupported,
    too_large,
    timed_out,
    shutting_down,
    out_of_order_sequence,  // an idempotent producer's batch does not follow its last one
    producer_fenced,        // an idempotent producer's epoch is older than the current one
};

const char* errc_name(errc e);

struct error {
    errc code = errc::ok;
    std::string message;

    std::string to_string() const;
};

template <typename T>
class [[nodiscard]] result {
  public:
    result(T value) : _v(std::in_place_index<0>, std::move(value)) {}
    result(error e) : _v(std::in_place_index<1>, std::move(e)) {
        SPATE_ASSERT(std::get<1>(_v).code != errc::ok);
    }

    bool ok() const { return _v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        SPATE_ASSERT_MSG(ok(), std::get<1>(_v).message.c_str());
        return std::get<0>(_v);
    }
    const T& value() const& {
        SPATE_ASSERT_MSG(ok(), std::get<1>(_v).message.c_str());
        return std::get<0>(_v);
    }
    T&& value() && {
        SPATE_ASSERT_MSG(ok(), std::get<1>(_v).message.c_str());
        return std::get<0>(std::move(_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const error& err() const {
        SPATE_ASSERT(!ok());
        return std::get<1>(_v);
    }

  private:
    std::variant<T, error> _v;
};

template <>
class [[nodiscard]] result<void> {
  public:
    result() = default;
    result(error e) : _e(std::move(e)) { SPATE_ASSERT(_e.code != errc::ok); }

    bool ok() const { return _e.code == errc::ok; }
    explicit operator bool() const { return ok(); }
    const error& err() const {
        SPATE_ASSERT(!ok());
        return _e;
    }

  private:
    error _e;
};

using status = result<void>;

inline error make_error(errc code, std::string message) {
    return error{code, std::move(message)};
}

// An io_error carrying strerror(errno_value) and what was being done.
error errno_error(const std::string& what, int errno_value);

}  // namespace spate

// Propagates a failed status/result from the current function.
#define SPATE_TRY(expr)                            \
    do {                                           \
        auto&& _spate_r = (expr);                  \
        if (!_spate_r.ok()) return _spate_r.err(); \
    } while (0)
