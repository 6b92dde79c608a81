#pragma once
/// \file engine/masks.hpp
/// Compiled rules evaluated over one block: a bit per row. The one definition of a
/// comparison and of a missing value lives here: a value is compared in `double` with
/// exactly the threshold the rule text shows, and a missing value (NaN: a user who never
/// ordered, a gap in a caller's column) matches no predicate, so `not (x < c)` holds for it.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <mece/engine/blocks.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/engine/threshold_index.hpp>

namespace mece::engine {

/// Sets bit i of `out` where `test(values[i])`, for i in [0, count); clears the rest.
template <class Scalar, class Test>
void to_bits(const Scalar* values, Eigen::Index count, Test test, Mask& out) {
    out.fill(0);
    const Eigen::Index full = count / 64;
    for (Eigen::Index w = 0; w < full; ++w) {
        const Scalar* v = values + w * 64;
        Word word = 0;
        for (int j = 0; j < 64; ++j) word |= Word(test(double(v[j]))) << j;
        out[std::size_t(w)] = word;
    }
    Word word = 0;
    for (Eigen::Index j = full * 64; j < count; ++j) word |= Word(test(double(values[j]))) << (j - full * 64);
    if (count % 64) out[std::size_t(full)] = word;
}

#if defined(__SSE2__)
/// `to_bits` with two comparisons an instruction and their sign bits taken at once (x86-64
/// always has SSE2); `Test` is one of the ordered `_mm_cmp*_pd`, false on NaN.
template <class Scalar, class Test>
void to_bits_sse2(const Scalar* values, Eigen::Index count, Test test, double threshold, Mask& out) {
    out.fill(0);
    const __m128d t = _mm_set1_pd(threshold);
    const auto pair = [&](const Scalar* v) {
        if constexpr (sizeof(Scalar) == 8) return _mm_loadu_pd(reinterpret_cast<const double*>(v));
        else return _mm_set_pd(double(v[1]), double(v[0]));
    };
    const Eigen::Index full = count / 64;
    for (Eigen::Index w = 0; w < full; ++w) {
        // Eight values a byte with constant shifts; the bytes of a word in little-endian order.
        const Scalar* v = values + w * 64;
        Word word = 0;
        for (int b = 0; b < 8; ++b) {
            const Scalar* e = v + 8 * b;
            const auto byte = Word(_mm_movemask_pd(test(pair(e), t)) | _mm_movemask_pd(test(pair(e + 2), t)) << 2 |
                                   _mm_movemask_pd(test(pair(e + 4), t)) << 4 | _mm_movemask_pd(test(pair(e + 6), t)) << 6);
            word |= byte << (8 * b);
        }
        out[std::size_t(w)] = word;
    }
    Word word = 0;
    for (Eigen::Index j = 0; full * 64 + 2 * j + 1 < count; ++j)
        word |= Word(_mm_movemask_pd(test(pair(values + full * 64 + 2 * j), t))) << (2 * j);
    if (count % 64) out[std::size_t(full)] = word;
    if (count % 2) {
        const Eigen::Index last = count - 1;
        const __m128d one = _mm_set_sd(double(values[last]));
        out[std::size_t(last / 64)] |= Word(_mm_movemask_pd(test(one, t)) & 1) << (last % 64);
    }
}
#endif

/// `values[i] op threshold` as bits. A NaN on either side is false.
template <class Scalar>
void compare(const Scalar* values, Eigen::Index count, Op op, double threshold, Mask& out) {
#if defined(__SSE2__)
    switch (op) {
        case Op::less: return to_bits_sse2(values, count, [](__m128d x, __m128d t) { return _mm_cmplt_pd(x, t); }, threshold, out);
        case Op::less_equal:
            return to_bits_sse2(values, count, [](__m128d x, __m128d t) { return _mm_cmple_pd(x, t); }, threshold, out);
        case Op::greater: return to_bits_sse2(values, count, [](__m128d x, __m128d t) { return _mm_cmpgt_pd(x, t); }, threshold, out);
        case Op::greater_equal:
            return to_bits_sse2(values, count, [](__m128d x, __m128d t) { return _mm_cmpge_pd(x, t); }, threshold, out);
        case Op::equal: return to_bits_sse2(values, count, [](__m128d x, __m128d t) { return _mm_cmpeq_pd(x, t); }, threshold, out);
        case Op::between: break;
    }
    out.fill(0);
    return;
#endif
    if (op == Op::between) {  // resolved rules hold no range; a range is two predicates
        out.fill(0);
        return;
    }
    to_bits(values, count, [op, threshold](double x) { return holds(op, x, threshold); }, out);
}

/// Calls `f(i)` for each set bit i of the first `words` words of `mask`, in order.
template <class F>
void for_each_bit(const Mask& mask, Eigen::Index words, F&& f) {
    for (Eigen::Index w = 0; w < words; ++w)
        for (Word word = mask[std::size_t(w)]; word != 0; word &= word - 1) f(w * 64 + std::countr_zero(word));
}

/// Set bits in the first `words` words.
inline Eigen::Index count_bits(const Mask& mask, Eigen::Index words) noexcept {
    Eigen::Index n = 0;
    for (Eigen::Index w = 0; w < words; ++w) n += std::popcount(mask[std::size_t(w)]);
    return n;
}

/// Compiled rules over the current block of a pass whose first features are the rules'
/// own (`CompiledRules::features()`, in order). Each predicate and each node is evaluated
/// at most once per block, and only when asked for. A feature with many predicates (the
/// cuts of large splits) is indexed (`ThresholdIndex`): its values are coded once per
/// block and each of its predicates is a range of codes, read off the codes' cumulative
/// masks (`codes_at_most`, made once per block) when there are few enough of them.
template <class Scalar>
class BlockEvaluator {
public:
    explicit BlockEvaluator(const CompiledRules& rules)
        : rules_(&rules),
          predicate_masks_(rules.predicates().size()),
          predicate_block_(rules.predicates().size(), 0),
          node_masks_(rules.nodes().size()),
          node_block_(rules.nodes().size(), 0),
          indexed_(rules.predicates().size(), {-1, 0, 0}) {
        std::vector<std::vector<double>> thresholds(rules.features().size());
        for (const auto& p : rules.predicates())
            if (std::isfinite(p.value) && p.op != Op::between) thresholds[std::size_t(p.feature)].push_back(p.value);
        std::vector<int> slot(rules.features().size(), -1);
        for (std::size_t f = 0; f < thresholds.size(); ++f) {
            if (thresholds[f].size() < index_from_predicates) continue;
            ThresholdIndex index(std::move(thresholds[f]));
            if (index.size() > ThresholdIndex::max_thresholds) continue;
            slot[f] = int(indexes_.size());
            const std::size_t code_count = std::size_t(index.top()) + 1;
            indexes_.push_back({int(f), std::move(index), std::vector<ThresholdIndex::Code>(std::size_t(block_rows)), 0,
                                std::vector<Mask>(code_count <= cumulative_codes ? code_count : 0), 0});
        }
        for (std::size_t p = 0; p < rules.predicates().size(); ++p) {
            const CompiledPredicate& c = rules.predicates()[p];
            const int s = slot[std::size_t(c.feature)];
            if (s < 0 || !std::isfinite(c.value) || c.op == Op::between) continue;
            const auto [first, last] = indexes_[std::size_t(s)].index.range(c.op, c.value);
            indexed_[p] = {s, first, last};
        }
    }

