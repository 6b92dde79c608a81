#pragma once
/// \file engine/passes.hpp
/// The passes the components run over compiled rules, each one block loop
/// (`for_each_block`) with one `BlockEvaluator` per thread: first-match assignment (the
/// assignment and the solver's dissolve) and the evaluation of one expression.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <mece/engine/blocks.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/engine/masks.hpp>
#include <mece/error.hpp>

namespace mece::engine {

/// What `first_match` found: per row, `first` plus the index of the first conjunction it
/// satisfies (`none` if it satisfies none), and the rows per conjunction.
struct Matches {
    Column<std::int32_t> index{};
    std::vector<Eigen::Index> counts{};
    /// When asked for, the rows that satisfy each pair of the overlap's conjunctions
    /// (`BlockEvaluator::count_overlap`); n x n, the upper triangle filled.
    std::vector<Eigen::Index> overlap{};
};

/// `first_match` with labels (`labels[k]`, or `first + k` without) and `count` of them.
/// With `overlap`, the pairwise overlap of those conjunctions is counted in the same pass.
/// The indices are of `rows`; the counts, over shards, of every shard's.
template <class Scalar>
Matches first_match_labelled(const Scope<Scalar>& scope, Rows rows, const CompiledRules& rules, const std::vector<int>& conjunctions,
                    std::int32_t none, std::int32_t first, const std::int32_t* labels, std::size_t count,
                    const std::vector<int>* overlap = nullptr) {
    const Features<Scalar> features(scope, rules.features());
    const std::size_t pairs = overlap ? overlap->size() * overlap->size() : 0;
    Matches matches{Column<std::int32_t>(rows.size), std::vector<Eigen::Index>(count, 0), std::vector<Eigen::Index>(pairs, 0)};
    const auto partial = for_each_block(
        scope, rows, features, [&] { return std::vector<Eigen::Index>(count + pairs, 0); },
        [&] {
            return [&, evaluator = BlockEvaluator<Scalar>(rules)](const Block<Scalar>& block,
                                                                   std::vector<Eigen::Index>& counts) mutable {
                evaluator.start(block);
                std::int32_t* out = matches.index.data() + block.start();
                std::fill(out, out + block.size(), none);
                evaluator.first_match(conjunctions, evaluator.all(), out, counts.data(), first, labels);
                if (overlap) evaluator.count_overlap(*overlap, counts.data() + count);
            };
        });
    for (const auto& counts : partial) {
        for (std::size_t k = 0; k < count; ++k) matches.counts[k] += counts[k];
        for (std::size_t k = 0; k < pairs; ++k) matches.overlap[k] += counts[count + k];
    }
    // Over shards, the counts are of every shard's rows (a collective).
    mece::detail::add_up(scope.shards(), matches.counts);
    mece::detail::add_up(scope.shards(), matches.overlap);
    return matches;
}

/// For each of `rows`, `first` plus the index in `conjunctions` (ids of
/// `rules.conjunctions()`) of the first one it satisfies, or `none`.
template <class Scalar>
Matches first_match(const Scope<Scalar>& scope, Rows rows, const CompiledRules& rules, const std::vector<int>& conjunctions,
                    std::int32_t none = -1, std::int32_t first = 0) {
    return first_match_labelled(scope, rows, rules, conjunctions, none, first, nullptr, conjunctions.size());
}

/// For each of `rows`, the label (`labels[k]`, each at least 1) of the first of
/// `conjunctions` it satisfies, or `none`; `counts[label - 1]` the rows of each label.
template <class Scalar>
Matches first_match(const Scope<Scalar>& scope, Rows rows, const CompiledRules& rules, const std::vector<int>& conjunctions,
                    std::int32_t none, const std::vector<std::int32_t>& labels, const std::vector<int>* overlap = nullptr) {
    if (labels.size() != conjunctions.size() || std::find_if(labels.begin(), labels.end(), [](std::int32_t l) { return l < 1; }) != labels.end())
        mece::detail::raise<Error>("engine: every conjunction needs a label of at least 1");
    const auto most = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end());
    return first_match_labelled(scope, rows, rules, conjunctions, none, 1, labels.data(), std::size_t(most), overlap);
}


/// Whether node `node` of `rules` holds, for each of `rows`.
template <class Scalar>
Column<bool> evaluate(const Scope<Scalar>& scope, Rows rows, const CompiledRules& rules, int node) {
    const Features<Scalar> features(scope, rules.features());
    Column<bool> out(rows.size);
    for_each_block(
        scope, rows, features, [] { return NoResult{}; },
        [&] {
            return [&, evaluator = BlockEvaluator<Scalar>(rules)](const Block<Scalar>& block, NoResult&) mutable {
                evaluator.start(block);
                const Mask& holds = evaluator.node(node);
                bool* values = out.data() + block.start();
                for (Eigen::Index i = 0; i < block.size(); ++i) values[i] = (holds[std::size_t(i / 64)] >> (i % 64)) & 1;
            };
        });
    return out;
}

}  // namespace mece::engine
