#pragma once
/// \file mpi/quantile.hpp
/// Exact quantiles of values spread over the ranks: equal, bit for bit, to
/// `mece::detail::bracketed_quantiles` (numpy's linear interpolation) on all the values
/// together, for any number of ranks and any split of the values among them. Never a
/// sketch: a few collective rounds of histogram selection find the order statistics.
///
/// Each round, every open interval of values is cut into `bins` bins by a monotone map,
/// so that a bin holds a contiguous run of the sorted order; the counts per bin are
/// summed over the ranks, each wanted rank located, and only the bins holding one are
/// kept. A bin's minimum and maximum (reduced) start the next round; once an interval
/// holds at most `bins` values it is gathered and the order statistic selected
/// directly. An interval's minimum and maximum always fall in different bins, so every
/// round leaves fewer values: the rounds end (two to three on real measures).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include <Eigen/Core>

#include <mece/detail/quantile.hpp>
#include <mece/mpi/communicator.hpp>

namespace mece::mpi {

namespace detail {

/// A run of the sorted order of all ranks' values: those in `[low, high]`, `before`
/// values (of all ranks) below it, `count` in it; this rank's share of them.
template <class Scalar>
struct Interval {
    double low = 0, high = 0;
    std::int64_t before = 0, count = 0;
    std::vector<Scalar> local{};
    /// The caller's values (NaN skipped), not yet copied: the first interval.
    const Scalar* whole = nullptr;
    Eigen::Index whole_size = 0;
    /// The wanted ranks (indices into the list of ranks) in this interval.
    std::vector<std::size_t> wanted{};

    template <class Visit>
    void for_each(Visit&& visit) const {
        if (whole) {
            for (Eigen::Index i = 0; i < whole_size; ++i)
                if (!std::isnan(whole[i])) visit(whole[i]);
        } else {
            for (Scalar v : local) visit(v);
        }
    }
};

/// The monotone map of `[low, high]` onto bins; `usable` is false when the range is too
/// narrow for one (differences in the subnormal numbers), and the interval is gathered.
struct BinMap {
    double low = 0, scale = 0;
    bool halved = false, usable = false;
    std::size_t bins = 0;

