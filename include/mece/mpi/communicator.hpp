#pragma once
/// \file mpi/communicator.hpp
/// The collectives a sharded run needs, over an MPI communicator, each counted (rounds
/// and bytes) so a run can report what its stages moved; and `agree`, which makes a
/// failure on one rank the same failure on every rank.
///
/// MPI's errors come back as a `mece::Error` with MPI's own text (the communicator's
/// error handler is set to return them), never an abort from inside a collective.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

// The C interface alone: MPI's C++ bindings are deprecated and warn under -Wextra.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <mece/error.hpp>

namespace mece::mpi {

/// What a rank's collectives moved: calls, and the bytes of payload this rank gave them.
struct Traffic {
    std::int64_t rounds = 0;
    std::int64_t bytes = 0;

    Traffic& operator+=(const Traffic& other) noexcept {
        rounds += other.rounds;
        bytes += other.bytes;
        return *this;
    }
    friend Traffic operator-(Traffic a, const Traffic& b) noexcept { return {a.rounds - b.rounds, a.bytes - b.bytes}; }
};

namespace detail {

template <class T>
MPI_Datatype datatype() {
    if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
    else if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
    else if constexpr (std::is_same_v<T, std::int64_t>) return MPI_INT64_T;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return MPI_UINT64_T;
    else if constexpr (std::is_same_v<T, std::int32_t>) return MPI_INT32_T;
    else if constexpr (std::is_same_v<T, char>) return MPI_CHAR;
    else static_assert(sizeof(T) == 0, "mece::mpi: no MPI datatype for this type");
}

/// Throws a `mece::Error` naming the call and MPI's reason when `code` is not success.
inline void check(int code, const char* call) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
    mece::detail::raise<Error>(std::string("mpi: ") + call + " failed: " + std::string(text, std::size_t(length)));
}

/// A count as MPI's `int`, refused (not wrapped) when it does not fit.
inline int count_of(std::size_t n, const char* call) {
    if (n > std::size_t(std::numeric_limits<int>::max()))
        mece::detail::raise<Error>(std::string("mpi: ") + call + ": " + std::to_string(n) + " elements in one call (the limit is " +
                                   std::to_string(std::numeric_limits<int>::max()) + ")");
    return int(n);
}

}  // namespace detail

