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
#include <numeric>
#include <queue>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
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

/// LSD radix sort of unsigned keys, 11 bits per pass; a pass where every key has the same
/// digit is skipped (the high bits of values of one magnitude). Linear, unlike a
/// comparison sort.
template <class Key>
void radix_sort(std::vector<Key>& keys) {
    constexpr unsigned bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << bits;
    std::vector<Key> scratch(keys.size());
    std::vector<std::size_t> start(buckets + 1);
    for (unsigned shift = 0; shift < sizeof(Key) * 8; shift += bits) {
        const auto digit = [shift](Key key) { return std::size_t((key >> shift) & (buckets - 1)); };
        std::fill(start.begin(), start.end(), 0);
        for (Key key : keys) ++start[digit(key) + 1];
        if (std::find(start.begin() + 1, start.end(), keys.size()) != start.end()) continue;
        for (std::size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
        for (Key key : keys) scratch[start[digit(key)]++] = key;
        keys.swap(scratch);
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
          counts_(Eigen::ArrayXXd::Zero(Eigen::Index(segments), Eigen::Index(features_.size()))),
          sizes_(segments, 0) {}

    /// The statistics of `assignment` over `universe`.
    template <class Scalar>
    static SegmentStats compute(const Dataset<Scalar>& data, const Universe& universe, const Assignment& assignment) {
        if (assignment.segment_ids.size() != universe.size())
            detail::raise<Error>("segment statistics: the assignment does not cover the universe");
        std::vector<std::string> names{"avg_order_value",     "sessions_last_30d",  "num_cart_items",
                                       "engagement_score",    "profitability_score", "days_since_abandon",
                                       "days_since_last_order"};
        for (const auto& name : data.extra_names())
            if (name != "aov_percentile_rank") names.push_back(name);  // the statistic keeps its name
        std::vector<FeatureReader<Scalar>> readers;
        for (const auto& name : names) readers.emplace_back(data, universe.as_of(), name);
        names.push_back("aov_percentile_rank");
        SegmentStats stats(names, assignment.sizes.size());
        stats.universe_size_ = universe.size();
        const auto& ids = assignment.segment_ids;
        for (Eigen::Index i = 0; i < ids.size(); ++i) ++stats.sizes_.at(std::size_t(ids[i] - 1));

        // The AOV keys for the ranks are taken in the same pass (feature 0), per segment.
        using Key = decltype(detail::sortable_bits(Scalar()));
        std::vector<std::vector<Key>> aov_keys(stats.sizes_.size());
        for (std::size_t s = 0; s < aov_keys.size(); ++s) aov_keys[s].reserve(std::size_t(stats.sizes_[s]));

        constexpr Eigen::Index block = 4096;
        Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic> values(block, Eigen::Index(readers.size()));
        Column<Scalar> scratch(block);
        for (Eigen::Index start = 0; start < universe.size(); start += block) {
            const Eigen::Index count = std::min(block, universe.size() - start);
            for (std::size_t f = 0; f < readers.size(); ++f) {
                readers[f].gather(universe.rows().data() + start, count, scratch.data());
                values.col(Eigen::Index(f)).head(count) = scratch.head(count).template cast<double>();
                if (f == 0)
                    for (Eigen::Index i = 0; i < count; ++i)
                        if (!std::isnan(scratch[i]))
                            aov_keys[std::size_t(ids[start + i] - 1)].push_back(detail::sortable_bits(scratch[i]));
            }
            const auto columns = Eigen::Index(readers.size());
            for (Eigen::Index i = 0; i < count; ++i) {
                const Eigen::Index s = ids[start + i] - 1;
                const auto row = values.row(i);
                const auto present = row.isNaN() == false;
                stats.sums_.row(s).head(columns) += present.select(row, 0.0);
                stats.counts_.row(s).head(columns) += present.template cast<double>();
            }
        }
        stats.add_aov_ranks(aov_keys);
        return stats;
    }

    const std::vector<std::string>& features() const noexcept { return features_; }
    std::size_t segments() const noexcept { return sizes_.size(); }
    Eigen::Index universe_size() const noexcept { return universe_size_; }

    /// Users in segment `id`.
    Eigen::Index size(int id) const { return sizes_.at(std::size_t(id - 1)); }
    /// Sum of `feature` over the users of segment `id` that have it.
    double sum(int id, std::string_view feature) const { return sums_(row(id), column(feature)); }
    /// Users of segment `id` that have `feature` (all of them but for a missing value).
    double count(int id, std::string_view feature) const { return counts_(row(id), column(feature)); }
    /// Mean of `feature` over segment `id`; NaN when no user has it.
    double mean(int id, std::string_view feature) const {
        const double n = count(id, feature);
        return n > 0 ? sum(id, feature) / n : std::numeric_limits<double>::quiet_NaN();
    }
    bool has_feature(std::string_view feature) const noexcept {
        return std::find(features_.begin(), features_.end(), feature) != features_.end();
    }

    /// Adds the statistics of another shard of the same segments.
    void merge(const SegmentStats& other) {
        if (other.features_ != features_ || other.sizes_.size() != sizes_.size())
            detail::raise<Error>("segment statistics: cannot merge statistics of different segments or features");
        sums_ += other.sums_;
        counts_ += other.counts_;
        for (std::size_t s = 0; s < sizes_.size(); ++s) sizes_[s] += other.sizes_[s];
        universe_size_ += other.universe_size_;
    }

private:
    Eigen::Index row(int id) const {
        if (id < 1 || std::size_t(id) > sizes_.size()) detail::raise<Error>("segment statistics: no segment " + std::to_string(id));
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
    /// Each segment's values are sorted on their own (radix, keys only), then one merge
    /// over the sorted lists walks the universe in AOV order, a group of equal values at a
    /// time, and credits each segment its share of the group's average rank.
    template <class Key>
    void add_aov_ranks(std::vector<std::vector<Key>>& keys) {
        const Eigen::Index f = column("aov_percentile_rank");
        std::size_t n = 0;
        for (auto& list : keys) {
            detail::radix_sort(list);
            n += list.size();
        }

        std::vector<std::size_t> at(keys.size(), 0);
        using Head = std::pair<Key, std::size_t>;  // (next key, segment)
        std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
        for (std::size_t s = 0; s < keys.size(); ++s)
            if (!keys[s].empty()) heads.emplace(keys[s][0], s);
        std::size_t ranked = 0;
        std::vector<std::pair<std::size_t, std::size_t>> group;  // (segment, users) with the current value
        while (!heads.empty()) {
            const Key key = heads.top().first;
            group.clear();
            std::size_t size = 0;
            while (!heads.empty() && heads.top().first == key) {
                const std::size_t s = heads.top().second;
                heads.pop();
                const std::size_t begin = at[s];
                while (at[s] < keys[s].size() && keys[s][at[s]] == key) ++at[s];
                group.emplace_back(s, at[s] - begin);
                size += at[s] - begin;
                if (at[s] < keys[s].size()) heads.emplace(keys[s][at[s]], s);
            }
            // Ranks ranked+1 .. ranked+size share their mean.
            const double rank = (double(ranked + 1) + double(ranked + size)) / 2.0 / double(n);
            for (const auto& [s, users] : group) {
                sums_(Eigen::Index(s), f) += rank * double(users);
                counts_(Eigen::Index(s), f) += double(users);
            }
            ranked += size;
        }
    }

    std::vector<std::string> features_;
    Eigen::ArrayXXd sums_;
    Eigen::ArrayXXd counts_;
    std::vector<Eigen::Index> sizes_;
    Eigen::Index universe_size_ = 0;
};

}  // namespace mece
