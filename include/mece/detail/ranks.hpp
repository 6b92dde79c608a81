#pragma once
/// \file detail/ranks.hpp
/// Keys that order like numbers, their radix sort, and the sums of each segment's
/// average ranks among all keys (ties sharing theirs): the AOV percentile ranks of the
/// statistics.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/detail/parallel.hpp>
#include <mece/engine/workspace.hpp>

namespace mece::detail {

/// The bits of `value` as an unsigned integer that orders like the number (negative
/// numbers reversed, -0 == +0).
template <class Scalar>
auto sortable_bits(Scalar value) noexcept {
    using Bits = std::conditional_t<sizeof(Scalar) == 8, std::uint64_t, std::uint32_t>;
    if (value == Scalar(0)) value = Scalar(0);
    const Bits bits = std::bit_cast<Bits>(value);
    constexpr Bits sign = Bits(1) << (sizeof(Bits) * 8 - 1);
    return (bits & sign) ? Bits(~bits) : Bits(bits | sign);
}

/// The key of a missing value, which no number has: `sortable_bits` gives all ones only
/// for a NaN.
template <class Key>
inline constexpr Key missing_key = ~Key(0);

/// The least and greatest of keys seen, missing ones left out; empty while least > greatest.
template <class Key>
struct KeyRange {
    Key least = missing_key<Key>;
    Key greatest = 0;

