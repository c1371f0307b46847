#pragma once

// Request frames are read into buffers that are neither zero-filled nor
// allocated per request: `request_buffer` default-initialises its bytes (the
// socket read overwrites them all), and `request_buffer_pool` hands the
// buffers of finished requests to the next ones, so a steady stream of
// produce requests of similar size reuses a few allocations.

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace spate::broker {

// std::allocator whose value-less construct() default-initialises: resize()
// leaves trivially constructible elements (std::byte) unwritten.
template <typename T>
struct default_init_allocator : std::allocator<T> {
    using std::allocator<T>::allocator;
    template <typename U>
    struct rebind {
        using other = default_init_allocator<U>;
    };
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

using request_buffer = std::vector<std::byte, default_init_allocator<std::byte>>;

// Thread-safe; shared by every connection of the process. Keeps at most
// k_max_buffers idle buffers of at most k_max_capacity bytes each (larger
// ones are freed when given back), so idle memory stays bounded however many
// connections there are.
class request_buffer_pool {
  public:
    static constexpr size_t k_max_buffers = 16;
    static constexpr size_t k_max_capacity = size_t{4} << 20;

    static request_buffer_pool& shared();

    // A buffer of `size` bytes whose contents are unspecified.
    request_buffer take(size_t size);
    // Returns a buffer for reuse (or frees it).
    void give(request_buffer b);
    // Idle buffers held (for tests).
    size_t idle();

  private:
    std::mutex _mu;
    std::vector<request_buffer> _idle;
};

}  // namespace spate::broker
