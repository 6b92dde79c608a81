#pragma once
/// \file segment_stats.hpp
/// `SegmentStats`: per-segment sums and counts of every feature, the one pass over the
/// universe that scores are computed from. Sums and counts (not means) so statistics of
/// shards merge exactly.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <queue>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/workspace.hpp>
#include <mece/error.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece {

namespace detail {

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

/// LSD radix sort of unsigned keys by their 11-bit digits from bit `low` (four of a
/// 64-bit key, 44 bits; three of a 32-bit one, all of it):
/// one counting pass takes the counts of every digit, then a pass moves the keys for each
/// digit that is not the same in all of them (the high bits of values of one magnitude
/// are). The keys end sorted by those bits, stably; `scratch` holds `count` keys and is
/// not cleared first, since every pass writes all of it.
template <class Key>
void radix_sort_digits(Key* keys, std::size_t count, Key* scratch, unsigned low) {
    constexpr unsigned bits = 11, digits = sizeof(Key) == 8 ? 4 : 3;
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

/// Sorts unsigned keys (32 or 64 bits) in linear time, unlike a comparison sort: radix
/// passes over the top 44 bits, then each run of keys that share those bits sorted by
/// the rest (for a 64-bit key of a double, the bits below the 32nd of the mantissa: a
/// run is one key, or equal keys, even at full precision). `scratch`, if given, holds
/// `count` keys.
template <class Key>
void radix_sort(Key* keys, std::size_t count, Key* scratch = nullptr) {
    static_assert(std::is_unsigned_v<Key> && (sizeof(Key) == 4 || sizeof(Key) == 8));
    if (count < 1024) {  // the digit counts alone would cost more than a comparison sort
        std::sort(keys, keys + count);
        return;
    }
    std::unique_ptr<Key[]> own;
    if (!scratch) scratch = (own = std::unique_ptr<Key[]>(new Key[count])).get();
    constexpr unsigned high = sizeof(Key) == 8 ? 20 : 0;  // 32-bit keys are sorted in full
    radix_sort_digits(keys, count, scratch, high);
    if constexpr (high > 0) {
        // Only a key below the one before it shares its top bits and is out of order: then
        // the run of those bits is sorted by the rest (runs of equal keys are in order).
        for (std::size_t j = 1; j < count; ++j) {
            if (keys[j] >= keys[j - 1]) continue;
            const Key run = keys[j] >> high;
            std::size_t begin = j - 1, end = j + 1;
            while (begin > 0 && (keys[begin - 1] >> high) == run) --begin;
            while (end < count && (keys[end] >> high) == run) ++end;
            if (end - begin >= 1024)
                radix_sort_digits(keys + begin, end - begin, scratch, 0);  // the low 44 bits cover the rest
            else
                std::sort(keys + begin, keys + end);
            j = end - 1;
        }
    }
}

}  // namespace detail

/// Sums and counts per segment and feature. The features are the numeric columns, the
/// derived recencies, and `aov_percentile_rank`: a user's AOV rank in the universe over
/// the universe size, ties sharing their average rank (pandas `rank(pct=True)`).
class SegmentStats {
public:
    SegmentStats() = default;
    /// Zero statistics for `segments` segments over `features`.
    SegmentStats(std::vector<std::string> features, std::size_t segments)
        : features_(std::move(features)),
          sums_(Eigen::ArrayXXd::Zero(Eigen::Index(segments), Eigen::Index(features_.size()))),
          scaled_sums_(Eigen::ArrayXXd::Zero(Eigen::Index(segments), Eigen::Index(features_.size()))),
          counts_(Eigen::ArrayXXd::Zero(Eigen::Index(segments), Eigen::Index(features_.size()))),
          sizes_(segments, 0) {}

    template <class Scalar>
    class Accumulator;

    /// The statistics of `assignment` over the users in scope: one engine pass (see
    /// `Accumulator`, which a fused pass uses the same way).
    template <class Scalar>
    static SegmentStats compute(const Scope<Scalar>& scope, const Assignment& assignment);
    template <class Scalar>
    static SegmentStats compute(const Dataset<Scalar>& data, const Universe& universe, const Assignment& assignment) {
        return compute(Scope<Scalar>(data, universe), assignment);
    }

