#pragma once
/// \file output.hpp
/// Output files on a shared, hostile file system: another run writing the same
/// directory, a link planted at a file name, a full disk, a directory where a file
/// should be, an output that would replace the run's own input.
///
/// An `OutputBatch` owns one output directory while it lives: it holds an exclusive lock
/// on it (`flock` on the directory itself, so no lock file is left behind), so a second
/// run on the same directory is refused at once instead of interleaving its files with
/// the first's. Each file is written to a temporary name of its own (unique, created
/// exclusively, never through a link) and all are moved into place together by
/// `commit`, which checks every target first and puts back what it already replaced if a
/// later move fails. The directory is opened once and every name is resolved inside it,
/// so nothing outside it is ever written or replaced. POSIX (Linux) only.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <ostream>
#include <random>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <mece/error.hpp>

namespace mece {
namespace detail {

/// The system's text for an `errno` value ("No space left on device").
inline std::string reason(int error_number) {
    return std::generic_category().message(error_number);
}

/// A file descriptor, closed when dropped.
class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) noexcept : fd_(fd) {}
    Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Descriptor() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Closes now; returns `errno` of a failed close (a write error reported late), or 0.
    int close() noexcept {
        const int fd = std::exchange(fd_, -1);
        return fd >= 0 && ::close(fd) != 0 ? errno : 0;
    }

private:
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
};

/// A `std::streambuf` that writes to a file descriptor and keeps the `errno` of the
/// first failed write, so a full disk is reported as one.
class DescriptorBuffer : public std::streambuf {
public:
    explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
    DescriptorBuffer(const DescriptorBuffer&) = delete;
    DescriptorBuffer& operator=(const DescriptorBuffer&) = delete;

    /// `errno` of the first failed write, or 0.
    int error() const noexcept { return error_; }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    std::streamsize xsputn(const char* data, std::streamsize n) override {
        if (n < std::streamsize(buffer_.size()) / 2) return std::streambuf::xsputn(data, n);
        if (!drain() || !write_all(data, std::size_t(n))) return 0;  // large pieces skip the buffer
        return n;
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const bool ok = write_all(pbase(), std::size_t(pptr() - pbase()));
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return ok;
    }
    bool write_all(const char* data, std::size_t n) {
        while (n > 0 && error_ == 0) {
            const ssize_t written = ::write(fd_, data, n);
            if (written < 0) {
                if (errno != EINTR) error_ = errno;
                continue;
            }
            data += written;
            n -= std::size_t(written);
            start_writeback(std::size_t(written));
        }
        return error_ == 0;
    }
#if defined(__linux__)
    /// Asks the kernel to start writing each 8 MiB to disk as it is written (Linux's
    /// `sync_file_range`, without waiting), so the `fsync` that commits a large file finds
    /// little left to do. Only a hint: its failure changes nothing.
    void start_writeback(std::size_t written) noexcept {
        constexpr off_t every = off_t{8} << 20;
        written_ += off_t(written);
        if (written_ - started_ < every) return;
        ::sync_file_range(fd_, started_, written_ - started_, SYNC_FILE_RANGE_WRITE);
        started_ = written_;
    }
    off_t written_ = 0, started_ = 0;
#else
    void start_writeback(std::size_t) noexcept {}
#endif

    int fd_;
    int error_ = 0;
    std::array<char, 1 << 16> buffer_;
};

/// A name for a temporary file beside `name`, unique to this process and call:
/// `name.<16 hex digits>.partial`.
inline std::string temporary_name(const std::string& name) {
    static thread_local std::mt19937_64 random{std::random_device{}() ^ (std::uint64_t(::getpid()) << 32)};
    char tag[24];
    std::snprintf(tag, sizeof tag, ".%016llx", static_cast<unsigned long long>(random()));
    return name + tag + ".partial";
}