/// A communicator (by default `MPI_COMM_WORLD`) with the collectives the layer uses.
/// It does not own the communicator; MPI must be initialised while it is used. Every
/// member is collective: all ranks call it, in the same order, with the same sizes.
class Communicator {
public:
    explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
        detail::check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
        detail::check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        detail::check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }

    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    MPI_Comm get() const noexcept { return comm_; }

    /// Everything moved so far; subtract two readings for a stage's share.
    const Traffic& traffic() const noexcept { return traffic_; }

    /// Element-wise sum (`MPI_SUM`), min or max over the ranks, in place, on every rank.
    template <class T>
    void sum(std::vector<T>& values) const { reduce(values, MPI_SUM, "MPI_Allreduce (sum)"); }
    template <class T>
    void max(std::vector<T>& values) const { reduce(values, MPI_MAX, "MPI_Allreduce (max)"); }
    template <class T>
    void min(std::vector<T>& values) const { reduce(values, MPI_MIN, "MPI_Allreduce (min)"); }
    template <class T>
    T sum(T value) const {
        std::vector<T> one{value};
        sum(one);
        return one[0];
    }

    /// The ranks' values of one element each, in rank order, on every rank.
    template <class T>
    std::vector<T> all_gather(T value) const {
        std::vector<T> out(static_cast<std::size_t>(size_));
        detail::check(MPI_Allgather(&value, 1, detail::datatype<T>(), out.data(), 1, detail::datatype<T>(), comm_), "MPI_Allgather");
        count(sizeof(T));
        return out;
    }

    /// The ranks' vectors of `n` elements each, concatenated in rank order, on every rank.
    template <class T>
    std::vector<T> all_gather_each(const std::vector<T>& values) const {
        const int n = detail::count_of(values.size(), "MPI_Allgather");
        std::vector<T> out(values.size() * std::size_t(size_));
        detail::check(MPI_Allgather(values.data(), n, detail::datatype<T>(), out.data(), n, detail::datatype<T>(), comm_), "MPI_Allgather");
        count(values.size() * sizeof(T));
        return out;
    }

    /// The ranks' vectors, concatenated in rank order, on every rank.
    template <class T>
    std::vector<T> all_gather(const std::vector<T>& values) const {
        return all_gather(values, all_gather(std::int64_t(values.size())));
    }
    /// The same, when every rank knows each rank's size (`sizes`, in rank order) already.
    template <class T>
    std::vector<T> all_gather(const std::vector<T>& values, const std::vector<std::int64_t>& sizes) const {
        if (sizes.size() != std::size_t(size_) || sizes[std::size_t(rank_)] != std::int64_t(values.size()))
            mece::detail::raise<Error>("mpi: all_gather: the sizes do not match the ranks' vectors");
        std::vector<int> counts, offsets;
        std::size_t total = 0;
        for (std::int64_t n : sizes) {
            offsets.push_back(detail::count_of(total, "MPI_Allgatherv"));
            counts.push_back(detail::count_of(std::size_t(n), "MPI_Allgatherv"));
            total += std::size_t(n);
        }
        detail::count_of(total, "MPI_Allgatherv");
        std::vector<T> out(total);
        detail::check(MPI_Allgatherv(values.data(), counts[std::size_t(rank_)], detail::datatype<T>(), out.data(), counts.data(),
                                     offsets.data(), detail::datatype<T>(), comm_),
                      "MPI_Allgatherv");
        count(values.size() * sizeof(T));
        return out;
    }

    /// Sends `to[r]` to rank `r`; returns what every rank sent this one, in rank order.
    template <class T>
    std::vector<T> all_to_all(const std::vector<std::vector<T>>& to) const {
        if (to.size() != std::size_t(size_))
            mece::detail::raise<Error>("mpi: all_to_all: " + std::to_string(to.size()) + " lists for " + std::to_string(size_) + " ranks");
        std::vector<std::int64_t> sizes;
        for (const auto& part : to) sizes.push_back(std::int64_t(part.size()));
        std::vector<std::int64_t> incoming(std::size_t(size_), 0);
        detail::check(MPI_Alltoall(sizes.data(), 1, MPI_INT64_T, incoming.data(), 1, MPI_INT64_T, comm_), "MPI_Alltoall");
        std::vector<int> send_counts, send_offsets, receive_counts, receive_offsets;
        std::vector<T> flat;
        std::size_t received = 0;
        for (std::size_t r = 0; r < to.size(); ++r) {
            send_offsets.push_back(detail::count_of(flat.size(), "MPI_Alltoallv"));
            send_counts.push_back(detail::count_of(to[r].size(), "MPI_Alltoallv"));
            flat.insert(flat.end(), to[r].begin(), to[r].end());
            receive_offsets.push_back(detail::count_of(received, "MPI_Alltoallv"));
            receive_counts.push_back(detail::count_of(std::size_t(incoming[r]), "MPI_Alltoallv"));
            received += std::size_t(incoming[r]);
        }
        detail::count_of(flat.size(), "MPI_Alltoallv");
        detail::count_of(received, "MPI_Alltoallv");
        std::vector<T> out(received);
        detail::check(MPI_Alltoallv(flat.data(), send_counts.data(), send_offsets.data(), detail::datatype<T>(), out.data(),
                                    receive_counts.data(), receive_offsets.data(), detail::datatype<T>(), comm_),
                      "MPI_Alltoallv");
        count(sizes.size() * sizeof(std::int64_t) + flat.size() * sizeof(T), 2);
        return out;
    }

    /// Rank `root`'s text, on every rank.
    std::string broadcast(std::string text, int root) const {
        std::int64_t length = std::int64_t(text.size());
        detail::check(MPI_Bcast(&length, 1, MPI_INT64_T, root, comm_), "MPI_Bcast");
        text.resize(std::size_t(length));
        detail::check(MPI_Bcast(text.data(), detail::count_of(text.size(), "MPI_Bcast"), MPI_CHAR, root, comm_), "MPI_Bcast");
        count(rank_ == root ? sizeof length + text.size() : 0, 2);
        return text;
    }

