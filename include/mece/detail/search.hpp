#pragma once
/// \file detail/search.hpp
/// Binary searches without a branch per step, for searches run once per user, many side
/// by side.

#include <array>
#include <cstddef>

namespace mece::detail {

/// For each i in `[0, keys_count)`, in order, `found(i, n)` with n the number of leading
/// elements of `sorted[0, count)` for which `before(element, keys[i])` holds, where it
/// holds for a prefix (as `std::partition_point`): `element < key` counts the sorted
/// values below the key. A binary search each, every step a conditional add, not a jump;
/// eight run side by side, a step of each at a time: a search is a chain of dependent
/// loads, and eight at once keep the core busy where one leaves it waiting.
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