/// Whether `name` is one `temporary_name` made.
inline bool is_temporary_name(std::string_view name) {
    constexpr std::string_view suffix = ".partial";
    if (name.size() < suffix.size() + 17 || !name.ends_with(suffix)) return false;
    const std::string_view tag = name.substr(name.size() - suffix.size() - 17, 17);
    return tag[0] == '.' && tag.substr(1).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

/// What is at `name` in the directory `dir`, without following a link; false if nothing.
inline bool stat_at(int dir, const std::string& name, struct stat& info) {
    return ::fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace detail

/// How an `OutputBatch` holds its directory.
struct OutputOptions {
    /// Hold an exclusive lock on the directory while the batch lives; a second batch on
    /// it (in this or another process) is refused. Without, files are still written and
    /// committed safely, but two batches may interleave whole files.
    bool lock = true;
};

/// Output files written under temporary names and moved into place together by
/// `commit`: a run that stops before `commit` (an error, a kill) leaves every earlier
/// output file as it was, and a `commit` that fails leaves them as they were too. Only a
/// process killed inside `commit` itself, between two renames, can leave some files of
/// each run.
///
/// \code
/// mece::OutputBatch batch{"mece-out"};  // creates and locks the directory
/// batch.protect("carts.csv");           // refuse to replace the input
/// mece::StrategyWriter{batch}.write(strategy);
/// mece::ReportWriter{batch}.write(strategy);
/// batch.commit();
/// \endcode
class OutputBatch {
public:
    /// Creates `directory` (and its parents) if needed and opens it. With `options.lock`
    /// it takes the directory's lock, refusing when another batch holds it, and removes the
    /// temporary files that a killed run left there.
    explicit OutputBatch(std::filesystem::path directory, OutputOptions options = {}) : directory_(std::move(directory)) {
        const std::string shown = directory_.string();
        if (shown.empty()) detail::raise<Error>("the output directory name is empty");
        std::error_code error;
        std::filesystem::create_directories(directory_, error);
        if (error) detail::raise<Error>(shown + ": cannot create the output directory: " + error.message());
        dir_ = detail::Descriptor(::open(shown.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir_) detail::raise<Error>(shown + ": cannot open the output directory: " + detail::reason(errno));
        if (options.lock) {
            if (::flock(dir_.get(), LOCK_EX | LOCK_NB) != 0) {
                if (errno == EWOULDBLOCK)
                    detail::raise<Error>(shown + ": another run is writing to this directory; nothing was written (try again when it ends, or write to another directory)");
                detail::raise<Error>(shown + ": cannot lock the output directory: " + detail::reason(errno));
            }
            remove_leftovers();
        }
    }
    OutputBatch(const OutputBatch&) = delete;
    OutputBatch& operator=(const OutputBatch&) = delete;
    /// Removes the temporary files of a batch never committed.
    ~OutputBatch() {
        for (const Staged& s : staged_) ::unlinkat(dir_.get(), s.temporary.c_str(), 0);
    }

    const std::filesystem::path& directory() const noexcept { return directory_; }

    /// Refuses to stage or commit a file over `path` (a run's input or config): an output
    /// at the same file, by any name, is an error naming both. Nothing if `path` is absent.
    void protect(const std::filesystem::path& path) {
        struct stat info {};
        if (::stat(path.c_str(), &info) == 0) protected_.push_back({info.st_dev, info.st_ino, path.string()});
    }

    /// Writes `path`'s content now, under a temporary name. `path` names a file directly
    /// in the batch's directory (`directory() / name`).
    void stage(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
        const std::string name = name_in_directory(path);
        check_target(name);
        Staged entry{name, {}};
        detail::Descriptor file;
        for (int attempt = 0; attempt < 100 && !file; ++attempt) {
            entry.temporary = detail::temporary_name(name);
            file = detail::Descriptor(::openat(dir_.get(), entry.temporary.c_str(),
                                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
            if (!file && errno != EEXIST) break;
        }
        if (!file) detail::raise<Error>(shown(name) + ": cannot create a temporary file beside it: " + detail::reason(errno));
        int error = 0;
        try {
            detail::DescriptorBuffer buffer(file.get());
            std::ostream out(&buffer);
            write(out);
            out.flush();
            error = buffer.error();
            if (error == 0 && !out) error = EIO;
        } catch (...) {  // a half-written temporary file is removed, never left to fill a disk
            ::unlinkat(dir_.get(), entry.temporary.c_str(), 0);
            throw;
        }
        if (error == 0 && ::fsync(file.get()) != 0) error = errno;
        if (const int closed = file.close(); error == 0) error = closed;
        if (error != 0) {
            ::unlinkat(dir_.get(), entry.temporary.c_str(), 0);
            detail::raise<Error>(shown(name) + ": cannot write: " + detail::reason(error) + "; nothing was replaced");
        }
        staged_.push_back(std::move(entry));
    }

    /// Stages `path` as an empty temporary file that another writer fills before the
    /// commit (the ranks of a sharded run write `assignments.csv` into it with MPI-IO);
    /// returns the temporary file's path. Removed, like any staged file, unless committed.
    std::filesystem::path reserve(const std::filesystem::path& path) {
        stage(path, [](std::ostream&) {});
        return directory_ / staged_.back().temporary;
    }

    /// Moves every staged file into place. Every target is checked first (a directory,
    /// or a protected file, at a target name is an error before anything moves); if a move
    /// still fails, the files already moved are put back, so the directory holds the
    /// previous outputs, and the error names the file and the reason.
    void commit() {
        for (const Staged& s : staged_) check_target(s.name);
        std::vector<std::pair<const Staged*, Move>> done;
        for (const Staged& s : staged_) {
            const Move how = move(s);
            if (how != Move::failed) {
                done.emplace_back(&s, how);
                continue;
            }
            const int error = errno;
            for (auto it = done.rbegin(); it != done.rend(); ++it) undo(*it->first, it->second);
            detail::raise<Error>(shown(s.name) + ": cannot move the finished file into place: " + detail::reason(error) +
                                 "; the previous outputs were kept");
        }
        for (const Staged& s : staged_) ::unlinkat(dir_.get(), s.temporary.c_str(), 0);  // the old files, if any
        staged_.clear();
        ::fsync(dir_.get());
    }

    /// The files staged and not yet committed.
    std::vector<std::filesystem::path> pending() const {
        std::vector<std::filesystem::path> paths;
        for (const Staged& s : staged_) paths.push_back(directory_ / s.name);
        return paths;
    }

private:
    struct Staged {
        std::string name{}, temporary{};
    };
    struct Protected {
        dev_t device{};
        ino_t inode{};
        std::string path{};
    };

    std::string shown(const std::string& name) const { return (directory_ / name).string(); }

    std::string name_in_directory(const std::filesystem::path& path) const {
        const std::string name = path.filename().string();
        if (name.empty() || name == "." || name == ".." ||
            (directory_ / name).lexically_normal() != path.lexically_normal())
            detail::raise<Error>(path.string() + ": not a file directly in the output directory " + directory_.string());
        return name;
    }

    /// A target name may hold a file or a link (each is replaced, never written
    /// through), never a directory or a protected file.
    void check_target(const std::string& name) const {
        struct stat info {};
        if (!detail::stat_at(dir_.get(), name, info)) return;
        if (S_ISDIR(info.st_mode))
            detail::raise<Error>(shown(name) + ": is a directory, where an output file goes; nothing was replaced");
        for (const Protected& p : protected_)
            if (p.device == info.st_dev && p.inode == info.st_ino)
                detail::raise<Error>(shown(name) + ": this output would replace the run's input " + p.path +
                                     "; choose another output directory");
    }

    enum class Move { failed, created, exchanged, replaced };

    /// Moves one temporary file to its name. An old file there is exchanged with it, so
    /// that it can be put back; a file system that cannot exchange replaces it.
    Move move(const Staged& s) const {
        const int dir = dir_.get();
        const char *from = s.temporary.c_str(), *to = s.name.c_str();
        struct stat info {};
        if (!detail::stat_at(dir, s.name, info)) {
            if (::renameat2(dir, from, dir, to, RENAME_NOREPLACE) == 0) return Move::created;
        } else if (::renameat2(dir, from, dir, to, RENAME_EXCHANGE) == 0) {
            return Move::exchanged;
        }
        if (errno != EINVAL) return Move::failed;
        return ::renameat(dir, from, dir, to) == 0 ? Move::replaced : Move::failed;
    }

    /// Puts back what `move` did, where it can.
    void undo(const Staged& s, Move how) const {
        const int dir = dir_.get();
        if (how == Move::exchanged) ::renameat2(dir, s.temporary.c_str(), dir, s.name.c_str(), RENAME_EXCHANGE);
        if (how == Move::created) ::renameat(dir, s.name.c_str(), dir, s.temporary.c_str());
    }

    /// Temporary files of runs killed before they committed (only ever called under the lock).
    void remove_leftovers() const {
        const int copy = ::dup(dir_.get());
        if (copy < 0) return;
        DIR* listing = ::fdopendir(copy);
        if (!listing) {
            ::close(copy);
            return;
        }
        std::vector<std::string> leftovers;
        while (const dirent* entry = ::readdir(listing))
            if (detail::is_temporary_name(entry->d_name)) leftovers.emplace_back(entry->d_name);
        ::closedir(listing);
        for (const std::string& name : leftovers) ::unlinkat(dir_.get(), name.c_str(), 0);
    }

    std::filesystem::path directory_;
    detail::Descriptor dir_;
    std::vector<Staged> staged_;
    std::vector<Protected> protected_;
};

/// Writes one file atomically: a unique temporary file beside it, then a rename; on any
/// failure (a full disk) the temporary file is removed, whatever was at `path` stays,
/// and the error names `path` and the reason.
inline void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    OutputBatch batch(parent, {.lock = false});
    batch.stage(parent / path.filename(), write);
    batch.commit();
}

namespace detail {

/// Creates `directory` and its parents if needed; an error names it and the reason.
inline void create_output_directory(const std::filesystem::path& directory) {
    if (directory.empty()) raise<Error>("the output directory name is empty");
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error || !std::filesystem::is_directory(directory))
        raise<Error>(directory.string() + ": cannot create the output directory" + (error ? ": " + error.message() : std::string()));
}

/// Writes a file at once (atomically) or stages it in `batch`.
inline void emit(OutputBatch* batch, const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    if (batch)
        batch->stage(path, write);
    else
        write_file_atomically(path, write);
}

}  // namespace detail

}  // namespace mece