    const std::vector<std::string>& features() const noexcept { return features_; }
    std::size_t segments() const noexcept { return sizes_.size(); }
    Eigen::Index universe_size() const noexcept { return universe_size_; }
    /// Days in the window of the universe the statistics are over (`days_since_abandon`
    /// runs from 0 to one less): what recency is measured against.
    int window_days() const noexcept { return window_days_; }

    /// Users in segment `id`.
    Eigen::Index size(int id) const { return sizes_[std::size_t(row(id))]; }
    /// Sum of `feature` over the users of segment `id` that have it (infinite if it
    /// overflows; `mean` is still finite).
    double sum(int id, std::string_view feature) const { return sums_(row(id), column(feature)); }
    /// Users of segment `id` that have `feature` (all of them but for a missing value).
    double count(int id, std::string_view feature) const { return counts_(row(id), column(feature)); }
    /// Mean of `feature` over segment `id`; NaN when no user has it. Finite for finite
    /// values even where their sum overflows (values near the largest double): the mean
    /// then comes from the sums scaled by 2^-64, kept beside the plain ones.
    double mean(int id, std::string_view feature) const {
        const double n = count(id, feature);
        if (!(n > 0)) return std::numeric_limits<double>::quiet_NaN();
        const double total = sum(id, feature);
        if (std::isfinite(total)) return total / n;
        constexpr double largest = std::numeric_limits<double>::max();
        return std::clamp(scaled_sums_(row(id), column(feature)) / n * 0x1p64, -largest, largest);
    }
    /// Users whose last order is dated after `as_of` (`days_since_last_order` below 0).
    Eigen::Index ordered_after_as_of() const noexcept { return ordered_after_as_of_; }

    bool has_feature(std::string_view feature) const noexcept {
        return std::find(features_.begin(), features_.end(), feature) != features_.end();
    }

    /// Adds the statistics of another shard of the same segments.
    void merge(const SegmentStats& other) {
        if (other.features_ != features_ || other.sizes_.size() != sizes_.size() || other.window_days_ != window_days_)
            detail::raise<Error>("segment statistics: cannot merge statistics of different segments, features or windows");
        sums_ += other.sums_;
        scaled_sums_ += other.scaled_sums_;
        counts_ += other.counts_;
        for (std::size_t s = 0; s < sizes_.size(); ++s) sizes_[s] += other.sizes_[s];
        universe_size_ += other.universe_size_;
        ordered_after_as_of_ += other.ordered_after_as_of_;
    }

private:
    Eigen::Index row(int id) const {
        detail::check_segment_id(id, sizes_.size(), "segment statistics");
        return id - 1;
    }
    Eigen::Index column(std::string_view feature) const {
        const auto found = std::find(features_.begin(), features_.end(), feature);
        if (found == features_.end()) detail::raise<Error>("segment statistics: no feature '" + std::string(feature) + "'");
        return Eigen::Index(found - features_.begin());
    }

