#pragma once
/// \file shards.hpp
/// A run split into shards (processes, machines), each holding some of the users: what
/// the engine's passes need from the other shards. The core only declares it;
/// `mece/mpi.hpp` implements it over MPI, and a scope without shards is a whole run.
///
/// In a sharded scope each shard holds a run of the universe in its order, starting at a
/// chunk boundary of the engine (`engine::chunk_rows`), so a chunk's sums are those of
/// one shard and merged in chunk order they give the bits of a single process. Every
/// count, size, threshold and statistic a component returns is then of all shards
/// together; what is per user (segment ids) is of this shard's users.
///
/// Every member is collective: all shards call it, in the same order, from the thread
/// that runs the pipeline (never from a pass's worker threads).

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include <mece/detail/quantile.hpp>

namespace mece {

/// Where a shard's users may start in the universe: a multiple of this many positions
/// (the engine's chunk, `engine::chunk_rows`).
inline constexpr Eigen::Index shard_alignment = Eigen::Index{1} << 16;

class Shards {
public:
    virtual ~Shards() = default;

    /// This shard's index (0 first) and the number of shards.
    virtual int index() const noexcept = 0;
    virtual int count() const noexcept = 0;

    /// Element-wise sums over the shards, in place, on every shard.
    virtual void sum(std::span<std::int64_t> values) const = 0;
    virtual void sum(std::span<std::uint64_t> values) const = 0;
    /// Element-wise maximum over the shards, in place, on every shard.
    virtual void max(std::span<double> values) const = 0;

    /// Every shard's values, concatenated in shard order, on every shard.
    virtual std::vector<double> gather(std::span<const double> values) const = 0;
    virtual std::vector<std::uint64_t> gather(std::span<const std::uint64_t> values) const = 0;

    /// Sends `to[s]` to shard `s` (one list per shard); returns what each shard sent this
    /// one, concatenated in shard order.
    virtual std::vector<std::uint64_t> exchange(const std::vector<std::vector<std::uint64_t>>& to) const = 0;

    /// The quantiles of every shard's `values[0, size)` together (NaN skipped), each with
    /// its two order statistics: `detail::bracketed_quantiles` on all of them, to the bit.
    virtual std::vector<detail::Bracketed> quantiles(const float* values, Eigen::Index size,
                                                     const std::vector<double>& probabilities) const = 0;
    virtual std::vector<detail::Bracketed> quantiles(const double* values, Eigen::Index size,
                                                     const std::vector<double>& probabilities) const = 0;
};

namespace detail {

/// A count summed over the shards, or itself without them.
inline Eigen::Index total(const Shards* shards, Eigen::Index n) {
    if (!shards) return n;
    std::int64_t one[1] = {std::int64_t(n)};
    shards->sum(std::span<std::int64_t>(one));
    return Eigen::Index(one[0]);
}

/// Counts summed over the shards in place (nothing without them).
template <class Count>
void add_up(const Shards* shards, std::vector<Count>& counts) {
    if (!shards || counts.empty()) return;
    std::vector<std::int64_t> wide(counts.begin(), counts.end());
    shards->sum(std::span<std::int64_t>(wide));
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = Count(wide[i]);
}

}  // namespace detail
}  // namespace mece