    /// Takes `key` into the range; a missing key (all ones) changes neither end.
    void add(Key key) noexcept {
        least = std::min(least, key);  // a missing key is the greatest of all
        greatest = std::max(greatest, key == missing_key<Key> ? Key(0) : key);
    }
    void merge(const KeyRange& other) noexcept {
        least = std::min(least, other.least);
        greatest = std::max(greatest, other.greatest);
    }
    bool empty() const noexcept { return least > greatest; }
};

/// The bits `[low, high)` of a key set, the others clear.
template <class Key>
constexpr Key bits_between(unsigned low, unsigned high) noexcept {
    constexpr unsigned width = sizeof(Key) * 8;
    if (high <= low) return Key(0);
    return Key(Key(~Key(0) >> (width - (high - low))) << low);
}

/// LSD radix sort of unsigned keys by `digits` 11-bit digits from bit `low` (the last may
/// reach past the key's top): one counting pass takes the counts of every digit, then a
/// pass moves the keys for each digit that is not the same in all of them. The keys end
/// sorted by those bits, stably; `scratch` holds `count` keys and is not cleared first,
/// since every pass writes all of it.
template <class Key>
void radix_sort_digits(Key* keys, std::size_t count, Key* scratch, unsigned low, unsigned digits) {
    constexpr unsigned bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << bits;
    std::vector<std::size_t> start(digits * (buckets + 1), 0);  // digit d's counts at d * (buckets + 1) + 1
    for (std::size_t i = 0; i < count; ++i)
        for (unsigned d = 0; d < digits; ++d) ++start[d * (buckets + 1) + ((keys[i] >> (low + d * bits)) & (buckets - 1)) + 1];
    Key* from = keys;
    Key* to = scratch;
    for (unsigned d = 0; d < digits; ++d) {
        std::size_t* const first = start.data() + d * (buckets + 1);
        if (std::find(first + 1, first + buckets + 1, count) != first + buckets + 1) continue;  // one digit for all
        for (std::size_t b = 1; b <= buckets; ++b) first[b] += first[b - 1];
        const unsigned shift = low + d * bits;
        for (std::size_t i = 0; i < count; ++i) to[first[(from[i] >> shift) & (buckets - 1)]++] = from[i];
        std::swap(from, to);
    }
    if (from != keys) std::copy(from, from + count, keys);
}

/// Sorts `keys[0, count)` by their bits `[low, high)`; the bits above are the same in
/// all of them, those below are carried along in any order (a payload). Radix passes over
/// the top of the bits that differ, as many 11-bit digits as spread the keys over at least
/// four times their number of values (and three at the least), then each run that shares
/// those bits sorted by the rest the same way: in linear time, and for keys of a double,
/// even at full precision, a run is mostly one key or equal keys. `scratch` holds `count`
/// keys.
template <class Key>
void sort_by_bits(Key* keys, std::size_t count, Key* scratch, unsigned low, unsigned high) {
    static_assert(std::is_unsigned_v<Key>);
    const Key mask = bits_between<Key>(low, high);
    const auto less = [mask](Key a, Key b) { return Key(a & mask) < Key(b & mask); };
    if (count < 1024) {  // the digit counts alone would cost more than a comparison sort
        std::sort(keys, keys + count, less);
        return;
    }
    Key differ = 0;
    for (std::size_t i = 1; i < count; ++i) differ |= Key((keys[i] ^ keys[0]) & mask);
    if (differ == 0) return;
    high = unsigned(std::bit_width(differ));
    // Spread over four times the keys' number, and at least 33 bits: values a rounding error
    // apart (as a value written with 17 digits is from the one with 2) then fall apart too,
    // else every such cluster would be a run to sort again.
    const unsigned wanted = std::max(unsigned(std::bit_width(count)) + 2, 33u);
    const unsigned digits = (std::min(high - low, wanted) + 10) / 11;
    const unsigned radix_low = high - low > 11 * digits ? high - 11 * digits : low;
    radix_sort_digits(keys, count, scratch, radix_low, digits);
    if (radix_low == low) return;
    // Only a key below the one before it shares the radix bits and is out of order: then
    // the run of those bits is sorted by the rest (runs of equal keys are in order).
    const Key run_mask = bits_between<Key>(radix_low, high);
    for (std::size_t j = 1; j < count; ++j) {
        if (!less(keys[j], keys[j - 1])) continue;
        const Key run = Key(keys[j] & run_mask);
        std::size_t begin = j - 1, end = j + 1;
        while (begin > 0 && Key(keys[begin - 1] & run_mask) == run) --begin;
        while (end < count && Key(keys[end] & run_mask) == run) ++end;
        sort_by_bits(keys + begin, end - begin, scratch, low, radix_low);
        j = end - 1;
    }
}

/// Sorts unsigned keys (32 or 64 bits) in linear time, unlike a comparison sort
/// (`sort_by_bits` over all their bits). `scratch`, if given, holds `count` keys.
template <class Key>
void radix_sort(Key* keys, std::size_t count, Key* scratch = nullptr) {
    static_assert(std::is_unsigned_v<Key> && (sizeof(Key) == 4 || sizeof(Key) == 8));
    std::unique_ptr<Key[]> own;
    if (!scratch && count >= 1024) scratch = (own = std::unique_ptr<Key[]>(new Key[count])).get();
    sort_by_bits(keys, count, scratch, 0, sizeof(Key) * 8);
}

/// Walks `count` sorted items in groups of equal `key_of(i)` and gives each item twice
/// its group's mean rank, with `below` items ranked before the first: ranks below + k + 1
/// for a group at k of size m share their mean, twice which is 2 (below + k) + m + 1, an
/// integer. `credit(i, twice_rank)` for each item, in order.
template <class KeyOf, class Credit>
void credit_groups(std::size_t count, std::uint64_t below, KeyOf key_of, Credit credit) {
    for (std::size_t begin = 0; begin < count;) {
        std::size_t end = begin + 1;
        while (end < count && key_of(end) == key_of(begin)) ++end;
        const auto twice_rank = std::uint64_t(2 * (below + begin) + (end - begin) + 1);
        for (std::size_t k = begin; k < end; ++k) credit(k, twice_rank);
        begin = end;
    }
}

/// Twice the sum of the ranks of each segment's keys among all of them, ranks from 1 and
/// equal keys sharing the mean of theirs (pandas `rank()`): `out[s]` for the users of
/// `ids` s + 1. Twice a mean rank is an integer, so the sums are exact and the same for
/// any number of threads. `keys[0, count)` (missing ones skipped) lie in `range`; `ids`
/// are in `[1, segments]`. The keys are consumed (their array is scratch space).
///
/// One pass per thread counts the keys into buckets by their top bits above `range.least`,
/// one moves each into its bucket, its segment packed into the bits the bucket makes
/// redundant (below the rest of the key, which the sort carries along); each bucket is
/// then sorted in cache by its keys, and its groups of equal keys credit their segments.
/// More segments than 2^16 (too many bits to pack) take a comparison sort of the pairs.
template <class Key>
std::vector<std::uint64_t> twice_rank_sums(Key* keys, const std::int32_t* ids, std::size_t count, std::size_t segments,
                                           KeyRange<Key> range, unsigned threads, engine::Workspace* workspace) {
    static_assert(std::is_unsigned_v<Key>);
    constexpr unsigned width = sizeof(Key) * 8;
    std::vector<std::uint64_t> twice(segments, 0);
    if (range.empty() || segments == 0) return twice;
    const auto span_bits = unsigned(std::bit_width(Key(range.greatest - range.least)));
    const auto segment_bits = unsigned(std::bit_width(segments - 1));
    // The bucket takes the top `bucket_bits` of a key's offset from the least; the rest,
    // `rest_bits`, and the segment must fit in one key.
    const unsigned bucket_bits = std::min(span_bits, std::max(8u, span_bits + segment_bits > width ? span_bits + segment_bits - width : 0u));
    if (bucket_bits > 16) {
        std::vector<std::pair<Key, std::int32_t>> pairs;
        for (std::size_t i = 0; i < count; ++i)
            if (keys[i] != missing_key<Key>) pairs.emplace_back(keys[i], ids[i]);
        std::sort(pairs.begin(), pairs.end());
        credit_groups(pairs.size(), 0, [&](std::size_t k) { return pairs[k].first; },
                      [&](std::size_t k, std::uint64_t twice_rank) { twice[std::size_t(pairs[k].second - 1)] += twice_rank; });
        return twice;
    }
    const unsigned rest_bits = span_bits - bucket_bits;
    const std::size_t buckets = std::size_t{1} << bucket_bits;
    const Key rest_mask = bits_between<Key>(0, rest_bits);
    const Key key_mask = bits_between<Key>(width - rest_bits, width);  // a packed key's own bits
    const unsigned segment_shift = width - rest_bits - segment_bits;
    const Key segment_mask = bits_between<Key>(0, segment_bits);
    const auto segment_of = [&](Key packed) { return segment_bits ? std::size_t((packed >> segment_shift) & segment_mask) : std::size_t{0}; };
    const auto bucket_of = [&](Key key) { return std::size_t(Key(key - range.least) >> rest_bits); };
    const auto pack = [&](Key key, std::int32_t id) {
        const Key rest = Key(Key(key - range.least) & rest_mask);
        return Key((rest_bits ? Key(rest << (width - rest_bits)) : Key(0)) | (segment_bits ? Key(Key(id - 1) << segment_shift) : Key(0)));
    };

    // Counts per piece of the keys (pieces side by side), then where each piece's keys of
    // each bucket go: bucket by bucket, piece by piece.
    const std::size_t pieces = std::clamp<std::size_t>(count / 65536, 1, std::max(1u, threads));
    const auto piece_begin = [&](std::size_t p) { return count * p / pieces; };
    std::vector<std::vector<std::size_t>> next(pieces, std::vector<std::size_t>(buckets, 0));
    detail::for_each_task(Eigen::Index(pieces), threads, [&](Eigen::Index p) {
        // Four counts per bucket, a key at a time each: neighbouring keys often share a
        // bucket, and one count would make each addition wait for the one before.
        std::vector<std::size_t> lanes(4 * buckets, 0);
        const std::size_t begin = piece_begin(std::size_t(p)), end = piece_begin(std::size_t(p) + 1);
        std::size_t i = begin;
        for (; i + 4 <= end; i += 4)
            for (std::size_t k = 0; k < 4; ++k)
                if (keys[i + k] != missing_key<Key>) ++lanes[k * buckets + bucket_of(keys[i + k])];
        for (; i < end; ++i)
            if (keys[i] != missing_key<Key>) ++lanes[bucket_of(keys[i])];
        std::vector<std::size_t>& counts = next[std::size_t(p)];
        for (std::size_t b = 0; b < buckets; ++b) counts[b] = lanes[b] + lanes[buckets + b] + lanes[2 * buckets + b] + lanes[3 * buckets + b];
    });
    std::vector<std::size_t> first(buckets + 1, 0);
    for (std::size_t b = 0; b < buckets; ++b) {
        first[b + 1] = first[b];
        for (std::size_t p = 0; p < pieces; ++p) first[b + 1] += std::exchange(next[p][b], first[b + 1]);
    }
    const std::size_t present = first.back();
    const auto packed = engine::Workspace::borrow<Key>(workspace, present);
    detail::for_each_task(Eigen::Index(pieces), threads, [&](Eigen::Index p) {
        std::vector<std::size_t>& to = next[std::size_t(p)];
        for (std::size_t i = piece_begin(std::size_t(p)); i < piece_begin(std::size_t(p) + 1); ++i)
            if (keys[i] != missing_key<Key>) packed[to[bucket_of(keys[i])]++] = pack(keys[i], ids[i]);
    });

    // Parts of whole buckets with about the same number of keys, side by side: each sorts
    // its buckets (the keys' own array as scratch) and credits its groups; a key's place in
    // the sorted whole is the number of keys below it.
    const std::size_t parts = std::clamp<std::size_t>(present / 65536, 1, 4 * std::size_t(std::max(1u, threads)));
    std::vector<std::size_t> cut(parts + 1, buckets);
    for (std::size_t r = 0; r < parts; ++r)
        cut[r] = std::size_t(std::lower_bound(first.begin(), first.end() - 1, present * r / parts) - first.begin());
    std::vector<std::vector<std::uint64_t>> sums(parts, std::vector<std::uint64_t>(segments, 0));
    detail::for_each_task(Eigen::Index(parts), threads, [&](Eigen::Index r) {
        std::vector<std::uint64_t>& out = sums[std::size_t(r)];
        for (std::size_t b = cut[std::size_t(r)]; b < cut[std::size_t(r) + 1]; ++b) {
            Key* const bucket = packed.data() + first[b];
            const std::size_t size = first[b + 1] - first[b];
            sort_by_bits(bucket, size, keys + first[b], width - rest_bits, width);  // by key: the segment is a payload
            credit_groups(size, first[b], [&](std::size_t k) { return Key(bucket[k] & key_mask); },
                          [&](std::size_t k, std::uint64_t twice_rank) { out[segment_of(bucket[k])] += twice_rank; });
        }
    });
    for (const auto& part : sums)
        for (std::size_t s = 0; s < segments; ++s) twice[s] += part[s];
    return twice;
}

}  // namespace mece::detail