    /// Average ranks of AOV over the universe (ties share theirs), summed per segment,
    /// from each segment's AOV keys (`sortable_bits`). Users without a value (NaN, only in
    /// a caller's buffers) have no rank and do not count.
    ///
    /// The keys are laid out by segment (a counting sort, in pieces side by side), each
    /// segment's sorted on its own (radix, keys only, in the space the keys leave: they are
    /// consumed), then a merge over the sorted lists walks the universe in AOV order, a
    /// group of equal values at a time, and credits each segment its share of the group's
    /// average rank; twice that is an integer, so the sums are exact (up to 3e9 users) and
    /// the merge runs in key ranges side by side with the same result.
    template <class Key>
    void add_aov_ranks(Key* universe_keys, Eigen::Index universe_users, const Column<std::int32_t>& ids,
                       const std::vector<std::vector<std::size_t>>& chunk_counts, unsigned threads, engine::Workspace* workspace) {
        const Eigen::Index f = column("aov_percentile_rank");
        const std::size_t segments = sizes_.size();
        // Each segment's keys in a range of one array: piece r of the universe (whole chunks,
        // whose keys per segment the pass counted) writes segment s's from offsets[r][s], after
        // those of every segment before s and of the pieces before r.
        const auto chunks = std::size_t(engine::chunk_count(universe_users));
        if (chunk_counts.size() != chunks) detail::raise<Error>("segment statistics: the rank counts are not the pass's chunks");
        const std::size_t pieces = std::clamp<std::size_t>(chunks, 1, std::max(1u, threads));
        const auto piece_chunk = [&](std::size_t r) { return chunks * r / pieces; };
        const auto piece_begin = [&](std::size_t r) { return std::min(universe_users, Eigen::Index(piece_chunk(r)) * engine::chunk_rows); };
        std::vector<std::vector<std::size_t>> offsets(pieces, std::vector<std::size_t>(segments, 0));
        for (std::size_t r = 0; r < pieces; ++r)
            for (std::size_t c = piece_chunk(r); c < piece_chunk(r + 1); ++c)
                for (std::size_t s = 0; s < segments; ++s) offsets[r][s] += chunk_counts[c][s];
        std::vector<std::size_t> first(segments + 1, 0);
        for (std::size_t s = 0; s < segments; ++s) {
            first[s + 1] = first[s];
            for (std::size_t r = 0; r < pieces; ++r) first[s + 1] += std::exchange(offsets[r][s], first[s + 1]);
        }
        const auto laid_out = engine::Workspace::borrow<Key>(workspace, first.back());
        detail::for_each_task(Eigen::Index(pieces), threads, [&](Eigen::Index r) {
            std::vector<std::size_t>& next = offsets[std::size_t(r)];
            for (Eigen::Index i = piece_begin(std::size_t(r)); i < piece_begin(std::size_t(r) + 1); ++i)
                if (universe_keys[i] != detail::missing_key<Key>) laid_out[next[std::size_t(ids[i] - 1)]++] = universe_keys[i];
        });
        std::vector<std::size_t> largest_first(sizes_.size());
        std::iota(largest_first.begin(), largest_first.end(), std::size_t{0});
        std::stable_sort(largest_first.begin(), largest_first.end(),
                         [&](std::size_t a, std::size_t b) { return first[a + 1] - first[a] > first[b + 1] - first[b]; });
        // Threads only where there is work for them: a thread costs more than sorting a few thousand keys.
        const unsigned sorters = detail::thread_count(threads, Eigen::Index(first.back() / 16384));
        detail::for_each_task(Eigen::Index(largest_first.size()), sorters, [&](Eigen::Index k) {
            const std::size_t s = largest_first[std::size_t(k)];
            detail::radix_sort(laid_out.data() + first[s], first[s + 1] - first[s], universe_keys + first[s]);
        });
        struct Range {
            const Key* begin{};
            const Key* end{};
            std::size_t size() const noexcept { return std::size_t(end - begin); }
            bool empty() const noexcept { return begin == end; }
            Key operator[](std::size_t i) const noexcept { return begin[i]; }
        };
        std::vector<Range> keys;
        for (std::size_t s = 0; s < sizes_.size(); ++s) keys.push_back({laid_out.data() + first[s], laid_out.data() + first[s + 1]});
        const std::size_t n = first.back();

        // The merge, cut by key into ranges that run side by side: a range starts at a key
        // of the largest segment, so equal keys never straddle two, and its first rank is
        // the number of keys below that key in every segment. Twice each rank sum is an
        // integer, summed exactly, so the cut does not change a bit of the result.
        if (keys.empty()) return;
        const std::size_t largest = largest_first.front();
        const auto parts = std::size_t(std::clamp<std::size_t>(n / 65536, 1, std::max(1u, threads)));
        std::vector<std::vector<std::size_t>> from(parts + 1, std::vector<std::size_t>(keys.size()));
        for (std::size_t s = 0; s < keys.size(); ++s) from[parts][s] = keys[s].size();
        for (std::size_t r = 1; r < parts; ++r) {
            const Key splitter = keys[largest][keys[largest].size() * r / parts];
            for (std::size_t s = 0; s < keys.size(); ++s)
                from[r][s] = std::size_t(std::lower_bound(keys[s].begin, keys[s].end, splitter) - keys[s].begin);
        }
        std::vector<std::vector<std::uint64_t>> twice(parts, std::vector<std::uint64_t>(keys.size(), 0));
        detail::for_each_task(Eigen::Index(parts), threads, [&](Eigen::Index r) {
            std::size_t ranked = 0;  // keys below the range
            for (std::size_t s = 0; s < keys.size(); ++s) ranked += from[std::size_t(r)][s];
            credit_ranks(keys, from[std::size_t(r)], from[std::size_t(r) + 1], ranked, twice[std::size_t(r)]);
        });
        for (std::size_t s = 0; s < keys.size(); ++s) {
            std::uint64_t total = 0;
            for (const auto& part : twice) total += part[s];
            sums_(Eigen::Index(s), f) = double(total) / (2.0 * double(n));
            scaled_sums_(Eigen::Index(s), f) = sums_(Eigen::Index(s), f) * 0x1p-64;
            counts_(Eigen::Index(s), f) = double(keys[s].size());
        }
    }

