#pragma once

// Thin RAII wrappers over POSIX file I/O used by the log. Every call reports
// failure as an io_error value; nothing throws. A `file` may be read from many
// threads at once (pread); writes are serialised by the owner.
//
// A file opened with a cache (open_cached, used for segment data files) holds
// no descriptor while idle: each call pins one from the fd_cache
// (storage/fd_cache.h) and the cache closes idle ones beyond its capacity.
// Code that needs the raw descriptor across calls (sendfile) holds a
// `handle` from acquire(). Before the path is unlinked or renamed over,
// keep_open() makes the current inode stay readable through this object.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "storage/fd_cache.h"

namespace spate::storage {

class file {
  public:
    enum class mode { read_only, read_write_create };

    static result<std::shared_ptr<file>> open(const std::filesystem::path& p, mode m);
    // Opens (creating it with read_write_create) and hands the descriptor to
    // `cache`, which may close it while unused and reopens it by path.
    static result<std::shared_ptr<file>> open_cached(const std::filesystem::path& p, mode m,
                                                     fd_cache& cache);
    ~file();
    file(const file&) = delete;
    file& operator=(const file&) = delete;

    // Reads up to out.size() bytes at `pos`; fewer only at end of file.
    result<size_t> pread(std::span<std::byte> out, uint64_t pos) const;
    status pwrite_all(std::span<const std::byte> data, uint64_t pos);
    status datasync();
    // Starts writing [pos, pos + len) to the disk without waiting
    // (sync_file_range WRITE). Not a durability point: a later fdatasync (of
    // this file, or another file's journal commit on the same filesystem)
    // then finds these pages clean or under way instead of all still dirty.
    status start_writeback(uint64_t pos, uint64_t len);
    status truncate(uint64_t size);
    result<uint64_t> size() const;
    // A descriptor that stays open while the handle lives.
    using handle = cached_fd::pin;
    result<handle> acquire() const;
    // See the top of this file; a no-op for files without a cache.
    status keep_open();
    std::filesystem::path path() const { return _path; }

  private:
    // Adopts an open descriptor; it is closed on destruction.
    file(int fd, const std::filesystem::path& p) : _fd(fd), _path(p.string()) {}

    int _fd;  // -1 when _cached holds the descriptor
    std::unique_ptr<cached_fd> _cached;
    // Strings, not paths: a path allocates once per component, and every
    // partition holds several of these.
    std::string _path;
};

// fsyncs a directory so that entries created, renamed or removed in it survive a crash.
status fsync_dir(const std::filesystem::path& dir);

// Replaces `p` with `content` atomically: write to a temp file, fsync, rename, fsync dir.
status write_file_atomic(const std::filesystem::path& p, std::span<const std::byte> content);
status write_file_atomic(const std::filesystem::path& p, const std::string& content);

// Reads a whole file of at most `max_size` bytes (larger is errc::too_large).
result<std::string> read_small_file(const std::filesystem::path& p, size_t max_size);

}  // namespace spate::storage
