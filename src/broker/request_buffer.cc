#include "broker/request_buffer.h"

namespace spate::broker {

request_buffer_pool& request_buffer_pool::shared() {
    static request_buffer_pool pool;
    return pool;
}

request_buffer request_buffer_pool::take(size_t size) {
    request_buffer b;
    {
        std::lock_guard lk(_mu);
        // The smallest idle buffer that fits, else the largest (it grows).
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
        if (pick < _idle.size()) {
            b = std::move(_idle[pick]);
            _idle[pick] = std::move(_idle.back());
            _idle.pop_back();
        }
    }
    b.clear();  // growing copies nothing
    b.resize(size);
    return b;
}

void request_buffer_pool::give(request_buffer b) {
    if (b.capacity() == 0 || b.capacity() > k_max_capacity) return;
    std::lock_guard lk(_mu);
    if (_idle.size() < k_max_buffers) _idle.push_back(std::move(b));
}

size_t request_buffer_pool::idle() {
    std::lock_guard lk(_mu);
    return _idle.size();
}

}  // namespace spate::broker