    /// Twice the rank sums of one key range of the segments' sorted keys,
    /// `keys[s][at[s], stop[s])`, with `ranked` keys below the range, added to `twice`: each
    /// group of equal keys, in order, credits each segment its users times twice the
    /// group's mean rank. The next key is the least of the segments' next keys: for a few
    /// segments found by a scan of them, for more by a heap (which takes a run of equal
    /// keys at once).
    template <class Range>
    static void credit_ranks(const std::vector<Range>& keys, std::vector<std::size_t> at, const std::vector<std::size_t>& stop,
                             std::size_t ranked, std::vector<std::uint64_t>& out) {
        using Key = std::remove_cvref_t<decltype(keys[0][0])>;
        constexpr std::size_t few = 16;
        const std::size_t k = keys.size();
        // Summed on this thread's stack (or heap, for many segments) and written once: the
        // ranges' sums side by side would share cache lines.
        std::array<std::uint64_t, few> on_stack{};
        std::vector<std::uint64_t> on_heap(k > few ? k : 0, 0);
        std::uint64_t* const twice = k > few ? on_heap.data() : on_stack.data();
        const auto credit = [&](std::size_t size, const auto& users_of) {
            // Ranks ranked+1 .. ranked+size share their mean: twice it is 2 ranked + size + 1.
            const auto twice_rank = std::uint64_t(2 * ranked + size + 1);
            users_of([&](std::size_t seg, std::size_t users) { twice[seg] += twice_rank * users; });
            ranked += size;
        };
        if (k <= few) {
            // The least of the segments' next keys (found without a branch) and its run in
            // that segment at a time; a group is credited when a greater key ends it.
            constexpr Key exhausted = detail::missing_key<Key>;  // above every key: no laid-out key is missing
            const auto next = [&](std::size_t s) { return at[s] < stop[s] ? keys[s][at[s]] : exhausted; };
            std::array<Key, few> heads{};
            std::array<std::size_t, few> users{};
            for (std::size_t s = 0; s < k; ++s) heads[s] = next(s);
            Key group = exhausted;
            std::size_t size = 0;
            for (;;) {
                std::size_t least = 0;
                for (std::size_t s = 1; s < k; ++s) least = heads[s] < heads[least] ? s : least;
                const Key key = heads[least];
                if (key != group) {
                    if (size > 0)
                        credit(size, [&](auto&& add) {
                            for (std::size_t s = 0; s < k; ++s) add(s, std::exchange(users[s], 0));
                        });
                    group = key;
                    size = 0;
                }
                if (key == exhausted) break;  // every segment's range is done (or was empty)
                const std::size_t begin = at[least];  // its run of this key at once
                do ++at[least];
                while (at[least] < stop[least] && keys[least][at[least]] == key);
                users[least] += at[least] - begin;
                size += at[least] - begin;
                heads[least] = next(least);
            }
            out.assign(twice, twice + k);
            return;
        }
        using Head = std::pair<Key, std::size_t>;  // (next key, segment)
        std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
        for (std::size_t s = 0; s < k; ++s)
            if (at[s] < stop[s]) heads.emplace(keys[s][at[s]], s);
        std::vector<std::pair<std::size_t, std::size_t>> group;  // (segment, users) with the current value
        while (!heads.empty()) {
            const Key key = heads.top().first;
            group.clear();
            std::size_t size = 0;
            while (!heads.empty() && heads.top().first == key) {
                const std::size_t seg = heads.top().second;
                heads.pop();
                const std::size_t begin = at[seg];
                while (at[seg] < stop[seg] && keys[seg][at[seg]] == key) ++at[seg];
                group.emplace_back(seg, at[seg] - begin);
                size += at[seg] - begin;
                if (at[seg] < stop[seg]) heads.emplace(keys[seg][at[seg]], seg);
            }
            credit(size, [&](auto&& add) {
                for (const auto& [seg, users] : group) add(seg, users);
            });
        }
        out.assign(twice, twice + k);
    }

