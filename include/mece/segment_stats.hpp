#pragma once
/// \file segment_stats.hpp
/// `SegmentStats`: per-segment sums and counts of every feature, the one pass over the
/// universe that scores are computed from. Sums and counts (not means) so statistics of
/// shards merge exactly.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece {

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

        constexpr Eigen::Index block = 4096;
        Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic> values(block, Eigen::Index(readers.size()));
        Column<Scalar> scratch(block);
        for (Eigen::Index start = 0; start < universe.size(); start += block) {
            const Eigen::Index count = std::min(block, universe.size() - start);
            for (std::size_t f = 0; f < readers.size(); ++f) {
                readers[f].gather(universe.rows().data() + start, count, scratch.data());
                values.col(Eigen::Index(f)).head(count) = scratch.head(count).template cast<double>();
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
        stats.add_aov_ranks(data, universe, ids);
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

    /// Average ranks of AOV over the universe (ties share theirs), summed per segment.
    template <class Scalar>
    void add_aov_ranks(const Dataset<Scalar>& data, const Universe& universe, const Column<std::int32_t>& ids) {
        const Eigen::Index n = universe.size();
        const Eigen::Index f = column("aov_percentile_rank");
        if (n == 0) return;
        const Column<Scalar> aov = FeatureReader<Scalar>(data, universe.as_of(), "avg_order_value").gather(universe.rows());
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), std::int64_t{0});
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return aov[a] < aov[b]; });
        for (std::size_t first = 0; first < order.size();) {
            std::size_t last = first + 1;
            while (last < order.size() && aov[order[last]] == aov[order[first]]) ++last;
            // Ranks first+1 .. last share their mean.
            const double rank = (double(first + 1) + double(last)) / 2.0 / double(n);
            for (std::size_t k = first; k < last; ++k) {
                const Eigen::Index s = ids[order[k]] - 1;
                sums_(s, f) += rank;
                counts_(s, f) += 1;
            }
            first = last;
        }
    }

    std::vector<std::string> features_;
    Eigen::ArrayXXd sums_;
    Eigen::ArrayXXd counts_;
    std::vector<Eigen::Index> sizes_;
    Eigen::Index universe_size_ = 0;
};

}  // namespace mece
