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
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/detail/ranks.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/workspace.hpp>
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
    /// from the universe's AOV keys (`sortable_bits`, in `range`) and each segment's number
    /// of users with one (`present`). Users without a value (NaN, only in a caller's
    /// buffers) have no rank and do not count. The keys are consumed.
    template <class Key>
    void add_aov_ranks(Key* universe_keys, Eigen::Index universe_users, const Column<std::int32_t>& ids, detail::KeyRange<Key> range,
                       const std::vector<std::size_t>& present, unsigned threads, engine::Workspace* workspace) {
        const Eigen::Index f = column("aov_percentile_rank");
        const std::size_t segments = sizes_.size();
        if (ids.size() != universe_users || present.size() != segments)
            detail::raise<Error>("segment statistics: the rank keys are not the assignment's");
        const std::vector<std::uint64_t> twice =
            detail::twice_rank_sums(universe_keys, ids.data(), std::size_t(universe_users), segments, range, threads, workspace);
        std::size_t n = 0;
        for (std::size_t users : present) n += users;
        for (std::size_t s = 0; s < segments; ++s) {
            sums_(Eigen::Index(s), f) = double(twice[s]) / (2.0 * double(n));
            scaled_sums_(Eigen::Index(s), f) = sums_(Eigen::Index(s), f) * 0x1p-64;
            counts_(Eigen::Index(s), f) = double(present[s]);
        }
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
        detail::credit_groups(held.size(), ranked, [&](std::size_t k) { return held[k].first; },
                              [&](std::size_t k, std::uint64_t twice_rank) {
                                  if (held[k].second >= segments) detail::raise<Error>("segment statistics: a rank key of no segment");
                                  twice[held[k].second] += twice_rank;
                              });
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
        detail::KeyRange<Key> keys{};  // of the AOVs, for the ranks
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
            detail::KeyRange<Key> range = out.keys;
            for (Eigen::Index i = 0; i < n; ++i) {
                keys[i] = std::isnan(aov[i]) ? detail::missing_key<Key> : detail::sortable_bits(aov[i]);
                range.add(keys[i]);
            }
            out.keys = range;
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
            std::vector<std::size_t> present(segments_, 0);  // users with an AOV, per segment
            detail::KeyRange<Key> range;
            for (const Partial& p : partials) {
                for (std::size_t s = 0; s < segments_; ++s) present[s] += std::size_t(p.counts(Eigen::Index(s), 0));
                range.merge(p.keys);
            }
            stats.add_aov_ranks(keys_.data(), Eigen::Index(keys_.size()), ids, range, present, threads_, workspace_);
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