    /// The same over shards (a collective), from this shard's keys: the keys travel to
    /// the shard that holds their range of values (cut at keys sampled from every
    /// shard, so equal values meet on one), each shard ranks its range from the number
    /// of keys in the ranges before it, and the integer sums of twice the ranks per
    /// segment add up exactly, to the sums one process finds.
    template <class Key>
    void add_aov_ranks(const Key* universe_keys, Eigen::Index universe_users, const Column<std::int32_t>& ids, const Shards& shards) {
        const Eigen::Index f = column("aov_percentile_rank");
        const std::size_t segments = sizes_.size(), parts = std::size_t(shards.count());
        std::vector<Key> sorted;
        std::vector<std::int64_t> present(segments, 0);
        for (Eigen::Index i = 0; i < universe_users; ++i)
            if (universe_keys[i] != detail::missing_key<Key>) {
                sorted.push_back(universe_keys[i]);
                ++present[std::size_t(ids[i] - 1)];
            }
        detail::radix_sort(sorted.data(), sorted.size());
        constexpr std::size_t samples = 64;
        std::vector<std::uint64_t> mine;
        for (std::size_t k = 0; k < samples && !sorted.empty(); ++k) mine.push_back(sorted[sorted.size() * k / samples]);
        std::vector<std::uint64_t> all = shards.gather(std::span<const std::uint64_t>(mine));
        std::sort(all.begin(), all.end());
        std::vector<std::uint64_t> splitters;  // shard p holds the keys k with splitters[p - 1] <= k < splitters[p]
        for (std::size_t p = 1; p < parts && !all.empty(); ++p) splitters.push_back(all[all.size() * p / parts]);
        std::vector<std::vector<std::uint64_t>> to(parts);
        for (Eigen::Index i = 0; i < universe_users; ++i) {
            if (universe_keys[i] == detail::missing_key<Key>) continue;
            const auto key = std::uint64_t(universe_keys[i]);
            auto& out = to[std::size_t(std::upper_bound(splitters.begin(), splitters.end(), key) - splitters.begin())];
            out.push_back(key);
            out.push_back(std::uint64_t(ids[i] - 1));
        }
        const std::vector<std::uint64_t> received = shards.exchange(to);
        std::vector<std::pair<std::uint64_t, std::uint64_t>> held;  // (key, segment)
        for (std::size_t k = 0; k + 1 < received.size(); k += 2) held.emplace_back(received[k], received[k + 1]);
        std::sort(held.begin(), held.end());
        const std::uint64_t held_count = held.size();
        const std::vector<std::uint64_t> counts = shards.gather(std::span<const std::uint64_t>(&held_count, 1));
        std::uint64_t ranked = 0, n = 0;  // keys on the shards before this one, and on all
        for (std::size_t p = 0; p < counts.size(); ++p) {
            if (int(p) < shards.index()) ranked += counts[p];
            n += counts[p];
        }
        std::vector<std::uint64_t> twice(segments, 0);
        for (std::size_t k = 0; k < held.size();) {
            std::size_t end = k;
            while (end < held.size() && held[end].first == held[k].first) ++end;
            const std::uint64_t size = end - k, twice_rank = 2 * ranked + size + 1;
            for (; k < end; ++k) {
                if (held[k].second >= segments) detail::raise<Error>("segment statistics: a rank key of no segment");
                twice[held[k].second] += twice_rank;
            }
            ranked += size;
        }
        shards.sum(std::span<std::uint64_t>(twice));
        detail::add_up(&shards, present);
        for (std::size_t s = 0; s < segments; ++s) {
            sums_(Eigen::Index(s), f) = double(twice[s]) / (2.0 * double(n));
            scaled_sums_(Eigen::Index(s), f) = sums_(Eigen::Index(s), f) * 0x1p-64;
            counts_(Eigen::Index(s), f) = double(present[s]);
        }
    }

