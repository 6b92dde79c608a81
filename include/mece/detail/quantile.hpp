#pragma once
/// \file detail/quantile.hpp
/// Exact quantiles with linear interpolation between order statistics, computed the
/// way numpy's default method computes them, so results can be compared bit for bit.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>

namespace mece::detail {

/// numpy's `_lerp`: interpolates from the nearer end, which is what makes numpy's
/// result exact at both ends and the same as ours.
inline double numpy_lerp(double below, double above, double fraction) noexcept {
    const double difference = above - below;
    return fraction >= 0.5 ? above - difference * (1.0 - fraction) : below + difference * fraction;
}

/// Quantiles `probabilities` (each in [0,1]) of `values`, skipping NaN, in the order
/// asked. Reorders `values`. NaN for every quantile when no value is left.
///
/// Selection, not sorting: each quantile needs its two order statistics, found with
/// `nth_element` on the part of the range the previous quantile has not already ordered.
template <class Scalar>
std::vector<double> quantiles(Scalar* values, Eigen::Index size, const std::vector<double>& probabilities) {
    Scalar* const end = std::partition(values, values + size, [](Scalar v) { return !std::isnan(v); });
    const auto count = static_cast<Eigen::Index>(end - values);
    std::vector<double> result(probabilities.size(), std::numeric_limits<double>::quiet_NaN());
    if (count == 0) return result;

    if (probabilities.size() > 16) {
        // Many cut points (a split into many parts): one sort beats a selection per point.
        std::sort(values, end);
        for (std::size_t i = 0; i < probabilities.size(); ++i) {
            const double position = double(count - 1) * probabilities[i];
            const auto below_index = static_cast<Eigen::Index>(std::floor(position));
            const double below = double(values[below_index]);
            const double above = below_index + 1 < count ? double(values[below_index + 1]) : below;
            result[i] = numpy_lerp(below, above, position - double(below_index));
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
        const double fraction = position - double(below_index);
        std::nth_element(values + ordered_from, values + below_index, end);
        const double below = double(values[below_index]);
        double above = below;
        if (below_index + 1 < count) above = double(*std::min_element(values + below_index + 1, end));
        result[i] = numpy_lerp(below, above, fraction);
        ordered_from = below_index;
    }
    return result;
}

}  // namespace mece::detail
