#pragma once
/// \file engine/blocks.hpp
/// The one loop over users that every component runs: rows in blocks that stay in cache,
/// each feature a pass reads gathered once per block, blocks grouped into fixed chunks
/// that threads take in turn. A chunk's result depends on the chunk alone, and results
/// are merged in chunk order, so every pass gives the same bits on any number of threads.

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece::engine {

/// Rows in a block: 4096 values of a feature fill 32 KiB in `double`, so a block's
/// features stay in L2 while every step of a pass reads them.
inline constexpr Eigen::Index block_rows = 4096;

/// Blocks in a chunk, the unit a thread takes and results are merged by.
inline constexpr Eigen::Index chunk_blocks = 16;
inline constexpr Eigen::Index chunk_rows = block_rows * chunk_blocks;
static_assert(chunk_rows == shard_alignment, "a shard's users start at a chunk boundary");

/// Number of chunks of `n` rows.
constexpr Eigen::Index chunk_count(Eigen::Index n) noexcept { return (n + chunk_rows - 1) / chunk_rows; }

using Word = std::uint64_t;
inline constexpr Eigen::Index block_words = block_rows / 64;

/// One bit per row of a block; bits past the block's last row are zero.
using Mask = std::array<Word, std::size_t(block_words)>;

/// Words of a block of `rows` rows.
constexpr Eigen::Index words_of(Eigen::Index rows) noexcept { return (rows + 63) / 64; }

/// The dataset rows a pass visits, in the order it visits them: the whole universe, or a
/// part of it (the users of one segment).
struct Rows {
    const RowIndex* data = nullptr;
    Eigen::Index size = 0;
};

/// The universe's rows.
template <class Scalar>
Rows all_rows(const Scope<Scalar>& scope) noexcept {
    return {scope.universe().rows().data(), scope.size()};
}

/// Features bound to a dataset by name, each checked once: what a pass gathers per block.
template <class Scalar>
class Features {
public:
    Features() = default;
    /// `where` names the place that asked for them, for the error on an unknown name.
    Features(const Scope<Scalar>& scope, const std::vector<std::string>& names, const std::string& where = {}) {
        for (const auto& name : names) readers_.emplace_back(scope.data(), scope.as_of(), name, where);
    }
    Eigen::Index size() const noexcept { return Eigen::Index(readers_.size()); }
    const FeatureReader<Scalar>& operator[](Eigen::Index f) const { return readers_[std::size_t(f)]; }

private:
    std::vector<FeatureReader<Scalar>> readers_;
};

/// One block of a pass: its place in the pass's rows and the values of every feature.
template <class Scalar>
class Block {
public:
    explicit Block(Eigen::Index features) : values_(block_rows, std::max<Eigen::Index>(features, 1)) {}

    /// Position of the block's first row in the pass's rows.
    Eigen::Index start() const noexcept { return start_; }
    /// Rows in the block, at most `block_rows`.
    Eigen::Index size() const noexcept { return size_; }
    /// The dataset rows of the block.
    const RowIndex* rows() const noexcept { return rows_; }
    /// The values of feature `f` (as ordered in the pass's `Features`), `size()` of them.
    const Scalar* feature(Eigen::Index f) const noexcept { return values_.col(f).data(); }

    /// Gathers `features` for rows `[start, start + size)` of `rows`.
    void load(const Features<Scalar>& features, Rows rows, Eigen::Index start, Eigen::Index size) {
        start_ = start;
        size_ = size;
        rows_ = rows.data + start;
        for (Eigen::Index f = 0; f < features.size(); ++f) features[f].gather(rows_, size, values_.col(f).data());
    }

private:
    Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic> values_;
    Eigen::Index start_ = 0;
    Eigen::Index size_ = 0;
    const RowIndex* rows_ = nullptr;
};

/// The block loop. Over `rows` of the scope's dataset, in chunks on the scope's threads:
/// `make_result()` makes each chunk's result; `make_step()` makes, once per thread, a
/// callable with its own scratch space, and `step(block, result)` is called for every
/// block of a chunk, in order, with `features` gathered. Returns the chunks' results in
/// chunk order; a caller merges them in that order, so the outcome does not depend on
/// the number of threads.
template <class Scalar, class MakeResult, class MakeStep>
auto for_each_block(const Scope<Scalar>& scope, Rows rows, const Features<Scalar>& features, MakeResult&& make_result,
                    MakeStep&& make_step) {
    using Result = decltype(make_result());
    using Step = decltype(make_step());
    struct Worker {
        Block<Scalar> block;
        Step step;
    };
    const Eigen::Index chunks = chunk_count(rows.size);
    std::vector<Result> results;
    results.reserve(std::size_t(chunks));
    for (Eigen::Index c = 0; c < chunks; ++c) results.push_back(make_result());
    std::mutex pool_mutex;
    std::vector<std::unique_ptr<Worker>> pool;  // one worker per thread at most
    detail::for_each_task(chunks, scope.threads(), [&](Eigen::Index c) {
        std::unique_ptr<Worker> worker;
        {
            const std::lock_guard lock(pool_mutex);
            if (!pool.empty()) {
                worker = std::move(pool.back());
                pool.pop_back();
            }
        }
        if (!worker) worker.reset(new Worker{Block<Scalar>(features.size()), make_step()});
        const Eigen::Index end = std::min(rows.size, (c + 1) * chunk_rows);
        for (Eigen::Index start = c * chunk_rows; start < end; start += block_rows) {
            worker->block.load(features, rows, start, std::min(block_rows, end - start));
            worker->step(std::as_const(worker->block), results[std::size_t(c)]);
        }
        const std::lock_guard lock(pool_mutex);
        pool.push_back(std::move(worker));
    });
    return results;
}

/// An empty chunk result, for passes that write their output in place.
struct NoResult {};

/// One feature over `rows`, in their order, written to `out[0, rows.size)`.
template <class Scalar>
void gather(const Scope<Scalar>& scope, Rows rows, const std::string& feature, Scalar* out, const std::string& where = {}) {
    const Features<Scalar> features(scope, {feature}, where);
    // The block loop with no features of its own: each block is gathered straight to its place.
    for_each_block(scope, rows, Features<Scalar>{}, [] { return NoResult{}; }, [&] {
        return [&](const Block<Scalar>& block, NoResult&) { features[0].gather(block.rows(), block.size(), out + block.start()); };
    });
}

/// The same in a column of its own: what quantiles and splits read.
template <class Scalar>
Column<Scalar> gather(const Scope<Scalar>& scope, Rows rows, const std::string& feature, const std::string& where = {}) {
    Column<Scalar> out(rows.size);
    gather(scope, rows, feature, out.data(), where);
    return out;
}

}  // namespace mece::engine