    std::vector<std::string> features_;
    Eigen::ArrayXXd sums_;
    Eigen::ArrayXXd scaled_sums_;  // the sums of the values times 2^-64, which cannot overflow
    Eigen::ArrayXXd counts_;
    std::vector<Eigen::Index> sizes_;
    Eigen::Index universe_size_ = 0;
    Eigen::Index ordered_after_as_of_ = 0;
    int window_days_ = defaults::window_days;
};

/// The statistics' work over the blocks of a pass, on its own or fused with the
/// assignment and the check. Each block's users are grouped by segment (a counting sort
/// of the block) and every feature is summed over each group, so the work per user does
/// not grow with the number of segments; block sums are added in a fixed order, the same
/// on any number of threads. The AOV keys for the ranks are taken in the same pass.
template <class Scalar>
class SegmentStats::Accumulator {
public:
    using Key = decltype(detail::sortable_bits(Scalar()));

    /// Sums and counts of the scope's features for `segments` segments.
    Accumulator(const Scope<Scalar>& scope, std::size_t segments)
        : features_{"avg_order_value",     "sessions_last_30d",  "num_cart_items", "engagement_score",
                    "profitability_score", "days_since_abandon", "days_since_last_order"},
          segments_(segments),
          universe_size_(scope.total_size()),
          window_days_(scope.universe().window_days()),
          threads_(scope.threads()),
          shards_(scope.shards()),
          workspace_(scope.workspace()),
          keys_(engine::Workspace::borrow<Key>(scope.workspace(), std::size_t(scope.size()))) {
        for (const auto& name : scope.data().extra_names())
            if (name != "aov_percentile_rank") features_.push_back(name);  // the statistic keeps its name
    }

    /// The features a pass must gather for the statistics, AOV first.
    const std::vector<std::string>& features() const noexcept { return features_; }

    /// One chunk's sums.
    struct Partial {
        Eigen::ArrayXXd sums{}, scaled_sums{}, counts{};
        std::vector<Eigen::Index> sizes{};
        Eigen::Index ordered_after_as_of = 0;
    };
    Partial partial() const {
        const auto n = Eigen::Index(features_.size()), m = Eigen::Index(segments_);
        return {Eigen::ArrayXXd::Zero(m, n), Eigen::ArrayXXd::Zero(m, n), Eigen::ArrayXXd::Zero(m, n),
                std::vector<Eigen::Index>(segments_, 0)};
    }

    /// One thread's step; `columns[f]` is the block column of `features()[f]`.
    class Step {
    public:
        Step(Accumulator& accumulator, std::vector<Eigen::Index> columns)
            : accumulator_(&accumulator),
              recency_(std::size_t(std::find(accumulator.features_.begin(), accumulator.features_.end(), "days_since_last_order") -
                                   accumulator.features_.begin())),
              columns_(std::move(columns)),
              order_(std::size_t(engine::block_rows)),
              first_(accumulator.segments_ + 1),
              values_(columns_.size()) {}