private:
    template <class T>
    void reduce(std::vector<T>& values, MPI_Op op, const char* call) const {
        detail::check(MPI_Allreduce(MPI_IN_PLACE, values.data(), detail::count_of(values.size(), call), detail::datatype<T>(), op, comm_),
                      call);
        count(values.size() * sizeof(T));
    }
    void count(std::size_t bytes, std::int64_t rounds = 1) const noexcept {
        traffic_.rounds += rounds;
        traffic_.bytes += std::int64_t(bytes);
    }

    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
    mutable Traffic traffic_{};
};

/// What `agree` throws: the failure's own type (`mece::InputError`, `ConfigError`,
/// `Error`), marked as one that every rank has (see `abort_unless_agreed`).
class AgreedFailure {
public:
    virtual ~AgreedFailure() = default;
};
template <class Base>
class Agreed final : public Base, public AgreedFailure {
public:
    using Base::Base;
};

/// Runs `work` on every rank and agrees on how it ended: when it threw on any rank,
/// every rank throws the exception of the lowest rank that failed (its type, a
/// `mece::InputError`, `ConfigError` or `Error`, and its message unchanged, so it reads
/// the same for any number of ranks), and no rank goes on to a collective the failed
/// one will never join. Collective: every rank calls it at the same point. Returns what
/// `work` returned.
///
/// `work` may itself hold collectives only where nothing before them can fail on some
/// ranks and not on others: a rank that throws alone leaves the others waiting in the
/// collective it skipped, and agreement comes too late. So local work (reading a range,
/// formatting lines) and the collectives over its results are separate sections, and a
/// failure outside any section is ended by `abort_unless_agreed`.
template <class Work>
auto agree(const Communicator& comm, Work&& work) -> decltype(work()) {
    enum Kind : std::int32_t { none, input, config, error, other };
    Kind kind = none;
    std::string message;
    using Result = decltype(work());
    std::conditional_t<std::is_void_v<Result>, int, std::optional<Result>> result{};
    try {
        if constexpr (std::is_void_v<Result>) work();
        else result = work();
    } catch (const InputError& e) {
        kind = input, message = e.what();
    } catch (const ConfigError& e) {
        kind = config, message = e.what();
    } catch (const Error& e) {
        kind = error, message = e.what();
    } catch (const std::exception& e) {
        kind = other, message = e.what();
    }
    std::vector<std::int32_t> first{kind == none ? std::int32_t(comm.size()) : std::int32_t(comm.rank())};
    comm.min(first);
    if (first[0] < comm.size()) {
        const int failed = first[0];
        std::vector<std::int32_t> kinds{std::int32_t(kind)};
        if (comm.rank() != failed) kinds[0] = std::numeric_limits<std::int32_t>::min();
        comm.max(kinds);
        message = comm.broadcast(std::move(message), failed);
        switch (Kind(kinds[0])) {
            case input: throw Agreed<InputError>(message);
            case config: throw Agreed<ConfigError>(message);
            default: throw Agreed<Error>(message);
        }
    }
    if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

/// Runs this rank's part of a job. A failure that came out of `agree` is every rank's:
/// it is thrown on, for the caller to report once and end as it would in one process.
/// Any other failure may be this rank's alone (an internal error, memory exhausted in a
/// stage between collectives) while the other ranks wait for it in a collective: it is
/// printed on stderr, `tool: error on rank R: message`, and the whole job ends with
/// `MPI_Abort` (exit status 1), so that no rank is left waiting.
template <class Work>
auto abort_unless_agreed(const Communicator& comm, const char* tool, Work&& work) -> decltype(work()) {
    std::string message;
    try {
        return work();
    } catch (const AgreedFailure&) {
        throw;
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "an exception that is not a std::exception";
    }
    std::fprintf(stderr, "%s: error on rank %d: %s\n", tool, comm.rank(), message.c_str());
    std::fflush(stderr);
    MPI_Abort(comm.get(), 1);
    std::abort();  // MPI_Abort does not return
}

}  // namespace mece::mpi
