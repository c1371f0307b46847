#pragma once

// A bounded set of open file descriptors shared by many lazily opened files
// (segment data files): 100,000 partitions must not hold 100,000+ open
// descriptors. A `cached_fd` names a file by path and flags; its descriptor
// is opened on first use, kept while recently used, and closed when the cache
// is over capacity and it is the least recently used one nobody has pinned.
//
// Contracts:
// - A descriptor is valid while a pin on its cached_fd is held (reads,
//   writes, fsync, sendfile hold one for the call); unpinned it may be closed
//   at any time and is reopened, without O_CREAT, on the next pin.
// - keep_open() pins a descriptor for the rest of the cached_fd's life:
//   callers use it before unlinking or renaming over the path (retention,
//   compaction swaps), so readers still holding the file read the old inode.
// - Capacity is soft: when every open descriptor is pinned, a new pin opens
//   one more rather than failing.
//
// Threading: every method is thread-safe; one mutex guards the LRU list and
// the open count. Opens and closes run under it (they are short).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

#include "base/result.h"

namespace spate::storage {

class fd_cache;

// One lazily opened file. Owned by its user (storage::file); must be
// destroyed before its cache.
class cached_fd {
  public:
    // `flags` are open(2) flags for reopening (no O_CREAT); `fd` an already
    // open descriptor for the file or -1.
    cached_fd(fd_cache& cache, std::filesystem::path path, int flags, int fd);
    ~cached_fd();
    cached_fd(const cached_fd&) = delete;
    cached_fd& operator=(const cached_fd&) = delete;

    // Holds the descriptor open while alive; must not outlive its cached_fd
    // (hold the owning storage::file's shared_ptr with it).
    class pin {
      public:
        pin() = default;
        pin(pin&& o) noexcept : _owner(o._owner), _fd(o._fd) { o._owner = nullptr; }
        pin& operator=(pin&& o) noexcept;
        pin(const pin&) = delete;
        pin& operator=(const pin&) = delete;
        ~pin() { reset(); }
        // A pin that holds nothing: `fd` belongs to someone else.
        static pin unowned(int fd) { return pin(nullptr, fd); }
        int fd() const { return _fd; }
        void reset();

      private:
        friend class cached_fd;
        pin(const cached_fd* owner, int fd) : _owner(owner), _fd(fd) {}
        const cached_fd* _owner = nullptr;
        int _fd = -1;
    };

    // The descriptor, opened if needed (errc::io_error when open fails).
    result<pin> acquire() const;
    status keep_open();
    std::filesystem::path path() const { return _path; }
    // Whether a descriptor is open now (tests).
    bool is_open() const;

  private:
    friend class fd_cache;
    void release() const;

    fd_cache& _cache;
    const std::string _path;
    const int _flags;
    // Guarded by the cache's mutex.
    mutable int _fd;
    mutable uint32_t _pins = 0;
    mutable const cached_fd* _prev = nullptr;  // LRU list of open, unpinned files
    mutable const cached_fd* _next = nullptr;
    mutable bool _listed = false;
};

class fd_cache {
  public:
    explicit fd_cache(size_t capacity);
    ~fd_cache();
    fd_cache(const fd_cache&) = delete;
    fd_cache& operator=(const fd_cache&) = delete;

    // The process's cache for segment data files, sized by
    // default_capacity() on first use.
    static fd_cache& global();
    // A quarter of the soft RLIMIT_NOFILE (the rest is for sockets and other
    // files), at least 64.
    static size_t default_capacity();

    void set_capacity(size_t capacity);
    size_t capacity() const;
    // Descriptors open now, pinned or not.
    size_t open_count() const;

  private:
    friend class cached_fd;
    // Require _mu.
    void link_front(const cached_fd* f);
    void unlink(const cached_fd* f);
    void evict_over_capacity(size_t reserve);

    mutable std::mutex _mu;
    size_t _capacity;
    size_t _open = 0;
    const cached_fd* _head = nullptr;  // most recently released
    const cached_fd* _tail = nullptr;  // eviction candidate
};

// Raises the process's soft RLIMIT_NOFILE to its hard limit; returns the
// soft limit in effect afterwards (0 when it cannot be read).
uint64_t raise_fd_limit();

}  // namespace spate::storage