        /// Adds the block's users, whose segment ids are `ids`, to `out`. The rows are
        /// grouped by segment (a stable counting sort of the block), then each segment's
        /// values are summed in row order, up to eight features at a time in registers.
        void operator()(const engine::Block<Scalar>& block, const std::int32_t* ids, Partial& out) {
            const std::size_t segments = accumulator_->segments_, features = columns_.size();
            const Eigen::Index n = block.size();
            std::fill(first_.begin(), first_.end(), 0);
            for (Eigen::Index i = 0; i < n; ++i) {
                if (ids[i] < 1 || std::size_t(ids[i]) > segments)
                    detail::raise<Error>("segment statistics: no segment " + std::to_string(ids[i]));
                ++first_[std::size_t(ids[i])];
            }
            for (std::size_t s = 1; s <= segments; ++s) first_[s] += first_[s - 1];
            for (Eigen::Index i = 0; i < n; ++i) order_[std::size_t(first_[std::size_t(ids[i] - 1)]++)] = std::int32_t(i);
            // `first_[s]` is now where segment s + 1's rows start and segment s's end.
            for (std::size_t f = 0; f < features; ++f) values_[f] = block.feature(columns_[f]);
            for (std::size_t s = 0; s < segments; ++s) {
                const std::int32_t begin = s == 0 ? 0 : first_[s - 1], end = first_[s];
                if (begin == end) continue;
                out.sizes[s] += end - begin;
                for (std::size_t f = 0; f < features; f += group) {
                    const std::size_t count = std::min(group, features - f);
                    sum_groups[count - 1](order_.data() + begin, order_.data() + end, values_.data() + f, sums_.data(), present_.data());
                    for (std::size_t g = 0; g < count; ++g) add(out, s, f + g, begin, end, sums_[g], present_[g]);
                }
            }
            const Scalar* recency = block.feature(columns_[recency_]);
            Eigen::Index later = 0;
            for (Eigen::Index i = 0; i < n; ++i) later += recency[i] < Scalar(0) ? 1 : 0;  // NaN: never ordered
            out.ordered_after_as_of += later;
            const Scalar* aov = block.feature(columns_.front());
            Key* keys = accumulator_->keys_.data() + block.start();
            for (Eigen::Index i = 0; i < n; ++i)
                keys[i] = std::isnan(aov[i]) ? detail::missing_key<Key> : detail::sortable_bits(aov[i]);
        }

    private:
        static constexpr std::size_t group = 8;  // features summed together, each in a register

        /// The sums and counts of `G` features over the rows `[begin, end)` lists.
        template <std::size_t G>
        static void sum_group(const std::int32_t* begin, const std::int32_t* end, const Scalar* const* values, double* sums,
                              double* present) {
            std::array<double, G> sum{}, count{};
            for (const std::int32_t* row = begin; row != end; ++row)
                for (std::size_t g = 0; g < G; ++g) {
                    const double x = double(values[g][*row]);
                    const bool here = !std::isnan(x);
                    sum[g] += here ? x : 0.0;
                    count[g] += here ? 1.0 : 0.0;
                }
            std::copy(sum.begin(), sum.end(), sums);
            std::copy(count.begin(), count.end(), present);
        }
        using SumGroup = void (*)(const std::int32_t*, const std::int32_t*, const Scalar* const*, double*, double*);
        static constexpr std::array<SumGroup, group> sum_groups{&sum_group<1>, &sum_group<2>, &sum_group<3>, &sum_group<4>,
                                                                &sum_group<5>, &sum_group<6>, &sum_group<7>, &sum_group<8>};

        /// Adds segment `s`'s block sum of feature `f` to `out`; a sum that overflowed is
        /// summed again, scaled, for the mean.
        void add(Partial& out, std::size_t s, std::size_t f, std::int32_t begin, std::int32_t end, double sum, double present) const {
            if (!std::isfinite(sum)) {
                sum = 0;
                for (std::int32_t k = begin; k < end; ++k) {
                    const double x = double(values_[f][order_[std::size_t(k)]]);
                    sum += std::isnan(x) ? 0.0 : x * 0x1p-64;
                }
                out.scaled_sums(Eigen::Index(s), Eigen::Index(f)) += sum;
                sum *= 0x1p64;
            } else {
                out.scaled_sums(Eigen::Index(s), Eigen::Index(f)) += sum * 0x1p-64;
            }
            out.sums(Eigen::Index(s), Eigen::Index(f)) += sum;
            out.counts(Eigen::Index(s), Eigen::Index(f)) += present;
        }

        Accumulator* accumulator_;
        std::size_t recency_;  // where days_since_last_order is among the features
        std::vector<Eigen::Index> columns_;
        std::vector<std::int32_t> order_;
        std::vector<std::int32_t> first_;
        std::vector<const Scalar*> values_;  // the block's values of each feature
        std::array<double, group> sums_{}, present_{};
    };

