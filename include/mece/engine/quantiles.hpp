#pragma once
/// \file engine/quantiles.hpp
/// Exact quantiles of several features in one block pass, with no copy of a feature: a
/// sample of the users places a narrow window of values around each wanted order
/// statistic; the pass counts the values below each window and keeps those inside it,
/// where the order statistics are then selected. When a window misses (a sample far from
/// the data, which five standard deviations of margin make rare) or would keep too many
/// values, that feature is gathered and selected in full (`detail::bracketed_quantiles`):
/// the same order statistics either way.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <mece/detail/quantile.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/workspace.hpp>
#include <mece/error.hpp>

namespace mece::engine {

namespace detail_quantiles {

/// Users sampled to place the windows, and the margin around each, in standard
/// deviations of the sample's rank.
inline constexpr Eigen::Index sample_size = 16384;
inline constexpr double margin_deviations = 5.0;

/// The values `[low, high]` that hold a wanted pair of order statistics: everything
/// below `high` when `low` is open (-inf), above `low` when `high` is.
template <class Scalar>
struct Window {
    std::size_t feature = 0;
    Scalar low{}, high{};
    /// Over the pass: the values below `low` and in the window, and those kept (while
    /// there is room: the first `inside` of them, each block's where `next` gave it room).
    Eigen::Index below = 0, inside = 0;
    Workspace::Lease<Scalar> kept{};
};

/// The window around probability `p` from the sorted sample (no NaN).
template <class Scalar>
Window<Scalar> window_of(const std::vector<Scalar>& sample, double p, std::size_t feature) {
    constexpr Scalar infinity = std::numeric_limits<Scalar>::infinity();
    const auto m = double(sample.size());
    const double at = p * (m - 1), margin = margin_deviations * std::sqrt(m * p * (1 - p)) + 16;
    const double from = std::floor(at - margin), to = std::ceil(at + 1 + margin);
    Window<Scalar> w;
    w.feature = feature;
    w.low = from <= 0 ? -infinity : sample[std::size_t(from)];
    w.high = to >= m - 1 ? infinity : sample[std::size_t(to)];
    return w;
}

/// One block's values `x[0, size)` against `W` windows (1 or 2): for each, the values
/// below it and those in it, written one after another into `kept + j * block_rows`; and
/// the values that are not NaN added to `*present` unless it is null. No branch: which side
/// of a window a value falls is not predictable.
template <int W, class Scalar>
void scan(const Scalar* x, Eigen::Index size, const Window<Scalar>* windows, Eigen::Index* below, Eigen::Index* inside, Scalar* kept,
          Eigen::Index* present) {
    std::array<Scalar, 2> low{}, high{};
    std::array<Eigen::Index, 2> under{}, in{};
    for (int j = 0; j < W; ++j) {
        low[std::size_t(j)] = windows[j].low;
        high[std::size_t(j)] = windows[j].high;
    }
    Eigen::Index users = 0;
    for (Eigen::Index i = 0; i < size; ++i) {
        const Scalar v = x[i];
        users += std::isnan(v) ? 0 : 1;
        for (int j = 0; j < W; ++j) {
            const auto w = std::size_t(j);
            under[w] += v < low[w] ? 1 : 0;
            kept[w * std::size_t(block_rows) + std::size_t(in[w])] = v;
            in[w] += Eigen::Index(v >= low[w]) & Eigen::Index(v <= high[w]);  // NaN in neither
        }
    }
    for (int j = 0; j < W; ++j) {
        below[j] = under[std::size_t(j)];
        inside[j] = in[std::size_t(j)];
    }
    if (present) *present += users;
}

}  // namespace detail_quantiles

/// For each of `features` (names in the scope's dataset), the quantiles at its
/// `probabilities` over the users in scope, NaN skipped, each with its two order
/// statistics: what `detail::bracketed_quantiles` gives on the gathered values. On one
/// scope without shards; the pass runs on the scope's threads. `windowed`, if given, is
/// set to whether each feature's windows held its order statistics (else it was gathered).
template <class Scalar>
std::vector<std::vector<mece::detail::Bracketed>> quantiles(const Scope<Scalar>& scope, const std::vector<std::string>& features,
                                                            const std::vector<std::vector<double>>& probabilities,
                                                            std::vector<bool>* windowed = nullptr) {
    if (probabilities.size() != features.size()) mece::detail::raise<Error>("quantiles: one list of probabilities per feature");
    using detail_quantiles::Window;
    const Eigen::Index n = scope.size();
    const Features<Scalar> readers(scope, features);
    std::vector<std::vector<mece::detail::Bracketed>> out(features.size());
    std::vector<char> settled(features.size(), 0);  // written by tasks side by side: no vector<bool>

    // The sample: users evenly spaced in the universe (the same on any thread count), each
    // feature's sorted on its own task; windows in feature order.
    std::vector<std::vector<Window<Scalar>>> sampled(features.size());
    if (n >= mece::detail::histogram_select_from) {
        std::vector<RowIndex> rows(static_cast<std::size_t>(detail_quantiles::sample_size));
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = scope.universe().rows()[Eigen::Index(i * std::size_t(n) / rows.size())];
        mece::detail::for_each_task(Eigen::Index(features.size()), scope.threads(), [&](Eigen::Index f) {
            std::vector<Scalar> sample(rows.size());
            readers[f].gather(rows.data(), Eigen::Index(rows.size()), sample.data());
            sample.erase(std::remove_if(sample.begin(), sample.end(), [](Scalar v) { return std::isnan(v); }), sample.end());
            if (sample.size() < rows.size() / 2) return;  // mostly missing: gathered in full
            std::sort(sample.begin(), sample.end());
            for (double p : probabilities[std::size_t(f)]) sampled[std::size_t(f)].push_back(detail_quantiles::window_of(sample, p, std::size_t(f)));
        });
    }
    std::vector<Window<Scalar>> windows;
    std::vector<std::size_t> first_window{0};  // feature f's windows are [first_window[f], first_window[f + 1])
    for (auto& mine : sampled) {
        for (auto& w : mine) windows.push_back(std::move(w));
        first_window.push_back(windows.size());
    }

    // The pass: per chunk, each window's counts and each feature's users with a value; the
    // values in a window are kept in its own array, each block's at the place it takes
    // (their order does not change an order statistic). Only what is written is touched.
    struct Partial {
        std::vector<Eigen::Index> below, inside, present;
    };
    const Eigen::Index budget = std::max<Eigen::Index>(65536, n / 16);  // values a window may keep
    for (Window<Scalar>& w : windows)
        if (w.low < w.high) w.kept = Workspace::borrow<Scalar>(scope.workspace(), std::size_t(budget));
    std::vector<std::atomic<Eigen::Index>> next(windows.size());
    std::vector<Partial> partials;
    if (!windows.empty())
        partials = for_each_block(
            scope, all_rows(scope), readers,
            [&] {
                return Partial{std::vector<Eigen::Index>(windows.size(), 0), std::vector<Eigen::Index>(windows.size(), 0),
                               std::vector<Eigen::Index>(features.size(), 0)};
            },
            [&] {
                return [&, in_block = std::vector<Scalar>(2 * std::size_t(block_rows))](const Block<Scalar>& block, Partial& part) mutable {
                    const Eigen::Index size = block.size();
                    // Each feature's values read once for its users with a value and for up
                    // to two of its windows at a time (a feature without windows is gathered
                    // in full later, which counts its own).
                    for (std::size_t f = 0; f < features.size(); ++f) {
                        const Scalar* x = block.feature(Eigen::Index(f));
                        Eigen::Index present = 0;
                        std::size_t k = first_window[f];
                        for (bool counted = false; k < first_window[f + 1]; counted = true) {
                            const std::size_t pair = std::min<std::size_t>(2, first_window[f + 1] - k);
                            std::array<Eigen::Index, 2> below{}, inside{};
                            Eigen::Index* const users = counted ? nullptr : &present;
                            if (pair == 2)
                                detail_quantiles::scan<2>(x, size, windows.data() + k, below.data(), inside.data(), in_block.data(), users);
                            else
                                detail_quantiles::scan<1>(x, size, windows.data() + k, below.data(), inside.data(), in_block.data(), users);
                            for (std::size_t j = 0; j < pair; ++j, ++k) {
                                part.below[k] += below[j];
                                part.inside[k] += inside[j];
                                // Kept while the window has room, and only if its ends differ
                                // (else every value in it is `low`).
                                const Window<Scalar>& w = windows[k];
                                if (inside[j] == 0 || !(w.low < w.high)) continue;
                                const Eigen::Index at = next[k].fetch_add(inside[j]);
                                if (at + inside[j] > budget) continue;
                                const Scalar* const from = in_block.data() + j * std::size_t(block_rows);
                                std::copy(from, from + inside[j], w.kept.data() + at);
                            }
                        }
                        part.present[f] += present;
                    }
                };
            });

    // Each feature's order statistics from its windows, where all of them hold theirs.
    std::vector<Eigen::Index> present(features.size(), 0);
    for (const Partial& part : partials)
        for (std::size_t f = 0; f < features.size(); ++f) present[f] += part.present[f];
    for (std::size_t k = 0; k < windows.size(); ++k) {
        Window<Scalar>& w = windows[k];
        for (const Partial& part : partials) {
            w.below += part.below[k];
            w.inside += part.inside[k];
        }
    }
    mece::detail::for_each_task(Eigen::Index(features.size()), scope.threads(), [&](Eigen::Index task) {
        const auto f = std::size_t(task);
        if (first_window[f] == first_window[f + 1]) return;
        const Eigen::Index users = present[f];
        std::vector<mece::detail::Bracketed> result;
        for (std::size_t k = first_window[f]; k < first_window[f + 1]; ++k) {
            Window<Scalar>& w = windows[k];
            if (users == 0) {
                result.push_back({});
                continue;
            }
            const double position = double(users - 1) * probabilities[f][k - first_window[f]];
            const auto below_rank = Eigen::Index(std::floor(position));
            const Eigen::Index above_rank = std::min(below_rank + 1, users - 1);
            if (!(w.below <= below_rank && above_rank < w.below + w.inside)) return;  // the window missed
            double below = double(w.low), above = double(w.low);
            if (w.low < w.high) {
                if (w.inside > budget) return;  // not every value in it was kept
                Scalar* const kept = w.kept.data();
                Scalar* const end = kept + w.inside;
                Scalar* const at = kept + (below_rank - w.below);
                std::nth_element(kept, at, end);
                below = double(*at);
                above = above_rank == below_rank ? below : double(*std::min_element(at + 1, end));
            }
            result.push_back(mece::detail::bracket(position, below, above));
        }
        out[f] = std::move(result);
        settled[f] = true;
    });

    if (windowed) windowed->assign(settled.begin(), settled.end());
    // The rest gathered and selected in full, one feature at a time on every thread.
    for (std::size_t f = 0; f < features.size(); ++f) {
        if (settled[f]) continue;
        const auto values = Workspace::borrow<Scalar>(scope.workspace(), std::size_t(n));
        gather(scope, all_rows(scope), features[f], values.data());
        out[f] = mece::detail::bracketed_quantiles(values.data(), n, probabilities[f]);
    }
    return out;
}

}  // namespace mece::engine