    /// Forgets the previous block.
    void start(const Block<Scalar>& block) {
        block_ = &block;
        ++generation_;
        words_ = words_of(block.size());
        all_.fill(0);
        for (Eigen::Index w = 0; w < words_; ++w) all_[std::size_t(w)] = ~Word(0);
        if (const Eigen::Index tail = block.size() % 64) all_[std::size_t(words_ - 1)] = (Word(1) << tail) - 1;
    }

    /// Words that hold the block's rows.
    Eigen::Index words() const noexcept { return words_; }
    /// Every row of the block.
    const Mask& all() const noexcept { return all_; }

    /// The rows where predicate `p` holds.
    const Mask& predicate(int p) {
        Mask& mask = predicate_masks_[std::size_t(p)];
        if (predicate_block_[std::size_t(p)] != generation_) {
            const CompiledPredicate& c = rules_->predicates()[std::size_t(p)];
            const Indexed& in = indexed_[std::size_t(p)];
            if (in.slot < 0)
                compare(block_->feature(c.feature), block_->size(), c.op, c.value, mask);
            else if (!indexes_[std::size_t(in.slot)].at_most.empty())
                codes_in_range(at_most(in.slot), block_->size(), in.first, in.last, mask);
            else
                codes_in_range(codes(in.slot), block_->size(), in.first, in.last, mask);
            predicate_block_[std::size_t(p)] = generation_;
        }
        return mask;
    }

    /// The rows where node `n` holds.
    const Mask& node(int n) {
        Mask& mask = node_masks_[std::size_t(n)];
        if (node_block_[std::size_t(n)] == generation_) return mask;
        const Node& node = rules_->nodes()[std::size_t(n)];
        switch (node.kind) {
            case Node::Kind::always: mask = all_; break;
            case Node::Kind::never: mask.fill(0); break;
            case Node::Kind::predicate: mask = predicate(node.a); break;
            case Node::Kind::negation: {
                const Mask& a = this->node(node.a);
                for (Eigen::Index w = 0; w < words_; ++w) mask[std::size_t(w)] = ~a[std::size_t(w)] & all_[std::size_t(w)];
                break;
            }
            case Node::Kind::both:
            case Node::Kind::either: {
                const Mask& a = this->node(node.a);
                const Mask& b = this->node(node.b);
                if (node.kind == Node::Kind::both)
                    for (Eigen::Index w = 0; w < words_; ++w) mask[std::size_t(w)] = a[std::size_t(w)] & b[std::size_t(w)];
                else
                    for (Eigen::Index w = 0; w < words_; ++w) mask[std::size_t(w)] = a[std::size_t(w)] | b[std::size_t(w)];
                break;
            }
        }
        node_block_[std::size_t(n)] = generation_;
        return mask;
    }

