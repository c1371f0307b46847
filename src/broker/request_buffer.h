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
// connections there are. Taken memory is not written by the pool: a
// request_buffer's bytes are unspecified, a std::vector<std::byte>'s are
// zero-filled by resize(), so appenders take_empty() instead.
template <typename Buffer>
class buffer_pool {
  public:
    static constexpr size_t k_max_buffers = 16;
    static constexpr size_t k_max_capacity = size_t{4} << 20;

    static buffer_pool& shared() {
        static buffer_pool pool;
        return pool;
    }

    // A buffer of `size` bytes, reusing the smallest idle one that fits
    // (else the largest, which grows).
    Buffer take(size_t size) {
        Buffer b = pick_idle(size);
        b.clear();  // growing copies nothing
        b.resize(size);
        return b;
    }
    // An empty buffer with room for `capacity` bytes (chosen as take() does):
    // for a caller that appends, nothing is written, not even zeros.
    Buffer take_empty(size_t capacity) {
        Buffer b = pick_idle(capacity);
        b.clear();
        b.reserve(capacity);
        return b;
    }
    // Returns a buffer for reuse (or frees it).
    void give(Buffer b) {
        if (b.capacity() == 0 || b.capacity() > k_max_capacity) return;
        std::lock_guard lk(_mu);
        if (_idle.size() < k_max_buffers) _idle.push_back(std::move(b));
    }
    // Idle buffers held (for tests).
    size_t idle() {
        std::lock_guard lk(_mu);
        return _idle.size();
    }

  private:
    // Removes and returns the smallest idle buffer of at least `size` bytes'
    // capacity, else the largest one; an empty one when none is idle.
    Buffer pick_idle(size_t size) {
        std::lock_guard lk(_mu);
        size_t pick = _idle.size();
        for (size_t i = 0; i < _idle.size(); ++i) {
            const size_t cap = _idle[i].capacity();
            if (pick == _idle.size()) {
                pick = i;
                continue;
            }
            const size_t best = _idle[pick].capacity();
            if (cap >= size ? (best < size || cap < best) : (best < size && cap > best)) pick = i;
        }
        if (pick == _idle.size()) return Buffer{};
        Buffer b = std::move(_idle[pick]);
        _idle[pick] = std::move(_idle.back());
        _idle.pop_back();
        return b;
    }

    std::mutex _mu;
    std::vector<Buffer> _idle;
};

// Request frames (connection.cc).
using request_buffer_pool = buffer_pool<request_buffer>;
// Response frames and the copied records they are encoded from (Fetch's
// copy path): taken by the handler, given back once the frame is written.
using response_buffer_pool = buffer_pool<std::vector<std::byte>>;

}  // namespace spate::broker
