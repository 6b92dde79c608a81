#pragma once
/// \file engine/threshold_index.hpp
/// Many predicates on one feature (the cuts of a split into dozens of parts) evaluated as
/// ranges of one small code per value: a value's code says where it lies among the
/// feature's sorted thresholds, found once per block by a binary search, and each
/// predicate is then a range test on the codes. The answer is the comparison's own (in
/// `double`, NaN in no range), at a fraction of the cost of comparing every value with
/// every threshold.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include <Eigen/Core>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <mece/detail/search.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/rule_tree/predicate.hpp>

namespace mece::engine {

/// From this many predicates on one feature, the evaluator indexes its thresholds.
inline constexpr std::size_t index_from_predicates = 32;

/// The sorted distinct thresholds of a feature. A value's code is `2i + 1` when it equals
/// the i-th threshold and `2i` when i thresholds lie below it and it equals none; a NaN's
/// code is `missing_code`, in no predicate's range.
class ThresholdIndex {
public:
    using Code = std::uint16_t;
    static constexpr Code missing_code = 0x7FFF;
    /// Codes stay below `missing_code`.
    static constexpr std::size_t max_thresholds = (missing_code - 1) / 2;

    /// `thresholds`: finite numbers, in any order, repeats allowed; at most `max_thresholds` distinct.
    explicit ThresholdIndex(std::vector<double> thresholds) : thresholds_(std::move(thresholds)) {
        std::sort(thresholds_.begin(), thresholds_.end());
        thresholds_.erase(std::unique(thresholds_.begin(), thresholds_.end()), thresholds_.end());
    }

    /// Distinct thresholds.
    std::size_t size() const noexcept { return thresholds_.size(); }

    /// The codes `[first, last]` of the values for which `x op threshold` holds;
    /// `threshold` must be one of the index's.
    std::pair<Code, Code> range(Op op, double threshold) const {
        const auto k = Code(std::lower_bound(thresholds_.begin(), thresholds_.end(), threshold) - thresholds_.begin());
        const auto top = Code(2 * thresholds_.size());
        switch (op) {
            case Op::less: return {0, Code(2 * k)};
            case Op::less_equal: return {0, Code(2 * k + 1)};
            case Op::greater: return {Code(2 * k + 2), top};
            case Op::greater_equal: return {Code(2 * k + 1), top};
            case Op::equal:
            case Op::between: break;
        }
        return {Code(2 * k + 1), Code(2 * k + 1)};
    }

    /// The codes of `values[0, count)`.
    template <class Scalar>
    void encode(const Scalar* values, Eigen::Index count, Code* codes) const {
        const double* t = thresholds_.data();
        const std::size_t m = thresholds_.size();
        for (Eigen::Index i = 0; i < count; ++i) {
            const double x = double(values[i]);
            const std::size_t below = detail::count_before(t, m, [x](double threshold) { return threshold < x; });
            const bool equal = below < m && t[below] == x;
            codes[i] = std::isnan(x) ? missing_code : Code(2 * below + std::size_t(equal));
        }
    }

private:
    std::vector<double> thresholds_;
};

/// Bits of the rows whose code lies in `[first, last]`; no bit past `count`.
inline void codes_in_range(const ThresholdIndex::Code* codes, Eigen::Index count, ThresholdIndex::Code first,
                           ThresholdIndex::Code last, Mask& out) {
    out.fill(0);
    const auto span = ThresholdIndex::Code(last - first);
    const Eigen::Index full = count / 64;
#if defined(__SSE2__)
    // code - first <= span, unsigned: the saturating difference with span is zero.
    const __m128i low = _mm_set1_epi16(short(first)), width = _mm_set1_epi16(short(span)), zero = _mm_setzero_si128();
    const auto eight = [&](const ThresholdIndex::Code* c) {
        const __m128i d = _mm_sub_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c)), low);
        return _mm_cmpeq_epi16(_mm_subs_epu16(d, width), zero);
    };
    for (Eigen::Index w = 0; w < full; ++w) {
        const ThresholdIndex::Code* c = codes + w * 64;
        Word word = 0;
        for (int q = 0; q < 4; ++q)
            word |= Word(std::uint16_t(_mm_movemask_epi8(_mm_packs_epi16(eight(c + 16 * q), eight(c + 16 * q + 8))))) << (16 * q);
        out[std::size_t(w)] = word;
    }
#else
    for (Eigen::Index w = 0; w < full; ++w) {
        Word word = 0;
        for (int j = 0; j < 64; ++j) word |= Word(ThresholdIndex::Code(codes[w * 64 + j] - first) <= span) << j;
        out[std::size_t(w)] = word;
    }
#endif
    for (Eigen::Index j = full * 64; j < count; ++j)
        out[std::size_t(full)] |= Word(ThresholdIndex::Code(codes[j] - first) <= span) << (j - full * 64);
}

}  // namespace mece::engine
