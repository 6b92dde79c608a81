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

    /// The largest code of a value (above every threshold).
    Code top() const noexcept { return Code(2 * thresholds_.size()); }

    /// The codes of `values[0, count)`, the searches side by side (`detail::count_before_each`).
    template <class Scalar>
    void encode(const Scalar* values, Eigen::Index count, Code* codes) const {
        const double* t = thresholds_.data();
        const std::size_t m = thresholds_.size();
        detail::count_before_each(t, m, values, std::size_t(count), [](double threshold, Scalar x) { return threshold < double(x); },
                                  [&](std::size_t i, std::size_t below) {
                                      const auto x = double(values[i]);
                                      const bool equal = below < m && t[below] == x;
                                      codes[i] = std::isnan(x) ? missing_code : Code(2 * below + std::size_t(equal));
                                  });
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

/// Codes up to this many make the cumulative masks below (64 KiB each 128 codes).
inline constexpr std::size_t cumulative_codes = 512;

/// For each code c in `[0, codes)`, the bits of the rows whose code is at most c, in
/// `at_most[c]`: every range of codes is then the difference of two of them, so dozens of
/// predicates on one feature cost a pass over the rows and one AND each, not a pass each.
/// A code from `codes` on (a NaN's) is in no mask.
inline void codes_at_most(const ThresholdIndex::Code* codes, Eigen::Index count, std::size_t code_count, Mask* at_most) {
    const Eigen::Index words = words_of(count);
    for (std::size_t c = 0; c < code_count; ++c) std::fill_n(at_most[c].begin(), words, Word(0));
    for (Eigen::Index i = 0; i < count; ++i)
        if (const std::size_t c = codes[i]; c < code_count) at_most[c][std::size_t(i / 64)] |= Word(1) << (i % 64);
    for (std::size_t c = 1; c < code_count; ++c)
        for (Eigen::Index w = 0; w < words; ++w) at_most[c][std::size_t(w)] |= at_most[c - 1][std::size_t(w)];
}

/// Bits of the rows whose code lies in `[first, last]`, from `codes_at_most` of the same
/// rows; no bit past `count`.
inline void codes_in_range(const Mask* at_most, Eigen::Index count, ThresholdIndex::Code first, ThresholdIndex::Code last,
                           Mask& out) {
    out.fill(0);
    const Mask& upto = at_most[last];
    for (Eigen::Index w = 0; w < words_of(count); ++w)
        out[std::size_t(w)] = upto[std::size_t(w)] & (first > 0 ? ~at_most[first - 1][std::size_t(w)] : ~Word(0));
}

}  // namespace mece::engine
