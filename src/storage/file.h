#pragma once

// Thin RAII wrappers over POSIX file I/O used by the log. Every call reports
// failure as an io_error value; nothing throws. A `file` may be read from many
// threads at once (pread); writes are serialised by the owner.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"

namespace spate::storage {

class file {
  public:
    enum class mode { read_only, read_write_create };

    static result<std::shared_ptr<file>> open(const std::filesystem::path& p, mode m);
    ~file();
    file(const file&) = delete;
    file& operator=(const file&) = delete;

    // Reads up to out.size() bytes at `pos`; fewer only at end of file.
    result<size_t> pread(std::span<std::byte> out, uint64_t pos) const;
    status pwrite_all(std::span<const std::byte> data, uint64_t pos);
    status datasync();
    status truncate(uint64_t size);
    result<uint64_t> size() const;
    int fd() const { return _fd; }
    const std::filesystem::path& path() const { return _path; }

  private:
    // Adopts an open descriptor; it is closed on destruction.
    file(int fd, std::filesystem::path p) : _fd(fd), _path(std::move(p)) {}

    int _fd;
    std::filesystem::path _path;
};

// fsyncs a directory so that entries created, renamed or removed in it survive a crash.
status fsync_dir(const std::filesystem::path& dir);

// Replaces `p` with `content` atomically: write to a temp file, fsync, rename, fsync dir.
status write_file_atomic(const std::filesystem::path& p, std::span<const std::byte> content);
status write_file_atomic(const std::filesystem::path& p, const std::string& content);

// Reads a whole file of at most `max_size` bytes (larger is errc::too_large).
result<std::string> read_small_file(const std::filesystem::path& p, size_t max_size);

}  // namespace spate::storage
