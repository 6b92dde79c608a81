#pragma once
/// \file detail/quantile.hpp
/// Exact quantiles with linear interpolation between order statistics, computed the
/// way numpy's default method computes them, so results can be compared bit for bit.

#include <algorithm>
#include <array>
#include <cstdint>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include <Eigen/Core>

namespace mece::detail {

/// numpy's `_lerp`: interpolates from the nearer end, which is what makes numpy's
/// result exact at both ends and the same as ours. Where the difference of the two
/// overflows (finite ends of opposite signs beyond ~9e307, where numpy gives `inf` or
/// NaN), the weighted sum of the ends is used instead, which cannot overflow, kept
/// between them: a quantile of finite values is always finite.
inline double numpy_lerp(double below, double above, double fraction) noexcept {
    const double difference = above - below;
    if (!std::isfinite(difference) && std::isfinite(below) && std::isfinite(above)) {
        const double sum = below * (1.0 - fraction) + above * fraction;
        return sum < below ? below : sum > above ? above : sum;
    }
    return fraction >= 0.5 ? above - difference * (1.0 - fraction) : below + difference * fraction;
}

/// From this many values, order statistics come from a histogram (see below).
inline constexpr Eigen::Index histogram_select_from = Eigen::Index{1} << 16;

/// For each probability, the two order statistics its quantile interpolates between
/// (`[2i]` below, `[2i + 1]` above), of `values[0, count)`. Two passes bin the values
/// between their minimum and maximum (a monotone map, so a bin holds a contiguous run of
/// the sorted order) and count them; a third copies out only the bins that hold a wanted
/// rank, where `nth_element` finds it exactly. Nothing when a value is NaN (the first
/// pass sees it) or the values' range is not finite.
template <class Scalar>
std::optional<std::vector<double>> order_statistics_by_histogram(const Scalar* values, Eigen::Index count,
                                                                 const std::vector<double>& probabilities) {
    constexpr std::size_t bins = 16384;
    // The range in four lanes, so no lane waits on the compare before it.
    std::array<Scalar, 4> lows{values[0], values[0], values[0], values[0]}, highs = lows;
    std::array<bool, 4> nan{};
    const Eigen::Index whole = count - count % 4;
    for (Eigen::Index i = 0; i < whole; i += 4)
        for (std::size_t lane = 0; lane < 4; ++lane) {
            const Scalar v = values[i + Eigen::Index(lane)];
            lows[lane] = std::min(lows[lane], v);
            highs[lane] = std::max(highs[lane], v);
            nan[lane] = nan[lane] || std::isnan(v);
        }
    for (Eigen::Index i = whole; i < count; ++i) {
        lows[0] = std::min(lows[0], values[i]);
        highs[0] = std::max(highs[0], values[i]);
        nan[0] = nan[0] || std::isnan(values[i]);
    }
    if (nan[0] || nan[1] || nan[2] || nan[3]) return std::nullopt;
    const double low = double(*std::min_element(lows.begin(), lows.end()));
    const double high = double(*std::max_element(highs.begin(), highs.end()));
    std::vector<double> out;
    if (!(std::isfinite(low) && std::isfinite(high))) return std::nullopt;
    if (low == high) return std::vector<double>(2 * probabilities.size(), low);
    const double scale = double(bins) / (high - low);
    if (!std::isfinite(scale)) return std::nullopt;
    const auto bin_of = [&](Scalar v) { return std::min<std::size_t>(bins - 1, std::size_t(std::int64_t((double(v) - low) * scale))); };
    // Counted in four interleaved tables: values of one bin in a row (most of them, for a
    // skewed feature) then add to different counters instead of waiting on each other.
    std::vector<std::uint32_t> counts(4 * bins, 0);
    for (Eigen::Index i = 0; i < whole; i += 4)
        for (std::size_t lane = 0; lane < 4; ++lane) ++counts[lane * bins + bin_of(values[i + Eigen::Index(lane)])];
    for (Eigen::Index i = whole; i < count; ++i) ++counts[bin_of(values[i])];
    std::vector<std::size_t> first_rank(bins + 1, 0);  // ranks [first_rank[b], first_rank[b + 1]) are in bin b
    for (std::size_t b = 0; b < bins; ++b)
        first_rank[b + 1] = first_rank[b] + counts[b] + counts[bins + b] + counts[2 * bins + b] + counts[3 * bins + b];

    std::vector<std::size_t> ranks;
    for (double p : probabilities) {
        const auto below = static_cast<std::size_t>(std::floor(double(count - 1) * p));
        ranks.push_back(below);
        ranks.push_back(std::min<std::size_t>(below + 1, std::size_t(count - 1)));
    }
    const auto bin_of_rank = [&](std::size_t rank) {
        return std::size_t(std::upper_bound(first_rank.begin(), first_rank.end(), rank) - first_rank.begin()) - 1;
    };
    std::vector<int> slot(bins, -1);  // bin -> its entry in `wanted`
    std::vector<std::vector<Scalar>> wanted;
    for (auto rank : ranks) {
        const std::size_t bin = bin_of_rank(rank);
        if (slot[bin] >= 0) continue;
        slot[bin] = int(wanted.size());
        wanted.emplace_back().reserve(first_rank[bin + 1] - first_rank[bin]);
    }
    for (Eigen::Index i = 0; i < count; ++i)
        if (const int s = slot[bin_of(values[i])]; s >= 0) wanted[std::size_t(s)].push_back(values[i]);
    for (auto rank : ranks) {
        const std::size_t bin = bin_of_rank(rank);
        auto& members = wanted[std::size_t(slot[bin])];
        const auto nth = members.begin() + std::ptrdiff_t(rank - first_rank[bin]);
        std::nth_element(members.begin(), nth, members.end());
        out.push_back(double(*nth));
    }
    return out;
}

/// The number with the fewest significant digits in `(low, high]`: a cut point that
/// splits the data exactly where any value in that interval does, but reads well.
inline double shortest_between(double low, double high) {
    if (!(low < high)) return high;
    for (int digits = 1; digits <= 17; ++digits) {
        for (double target : {high, low + (high - low) / 2}) {
            char text[40];
            const auto result = std::to_chars(text, text + sizeof text, target, std::chars_format::scientific, digits - 1);
            double candidate = 0;
            std::from_chars(text, result.ptr, candidate);
            if (candidate > low && candidate <= high) return candidate;
        }
    }
    return high;
}

/// The number with the fewest significant digits that compares with every value of the
/// data as the quantile does: the quantile itself when it is one of the values (or they
/// are tied), else the shortest number strictly between its two order statistics, which
/// no value of the data lies between (`1220.3` for `1220.3049999999998`).
inline double shortest_equivalent(double value, double below, double above) {
    if (!(below < value && value < above)) return value;
    return shortest_between(below, std::nextafter(above, below));
}

/// A quantile and the two adjacent order statistics it lies between (numpy's linear
/// interpolation of `below` and `above`): no value of the data lies strictly between them.
struct Bracketed {
    double value = std::numeric_limits<double>::quiet_NaN();
    double below = std::numeric_limits<double>::quiet_NaN();
    double above = std::numeric_limits<double>::quiet_NaN();
};

/// The quantile at `position` (`(count - 1) * p`) between its order statistics. A zero
/// among them is +0: which of -0 and +0 a selection finds depends on the order of the
/// values, and the result must not.
inline Bracketed bracket(double position, double below, double above) noexcept {
    below += 0.0;
    above += 0.0;
    return {numpy_lerp(below, above, position - std::floor(position)), below, above};
}

/// Quantiles `probabilities` (each in [0,1]) of `values`, skipping NaN, in the order
/// asked, each with its two order statistics. Reorders `values`. NaN for every quantile
/// when no value is left.
///
/// Selection, not sorting: each quantile needs its two order statistics, found with
/// `nth_element` on the part of the range the previous quantile has not already ordered.
template <class Scalar>
std::vector<Bracketed> bracketed_quantiles(Scalar* values, Eigen::Index size, const std::vector<double>& probabilities) {
    std::vector<Bracketed> result(probabilities.size());
    const auto by_histogram = [&](Eigen::Index count) {
        if (count < histogram_select_from) return false;
        const auto statistics = order_statistics_by_histogram(values, count, probabilities);
        if (!statistics) return false;
        for (std::size_t i = 0; i < probabilities.size(); ++i)
            result[i] = bracket(double(count - 1) * probabilities[i], (*statistics)[2 * i], (*statistics)[2 * i + 1]);
        return true;
    };
    // The histogram on the values as they are first: its first pass sees a NaN, and only
    // then are the values partitioned (a pass of its own) and selected again.
    if (by_histogram(size)) return result;
    Scalar* const end = std::partition(values, values + size, [](Scalar v) { return !std::isnan(v); });
    const auto count = static_cast<Eigen::Index>(end - values);
    if (count == 0) return result;
    if (count < size && by_histogram(count)) return result;
    if (probabilities.size() > 16) {
        // Many cut points (a split into many parts): one sort beats a selection per point.
        std::sort(values, end);
        for (std::size_t i = 0; i < probabilities.size(); ++i) {
            const double position = double(count - 1) * probabilities[i];
            const auto below_index = static_cast<Eigen::Index>(std::floor(position));
            const double below = double(values[below_index]);
            const double above = below_index + 1 < count ? double(values[below_index + 1]) : below;
            result[i] = bracket(position, below, above);
        }
        return result;
    }
    std::vector<std::size_t> order(probabilities.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return probabilities[a] < probabilities[b]; });

    Eigen::Index ordered_from = 0;  // values[0, ordered_from) are <= every value after them
    for (std::size_t i : order) {
        const double position = double(count - 1) * probabilities[i];
        const auto below_index = static_cast<Eigen::Index>(std::floor(position));
        std::nth_element(values + ordered_from, values + below_index, end);
        const double below = double(values[below_index]);
        double above = below;
        if (below_index + 1 < count) above = double(*std::min_element(values + below_index + 1, end));
        result[i] = bracket(position, below, above);
        ordered_from = below_index;
    }
    return result;
}

/// The quantiles alone (see `bracketed_quantiles`).
template <class Scalar>
std::vector<double> quantiles(Scalar* values, Eigen::Index size, const std::vector<double>& probabilities) {
    std::vector<double> out;
    for (const Bracketed& q : bracketed_quantiles(values, size, probabilities)) out.push_back(q.value);
    return out;
}

}  // namespace mece::detail
