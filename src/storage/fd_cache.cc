#include "storage/fd_cache.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace spate::storage {

cached_fd::cached_fd(fd_cache& cache, std::filesystem::path path, int flags, int fd)
    : _cache(cache), _path(path.string()), _flags(flags), _fd(fd) {
    if (_fd < 0) return;
    std::lock_guard lk(_cache._mu);
    ++_cache._open;
    _cache.link_front(this);
    _cache.evict_over_capacity(0);
}

cached_fd::~cached_fd() {
    std::lock_guard lk(_cache._mu);
    if (_listed) _cache.unlink(this);
    if (_fd >= 0) {
        ::close(_fd);
        --_cache._open;
    }
}

cached_fd::pin& cached_fd::pin::operator=(pin&& o) noexcept {
    if (this != &o) {
        reset();
        _owner = o._owner;
        _fd = o._fd;
        o._owner = nullptr;
    }
    return *this;
}

void cached_fd::pin::reset() {
    if (_owner) _owner->release();
    _owner = nullptr;
    _fd = -1;
}

result<cached_fd::pin> cached_fd::acquire() const {
    std::lock_guard lk(_cache._mu);
    if (_fd < 0) {
        _cache.evict_over_capacity(1);
        int fd = ::open(_path.c_str(), _flags | O_CLOEXEC);
        if (fd < 0) return errno_error("open " + _path, errno);
        _fd = fd;
        ++_cache._open;
    } else if (_listed) {
        _cache.unlink(this);
    }
    ++_pins;
    return pin(this, _fd);
}

void cached_fd::release() const {
    std::lock_guard lk(_cache._mu);
    SPATE_ASSERT(_pins > 0);
    if (--_pins > 0 || _fd < 0) return;
    _cache.link_front(this);
    _cache.evict_over_capacity(0);
}

status cached_fd::keep_open() {
    auto p = acquire();
    if (!p.ok()) return p.err();
    p->_owner = nullptr;  // the pin is never released: closed by the destructor
    return {};
}

bool cached_fd::is_open() const {
    std::lock_guard lk(_cache._mu);
    return _fd >= 0;
}

fd_cache::fd_cache(size_t capacity) : _capacity(std::max<size_t>(capacity, 1)) {}

fd_cache::~fd_cache() {
    SPATE_ASSERT(_open == 0);
}

fd_cache& fd_cache::global() {
    // Never destroyed: files may outlive static destruction order.
    static fd_cache* c = new fd_cache(default_capacity());
    return *c;
}

size_t fd_cache::default_capacity() {
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 4096;
    return std::max<size_t>(64, static_cast<size_t>(rl.rlim_cur / 4));
}

void fd_cache::set_capacity(size_t capacity) {
    std::lock_guard lk(_mu);
    _capacity = std::max<size_t>(capacity, 1);
    evict_over_capacity(0);
}

size_t fd_cache::capacity() const {
    std::lock_guard lk(_mu);
    return _capacity;
}

size_t fd_cache::open_count() const {
    std::lock_guard lk(_mu);
    return _open;
}

void fd_cache::link_front(const cached_fd* f) {
    SPATE_ASSERT(!f->_listed);
    f->_prev = nullptr;
    f->_next = _head;
    if (_head) _head->_prev = f;
    _head = f;
    if (!_tail) _tail = f;
    f->_listed = true;
}

void fd_cache::unlink(const cached_fd* f) {
    SPATE_ASSERT(f->_listed);
    if (f->_prev) {
        f->_prev->_next = f->_next;
    } else {
        _head = f->_next;
    }
    if (f->_next) {
        f->_next->_prev = f->_prev;
    } else {
        _tail = f->_prev;
    }
    f->_prev = f->_next = nullptr;
    f->_listed = false;
}

void fd_cache::evict_over_capacity(size_t reserve) {
    while (_open + reserve > _capacity && _tail) {
        const cached_fd* f = _tail;
        unlink(f);
        ::close(f->_fd);
        f->_fd = -1;
        --_open;
    }
}

uint64_t raise_fd_limit() {
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(rl.rlim_cur);
}

}  // namespace spate::storage
