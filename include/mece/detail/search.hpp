#pragma once
/// \file detail/search.hpp
/// A binary search without a branch per step, for searches run once per user, alone or
/// many side by side.

#include <array>
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

/// `found(i, count_before(sorted, count, [&](const T& s) { return before(s, keys[i]); }))`
/// for each i in `[0, keys_count)`, in order. Eight searches run side by side, a step of
/// each at a time: a search is a chain of dependent loads, and eight at once keep the core
/// busy where one leaves it waiting.
template <class T, class Key, class Before, class Found>
void count_before_each(const T* sorted, std::size_t count, const Key* keys, std::size_t keys_count, Before before, Found found) {
    constexpr std::size_t lanes = 8;
    for (std::size_t i = 0; i < keys_count; i += lanes) {
        const std::size_t n = keys_count - i < lanes ? keys_count - i : lanes;
        std::array<Key, lanes> key{};
        for (std::size_t k = 0; k < lanes; ++k) key[k] = keys[i + (k < n ? k : n - 1)];  // the last group's spare lanes repeat a key
        std::array<std::size_t, lanes> base{};
        for (std::size_t length = count; length > 1; length -= length / 2)
            for (std::size_t k = 0; k < lanes; ++k) base[k] += before(sorted[base[k] + length / 2], key[k]) ? length / 2 : 0;
        for (std::size_t k = 0; k < n; ++k) found(i + k, base[k] + std::size_t(count > 0 && before(sorted[base[k]], key[k])));
    }
}

}  // namespace mece::detail
