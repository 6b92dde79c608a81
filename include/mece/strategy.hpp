#pragma once
/// \file strategy.hpp
/// `Strategy`: a run's results as the outputs present them, owning every part, so it can
/// be returned from a function, stored and handed to another thread; `RunInfo`: the
/// facts of a run the components do not hold.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <mece/constraint_solver.hpp>
#include <mece/fwd.hpp>
#include <mece/holdout.hpp>
#include <mece/lift_blend.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>
#include <mece/universe.hpp>
#include <mece/validation.hpp>

namespace mece {

/// Facts about a run that the components do not hold.
struct RunInfo {
    /// Where the data came from: a file name, or `synthetic:N:seed`.
    std::string input{};
    /// Rows set aside while loading.
    std::size_t rejected_rows = 0;
    /// False when the size constraints were switched off (validity is still reported).
    bool constraints_applied = true;
    /// What the reader should know before acting on the result (`run_warnings`).
    std::vector<std::string> warnings{};
};

/// What the outputs print of a universe: its window and its size, not its rows (so a
/// strategy of ten million users does not hold ten million row numbers).
class UniverseSummary {
public:
    UniverseSummary(const Universe& universe) noexcept  // NOLINT: implicit, a universe is summarised where one is given
        : as_of_(universe.as_of()),
          first_day_(universe.first_day()),
          window_days_(universe.window_days()),
          size_(universe.size()),
          dataset_rows_(universe.dataset_rows()),
          as_of_given_(universe.as_of_given()),
          after_as_of_(universe.after_as_of()) {}
    /// The universe of a sharded run, from the facts of every shard together.
    UniverseSummary(Days as_of, Days first_day, int window_days, Eigen::Index size, Eigen::Index dataset_rows, bool as_of_given,
                    Eigen::Index after_as_of) noexcept
        : as_of_(as_of),
          first_day_(first_day),
          window_days_(window_days),
          size_(size),
          dataset_rows_(dataset_rows),
          as_of_given_(as_of_given),
          after_as_of_(after_as_of) {}

    Days as_of() const noexcept { return as_of_; }
    Days first_day() const noexcept { return first_day_; }
    int window_days() const noexcept { return window_days_; }
    /// Users in scope.
    Eigen::Index size() const noexcept { return size_; }
    /// Rows of the dataset they were chosen from.
    Eigen::Index dataset_rows() const noexcept { return dataset_rows_; }
    /// Whether `as_of` was given, and the rows dated after it (see `Universe`).
    bool as_of_given() const noexcept { return as_of_given_; }
    Eigen::Index after_as_of() const noexcept { return after_as_of_; }

private:
    Days as_of_;
    Days first_day_;
    int window_days_;
    Eigen::Index size_;
    Eigen::Index dataset_rows_;
    bool as_of_given_;
    Eigen::Index after_as_of_;
};

/// How a run ranked with measured lift (SPEC section 8.3).
struct LiftRanking {
    /// The scale, the prior and the measurements.
    LiftOptions options{};
    /// Where the measurements came from (a `lift.json`), for the outputs.
    std::string source{};
    /// By segment id: each segment's blend.
    std::vector<LiftBlend> segments{};
};

/// A run's results as `StrategyWriter`, `ReportWriter` and the charts present them.
///
/// It owns copies of what it is made from, so it stays valid after the components'
/// results are gone. Move them in where they are not needed again, which copies nothing
/// (the assignment holds one id per user); `mece::run` builds one that way.
///
/// \code
/// mece::Strategy strategy{std::move(solution), std::move(scores), std::move(stats), check, universe,
///                         {.input = "carts.csv"}};
/// \endcode
struct Strategy {
    Solution solution;
    Scores scores;
    SegmentStats stats;
    MeceCheck check;
    UniverseSummary universe;
    RunInfo run{};
    /// With holdouts (SPEC section 8.1): the options and each segment's group sizes; the
    /// outputs then show `n_treatment`, `n_control` and `mde_abs` per segment, and
    /// `assignments.csv` each user's group.
    std::optional<HoldoutCounts> holdout{};
    /// With measured lift: how it entered each segment's `lift_vs_control` score.
    std::optional<LiftRanking> lift{};
    /// How far the top-level rules overlap as written (SPEC section 8.6); empty when the
    /// strategy was put together without it.
    RuleOverlap overlap{};
};

}  // namespace mece
