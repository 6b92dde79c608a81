#pragma once
/// \file detail/search.hpp
/// A binary search without a branch per step, for searches run once per user.

#include <cstddef>

namespace mece::detail {

/// The number of leading elements of `values[0, count)` for which `before` holds, where
/// it holds for a prefix (as `std::partition_point`): `x < value` counts the sorted values
/// below `value`. Each step is a conditional add, not a jump.
template <class T, class Before>
std::size_t count_before(const T* values, std::size_t count, Before before) {
    std::size_t base = 0, length = count;
    while (length > 1) {
        const std::size_t half = length / 2;
        base += before(values[base + half]) ? half : 0;
        length -= half;
    }
    return base + std::size_t(count > 0 && before(values[base]));
}

}  // namespace mece::detail