    /// The statistics from the chunks' sums, in chunk order, and the assignment's ids.
    /// Over shards (a collective), the chunks of every shard, in shard order: the chunk
    /// order of the whole universe, so the sums are those one process makes.
    SegmentStats finish(const std::vector<Partial>& partials, const Column<std::int32_t>& ids) {
        std::vector<std::string> names = features_;
        names.push_back("aov_percentile_rank");
        SegmentStats stats(std::move(names), segments_);
        stats.universe_size_ = universe_size_;
        stats.window_days_ = window_days_;
        const auto n = Eigen::Index(features_.size());
        const auto add = [&](const Eigen::ArrayXXd& sums, const Eigen::ArrayXXd& scaled_sums, const Eigen::ArrayXXd& counts) {
            stats.sums_.leftCols(n) += sums;
            stats.scaled_sums_.leftCols(n) += scaled_sums;
            stats.counts_.leftCols(n) += counts;
        };
        for (const Partial& p : partials) {
            if (!shards_) add(p.sums, p.scaled_sums, p.counts);
            for (std::size_t s = 0; s < segments_; ++s) stats.sizes_[s] += p.sizes[s];
            stats.ordered_after_as_of_ += p.ordered_after_as_of;
        }
        if (!shards_) {
            std::vector<std::vector<std::size_t>> keys_per_chunk;  // users with an AOV, per segment
            for (const Partial& p : partials) {
                auto& counts = keys_per_chunk.emplace_back(segments_);
                for (std::size_t s = 0; s < segments_; ++s) counts[s] = std::size_t(p.counts(Eigen::Index(s), 0));
            }
            stats.add_aov_ranks(keys_.data(), Eigen::Index(keys_.size()), ids, keys_per_chunk, threads_, workspace_);
            return stats;
        }
        const Eigen::Index cells = Eigen::Index(segments_) * n;
        std::vector<double> mine;
        mine.reserve(partials.size() * std::size_t(3 * cells));
        for (const Partial& p : partials)
            for (const Eigen::ArrayXXd* part : {&p.sums, &p.scaled_sums, &p.counts}) mine.insert(mine.end(), part->data(), part->data() + cells);
        const std::vector<double> every = shards_->gather(std::span<const double>(mine));
        for (std::size_t at = 0; at + std::size_t(3 * cells) <= every.size(); at += std::size_t(3 * cells)) {
            const auto part = [&](Eigen::Index k) {
                return Eigen::Map<const Eigen::ArrayXXd>(every.data() + at + std::size_t(k * cells), Eigen::Index(segments_), n);
            };
            add(part(0), part(1), part(2));
        }
        detail::add_up(shards_, stats.sizes_);
        std::vector<Eigen::Index> later{stats.ordered_after_as_of_};
        detail::add_up(shards_, later);
        stats.ordered_after_as_of_ = later[0];
        stats.add_aov_ranks(keys_.data(), Eigen::Index(keys_.size()), ids, *shards_);
        return stats;
    }

private:
    std::vector<std::string> features_;
    std::size_t segments_;
    Eigen::Index universe_size_;
    int window_days_;
    unsigned threads_;
    const Shards* shards_;
    engine::Workspace* workspace_;
    engine::Workspace::Lease<Key> keys_;  // every place is written by the pass; the ranks consume them
};

template <class Scalar>
SegmentStats SegmentStats::compute(const Scope<Scalar>& scope, const Assignment& assignment) {
    if (assignment.segment_ids.size() != scope.size())
        detail::raise<Error>("segment statistics: the assignment does not cover the universe");
    Accumulator<Scalar> accumulator(scope, assignment.sizes.size());
    const engine::Features<Scalar> features(scope, accumulator.features());
    std::vector<Eigen::Index> columns(accumulator.features().size());
    std::iota(columns.begin(), columns.end(), Eigen::Index{0});
    const auto partials = engine::for_each_block(
        scope, engine::all_rows(scope), features, [&] { return accumulator.partial(); },
        [&] {
            return [&, step = typename Accumulator<Scalar>::Step(accumulator, columns)](
                       const engine::Block<Scalar>& block, typename Accumulator<Scalar>::Partial& out) mutable {
                step(block, assignment.segment_ids.data() + block.start(), out);
            };
        });
    return accumulator.finish(partials, assignment.segment_ids);
}

}  // namespace mece