    /// First match: for each row of `live`, the label of the first compiled conjunction
    /// it satisfies, `conjunctions[k]`, written to `out[row]`: `labels[k]`, or `first + k`
    /// without labels. Rows that satisfy none keep their value. A conjunction is tested
    /// only on the rows still in play, and testing stops when no row is left. Counts the
    /// rows of each label in `counts[label - first]`.
    void first_match(const std::vector<int>& conjunctions, Mask live, std::int32_t* out, Eigen::Index* counts,
                     std::int32_t first = 0, const std::int32_t* labels = nullptr) {
        Mask hit;
        for (std::size_t k = 0; k < conjunctions.size(); ++k) {
            bool any = false;
            for (Eigen::Index w = 0; w < words_; ++w) any |= live[std::size_t(w)] != 0;
            if (!any) return;
            hit = live;
            for (int p : rules_->conjunctions()[std::size_t(conjunctions[k])]) {
                const Mask& m = predicate(p);
                any = false;
                for (Eigen::Index w = 0; w < words_; ++w) {
                    hit[std::size_t(w)] &= m[std::size_t(w)];
                    any |= hit[std::size_t(w)] != 0;
                }
                if (!any) break;
            }
            if (!any) continue;
            for (Eigen::Index w = 0; w < words_; ++w) live[std::size_t(w)] &= ~hit[std::size_t(w)];
            const std::int32_t label = labels ? labels[k] : first + std::int32_t(k);
            counts[label - first] += count_bits(hit, words_);
            for_each_bit(hit, words_, [&](Eigen::Index row) { out[row] = label; });
        }
    }

    /// Adds to `counts[i * n + j]` (n = `conjunctions.size()`, i <= j) the rows of the
    /// block that satisfy both conjunction i and conjunction j, each tested on every row:
    /// how far rules overlap before first-match order decides between them. The
    /// predicates come from the same masks the assignment reads, so a block costs only
    /// the pairs' ANDs and those predicates the assignment did not need.
    void count_overlap(const std::vector<int>& conjunctions, Eigen::Index* counts) {
        const std::size_t n = conjunctions.size();
        overlap_masks_.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            Mask& m = overlap_masks_[k];
            m = all_;
            for (int p : rules_->conjunctions()[std::size_t(conjunctions[k])]) {
                const Mask& holds = predicate(p);
                for (Eigen::Index w = 0; w < words_; ++w) m[std::size_t(w)] &= holds[std::size_t(w)];
            }
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i; j < n; ++j) {
                Eigen::Index both = 0;
                for (Eigen::Index w = 0; w < words_; ++w)
                    both += std::popcount(overlap_masks_[i][std::size_t(w)] & overlap_masks_[j][std::size_t(w)]);
                counts[i * n + j] += both;
            }
    }

private:
    /// An indexed feature, its values' codes and, when it has few enough codes, their
    /// cumulative masks (`codes_at_most`), each for the block it was made for.
    struct FeatureIndex {
        int feature{};
        ThresholdIndex index;
        std::vector<ThresholdIndex::Code> codes{};
        std::uint64_t block{};
        std::vector<Mask> at_most{};
        std::uint64_t masks_block{};
    };
    /// A predicate read off an index: its slot (-1: compared directly) and its codes.
    struct Indexed {
        int slot{};
        ThresholdIndex::Code first{}, last{};
    };

    const ThresholdIndex::Code* codes(int slot) {
        FeatureIndex& f = indexes_[std::size_t(slot)];
        if (f.block != generation_) {
            f.index.encode(block_->feature(f.feature), block_->size(), f.codes.data());
            f.block = generation_;
        }
        return f.codes.data();
    }

    const Mask* at_most(int slot) {
        FeatureIndex& f = indexes_[std::size_t(slot)];
        if (f.masks_block != generation_) {
            codes_at_most(codes(slot), block_->size(), f.at_most.size(), f.at_most.data());
            f.masks_block = generation_;
        }
        return f.at_most.data();
    }

    const CompiledRules* rules_;
    const Block<Scalar>* block_ = nullptr;
    std::uint64_t generation_ = 0;
    Eigen::Index words_ = 0;
    Mask all_{};
    std::vector<Mask> predicate_masks_;
    std::vector<std::uint64_t> predicate_block_;
    std::vector<Mask> node_masks_;
    std::vector<std::uint64_t> node_block_;
    std::vector<FeatureIndex> indexes_;
    std::vector<Indexed> indexed_;
    std::vector<Mask> overlap_masks_;
};

}  // namespace mece::engine
