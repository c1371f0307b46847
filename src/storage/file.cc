#include "storage/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace spate::storage {

namespace {
int open_flags(file::mode m) {
    return m == file::mode::read_only ? O_RDONLY : O_RDWR;
}
}  // namespace

result<std::shared_ptr<file>> file::open(const std::filesystem::path& p, mode m) {
    int flags = O_CLOEXEC | open_flags(m) | (m == mode::read_only ? 0 : O_CREAT);
    int fd = ::open(p.c_str(), flags, 0644);
    if (fd < 0) return errno_error("open " + p.string(), errno);
    return std::shared_ptr<file>(new file(fd, p));
}

result<std::shared_ptr<file>> file::open_cached(const std::filesystem::path& p, mode m,
                                                fd_cache& cache) {
    auto f = open(p, m);
    if (!f.ok()) return f.err();
    // Reopens never create: a vanished file is an error, not a new empty one.
    (*f)->_cached = std::make_unique<cached_fd>(cache, p, open_flags(m), (*f)->_fd);
    (*f)->_fd = -1;
    return f;
}

file::~file() {
    if (_fd >= 0) ::close(_fd);
}

result<file::handle> file::acquire() const {
    if (_cached) return _cached->acquire();
    return handle::unowned(_fd);
}

status file::keep_open() {
    return _cached ? _cached->keep_open() : status{};
}

result<size_t> file::pread(std::span<std::byte> out, uint64_t pos) const {
    auto h = acquire();
    if (!h.ok()) return h.err();
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n =
            ::pread(h->fd(), out.data() + done, out.size() - done, static_cast<off_t>(pos + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read " + _path, errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

status file::pwrite_all(std::span<const std::byte> data, uint64_t pos) {
    auto h = acquire();
    if (!h.ok()) return h.err();
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(h->fd(), data.data() + done, data.size() - done,
                             static_cast<off_t>(pos + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("write " + _path, errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

status file::datasync() {
    auto h = acquire();
    if (!h.ok()) return h.err();
    if (::fdatasync(h->fd()) != 0) return errno_error("fdatasync " + _path, errno);
    return {};
}

status file::start_writeback(uint64_t pos, uint64_t len) {
    auto h = acquire();
    if (!h.ok()) return h.err();
    if (::sync_file_range(h->fd(), static_cast<off_t>(pos), static_cast<off_t>(len),
                          SYNC_FILE_RANGE_WRITE) != 0)
        return errno_error("sync_file_range " + _path, errno);
    return {};
}

status file::truncate(uint64_t size) {
    auto h = acquire();
    if (!h.ok()) return h.err();
    if (::ftruncate(h->fd(), static_cast<off_t>(size)) != 0) {
        return errno_error("truncate " + _path, errno);
    }
    return {};
}

result<uint64_t> file::size() const {
    auto h = acquire();
    if (!h.ok()) return h.err();
    struct stat st {};
    if (::fstat(h->fd(), &st) != 0) return errno_error("stat " + _path, errno);
    return static_cast<uint64_t>(st.st_size);
}

status fsync_dir(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_error("open dir " + dir.string(), errno);
    int rc = ::fsync(fd);
    int e = errno;
    ::close(fd);
    if (rc != 0) return errno_error("fsync dir " + dir.string(), e);
    return {};
}

status write_file_atomic(const std::filesystem::path& p, std::span<const std::byte> content) {
    auto tmp = p;
    tmp += ".tmp";
    auto f = file::open(tmp, file::mode::read_write_create);
    if (!f.ok()) return f.err();
    SPATE_TRY((*f)->truncate(0));  // a left-over temp file from a crash
    SPATE_TRY((*f)->pwrite_all(content, 0));
    {
        auto h = (*f)->acquire();
        if (!h.ok()) return h.err();
        if (::fsync(h->fd()) != 0) return errno_error("fsync " + tmp.string(), errno);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, p, ec);
    if (ec) return make_error(errc::io_error, "rename " + tmp.string() + ": " + ec.message());
    return fsync_dir(p.parent_path());
}

status write_file_atomic(const std::filesystem::path& p, const std::string& content) {
    return write_file_atomic(
        p, std::span<const std::byte>(reinterpret_cast<const std::byte*>(content.data()),
                                      content.size()));
}

result<std::string> read_small_file(const std::filesystem::path& p, size_t max_size) {
    auto f = file::open(p, file::mode::read_only);
    if (!f.ok()) return f.err();
    auto size = (*f)->size();
    if (!size.ok()) return size.err();
    if (*size > max_size)
        return make_error(errc::too_large, p.string() + " is larger than expected");
    std::string s(*size, '\0');
    auto n = (*f)->pread(std::span<std::byte>(reinterpret_cast<std::byte*>(s.data()), s.size()), 0);
    if (!n.ok()) return n.err();
    s.resize(*n);
    return s;
}

}  // namespace spate::storage