    BinMap(double lo, double hi, std::size_t count) : low(lo), bins(count) {
        double width = hi - lo;
        if (!std::isfinite(width)) {  // finite ends of opposite signs beyond ~9e307
            halved = true;
            width = hi * 0.5 - lo * 0.5;
        }
        scale = double(bins) / width;
        usable = std::isfinite(scale) && scale > 0;
    }
    std::size_t operator()(double v) const noexcept {
        const double offset = halved ? v * 0.5 - low * 0.5 : v - low;
        return std::min<std::size_t>(bins - 1, std::size_t(offset * scale));
    }
};

}  // namespace detail

/// Tuning of the selection; the results do not depend on it.
struct QuantileOptions {
    /// Bins per interval and round, and the size of an interval that is gathered instead.
    std::size_t bins = 16384;
};

/// For each probability (in [0,1]), the quantile of all ranks' `values[0, size)`
/// (NaN skipped) with its two order statistics, as `mece::detail::bracketed_quantiles`
/// gives it on the values of every rank together; NaN when no rank has a value.
/// Collective; `values` is read, not reordered.
template <class Scalar>
std::vector<mece::detail::Bracketed> bracketed_quantiles(const Communicator& comm, const Scalar* values, Eigen::Index size,
                                                         const std::vector<double>& probabilities, QuantileOptions options = {}) {
    using Interval = detail::Interval<Scalar>;
    const std::size_t bins = std::max<std::size_t>(options.bins, 2);
    constexpr double inf = std::numeric_limits<double>::infinity();

    Interval all{.whole = values, .whole_size = size};
    std::vector<double> range{-inf, -inf};  // -min, max
    std::int64_t local_count = 0;
    all.for_each([&](Scalar v) {
        ++local_count;
        range[0] = std::max(range[0], -double(v));
        range[1] = std::max(range[1], double(v));
    });
    comm.max(range);
    std::vector<mece::detail::Bracketed> result(probabilities.size());
    if (range[1] == -inf) return result;  // no rank has a value
    all.low = -range[0], all.high = range[1];
    // The count comes with the first histogram when there is one; otherwise on its own.
    std::int64_t count = 0;
    std::vector<std::int64_t> first_counts;
    if (const detail::BinMap map(all.low, all.high, bins); all.low < all.high && map.usable) {
        first_counts.assign(bins, 0);
        all.for_each([&](Scalar v) { ++first_counts[map(double(v))]; });
        comm.sum(first_counts);
        for (std::int64_t n : first_counts) count += n;
    } else {
        count = comm.sum(local_count);
    }
    all.count = count;

    std::vector<std::int64_t> ranks;  // [2i] below, [2i + 1] above, as the one-process selection
    for (double p : probabilities) {
        const auto below = static_cast<std::int64_t>(std::floor(double(count - 1) * p));
        ranks.push_back(below);
        ranks.push_back(std::min<std::int64_t>(below + 1, count - 1));
    }
    for (std::size_t k = 0; k < ranks.size(); ++k) all.wanted.push_back(k);
    std::vector<double> found(ranks.size(), 0);

    std::vector<Interval> open;
    open.push_back(std::move(all));
    while (!open.empty()) {
        std::vector<Interval> gathered, binned;
        for (Interval& interval : open) {
            if (interval.low == interval.high) {
                for (std::size_t k : interval.wanted) found[k] = interval.low;
            } else if (std::size_t(interval.count) <= bins || !detail::BinMap(interval.low, interval.high, bins).usable) {
                gathered.push_back(std::move(interval));
            } else {
                binned.push_back(std::move(interval));
            }
        }
        open.clear();

        // Small intervals: every rank's share of them, in one gather, then selection.
        if (!gathered.empty()) {
            std::vector<std::int64_t> shares;
            std::vector<Scalar> mine;
            for (const Interval& interval : gathered) {
                const std::size_t before = mine.size();
                interval.for_each([&](Scalar v) { mine.push_back(v); });
                shares.push_back(std::int64_t(mine.size() - before));
            }
            const std::vector<std::int64_t> all_shares = comm.all_gather_each(shares);  // [rank * intervals + interval]
            std::vector<std::int64_t> rank_sizes(std::size_t(comm.size()), 0);
            std::vector<std::size_t> rank_start(std::size_t(comm.size()) + 1, 0);
            for (int r = 0; r < comm.size(); ++r) {
                std::size_t n = 0;
                for (std::size_t g = 0; g < gathered.size(); ++g) n += std::size_t(all_shares[std::size_t(r) * gathered.size() + g]);
                rank_sizes[std::size_t(r)] = std::int64_t(n);
                rank_start[std::size_t(r) + 1] = rank_start[std::size_t(r)] + n;
            }
            const std::vector<Scalar> everyone = comm.all_gather(mine, rank_sizes);
            std::vector<std::size_t> cursor(rank_start.begin(), rank_start.end() - 1);
            for (std::size_t g = 0; g < gathered.size(); ++g) {
                std::vector<Scalar> members;
                for (int r = 0; r < comm.size(); ++r) {
                    const auto n = std::size_t(all_shares[std::size_t(r) * gathered.size() + g]);
                    members.insert(members.end(), everyone.begin() + std::ptrdiff_t(cursor[std::size_t(r)]),
                                   everyone.begin() + std::ptrdiff_t(cursor[std::size_t(r)] + n));
                    cursor[std::size_t(r)] += n;
                }
                for (std::size_t k : gathered[g].wanted) {
                    const auto nth = members.begin() + std::ptrdiff_t(ranks[k] - gathered[g].before);
                    std::nth_element(members.begin(), nth, members.end());
                    found[k] = double(*nth);
                }
            }
        }

        // Large intervals: counts per bin summed over the ranks, then the wanted bins kept.
        if (!binned.empty()) {
            std::vector<detail::BinMap> maps;
            std::vector<std::int64_t> counts(binned.size() * bins, 0);
            for (std::size_t g = 0; g < binned.size(); ++g) maps.emplace_back(binned[g].low, binned[g].high, bins);
            if (!first_counts.empty()) {  // the first round: counted with the total already
                counts = std::move(first_counts);
                first_counts.clear();
            } else {
                for (std::size_t g = 0; g < binned.size(); ++g) {
                    std::int64_t* row = counts.data() + g * bins;
                    binned[g].for_each([&](Scalar v) { ++row[maps[g](double(v))]; });
                }
                comm.sum(counts);
            }
            std::vector<double> ranges;
            for (std::size_t g = 0; g < binned.size(); ++g) {
                const std::int64_t* row = counts.data() + g * bins;
                std::map<std::size_t, Interval> kept;  // bin -> its interval
                for (std::size_t k : binned[g].wanted) {
                    std::int64_t before = binned[g].before;
                    std::size_t bin = 0;
                    while (before + row[bin] <= ranks[k]) before += row[bin++];
                    Interval& next = kept[bin];
                    next.before = before;
                    next.count = row[bin];
                    next.wanted.push_back(k);
                }
                std::vector<Interval*> slot(bins, nullptr);
                for (auto& [bin, interval] : kept) slot[bin] = &interval;
                binned[g].for_each([&](Scalar v) {
                    if (Interval* target = slot[maps[g](double(v))]) target->local.push_back(v);
                });
                for (auto& [bin, interval] : kept) {
                    double low = -inf, high = -inf;
                    for (Scalar v : interval.local) {
                        low = std::max(low, -double(v));
                        high = std::max(high, double(v));
                    }
                    ranges.push_back(low);
                    ranges.push_back(high);
                    open.push_back(std::move(interval));
                }
            }
            comm.max(ranges);
            for (std::size_t i = 0; i < open.size(); ++i) open[i].low = -ranges[2 * i], open[i].high = ranges[2 * i + 1];
        }
    }

    for (std::size_t i = 0; i < probabilities.size(); ++i) {
        const double position = double(count - 1) * probabilities[i];
        result[i] = mece::detail::bracket(position, found[2 * i], found[2 * i + 1]);
    }
    return result;
}

}  // namespace mece::mpi
