#pragma once
/// \file run.hpp
/// `mece::run`: the whole pipeline in one call for the common case (universe, rules,
/// constraints, MECE check, statistics, scores), returning a result that owns all of it.
/// The steps it composes stay public for those who compose their own.

#include <cstddef>
#include <functional>
#include <optional>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include <mece/constraint_solver.hpp>
#include <mece/dataset.hpp>
#include <mece/holdout.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/rule_tree.hpp>
#include <mece/scorer.hpp>
#include <mece/segmentation.hpp>
#include <mece/strategy.hpp>
#include <mece/universe.hpp>

namespace mece {

/// Everything a run is configured with besides its rules (what the JSON config sets).
struct RunOptions {
    /// The window: `as_of` and `window_days` (its `threads` is this struct's `threads`).
    UniverseOptions universe{};
    /// The size bounds and what may be split.
    ConstraintOptions constraints{};
    /// False: keep the rules' segments as they are; validity is still reported.
    bool apply_constraints = true;
    /// Weights, tiers and actions.
    ScoringOptions scoring{};
    /// Segment (or parent rule) name -> business priority in [0,1], the strategic fit.
    std::map<std::string, double, std::less<>> priorities{};
    /// Who is held out of the campaigns; none by default.
    HoldoutOptions holdout{};
    /// Measured lift to rank with, and how it is blended with the estimate; by default
    /// none, and `lift_vs_control` is the estimate alone.
    LiftOptions lift{};
    /// Where `lift.measured` came from, for the outputs.
    std::string lift_source{};
    /// The size that scores 1 on `size_score`.
    double size_target = dimensions::SizeScore{}.target;
    /// Threads for every pass; 0 means every core. The results are the same, to the bit,
    /// for any number.
    unsigned threads = 0;
    /// The scratch arrays the passes borrow (see `engine::Workspace`): one kept by a caller
    /// that runs again and again (a service, a benchmark) is reused from run to run instead
    /// of being new memory each time; none: each run makes its own. Must outlive the call.
    engine::Workspace* workspace = nullptr;
    /// Where the data came from and the rows set aside while loading, for the outputs.
    std::string input{};
    std::size_t rejected_rows = 0;
};

/// What `run` gives: the data and universe it ran on, and the strategy.
///
/// It owns every part: `data` is a copy of the caller's dataset, which shares its columns
/// (or, for a view, its buffers: those must outlive the result unless the view's `owner`
/// keeps them alive). A result may be returned, moved and read from several threads.
template <class Scalar>
struct RunResult {
    Dataset<Scalar> data;
    Universe universe;
    /// The rules as the solver left them, their assignment, validity and log, the MECE
    /// check, the statistics, the scores, and the run's facts and warnings.
    Strategy strategy;
    /// Threads the passes used.
    unsigned threads = 1;

    /// The data and universe as a scope, for `StrategyWriter::write_assignments` and the
    /// components. It refers into this result, so it must not outlive it (nor be taken
    /// from a temporary result: that is refused at compile time).
    Scope<Scalar> scope() const& { return Scope<Scalar>(data, universe, {.threads = threads}); }
    Scope<Scalar> scope() const&& = delete;

    /// The MECE checks passed: every user of the universe is in exactly one segment.
    bool ok() const noexcept { return strategy.check.ok(); }
};

namespace detail {

/// Each segment's blend of estimated and measured lift, as `lift_vs_control` scores it;
/// a segment whose lift_used is below zero is recommended no campaign, and says why.
inline LiftRanking rank_by_lift(Scores& scores, const std::vector<SegmentDefinition>& segments, const SegmentStats& stats,
                                const RunOptions& options) {
    const dimensions::LiftVsControl dimension{options.lift};
    LiftRanking out{options.lift, options.lift_source, {}};
    for (const SegmentDefinition& segment : segments) {
        LiftBlend blend = dimension.blend({stats, segment, stats.window_days()});
        if (blend.lift_used < 0) {
            char lift[32];
            std::snprintf(lift, sizeof lift, "%+.2f", blend.lift_used * 100);
            scores.segments.at(std::size_t(segment.id - 1)).action =
                std::string("No campaign: its lift is below zero (") + lift + " pp, " + std::string(to_string(blend.source)) +
                " from the outcomes of " + blend.measured_as + "); a campaign would cost conversions";
        }
        out.segments.push_back(std::move(blend));
    }
    return out;
}

}  // namespace detail

/// The pipeline over `data` with `rules`: the universe, the thresholds and the
/// assignment, the size constraints, the MECE check, the statistics and the scores with
/// `scorer`, in as few passes as `segment` needs. The options are checked before any
/// pass: bounds, weights, tiers, the holdout, and the names that actions and priorities
/// refer to. With a holdout, each segment's group sizes are counted too.
///
/// \code
/// const auto result = mece::run(data, mece::presets::seed004(), {.constraints = {.min_size = 500, .max_size = 20'000}});
/// for (int id : result.strategy.scores.ranking) ...
/// \endcode
template <class Scalar, class... Dimensions>
RunResult<Scalar> run(const Dataset<Scalar>& data, const RuleTree& rules, const RunOptions& options,
                      const Scorer<Dimensions...>& scorer) {
    check_scoring_names(rules, options.scoring, options.priorities);
    options.lift.validate();
    const ConstraintSolver solver{options.constraints};
    const Holdout holdout{options.holdout};
    UniverseOptions window = options.universe;
    window.threads = options.threads;
    const unsigned threads = detail::thread_count(options.threads);
    Universe universe{data, window};
    const Scope<Scalar> scope(data, universe, {.threads = threads, .workspace = options.workspace});
    Segmentation result = segment(scope, rules, solver, options.apply_constraints);
    std::optional<HoldoutCounts> groups;
    if (holdout.options().enabled()) groups = count_groups(scope, result.solution.assignment, holdout);
    Scores scores = scorer.score(result.solution.rules, result.stats);
    std::optional<LiftRanking> lift;
    if (!options.lift.measured.empty()) lift = detail::rank_by_lift(scores, result.solution.rules.segments(), result.stats, options);
    RunInfo info{options.input, options.rejected_rows, options.apply_constraints,
                 run_warnings(universe, result.solution, result.stats, options.apply_constraints)};
    Strategy strategy{std::move(result.solution), std::move(scores), std::move(result.stats), result.check, universe,
                      std::move(info), std::move(groups), std::move(lift), std::move(result.overlap)};
    return RunResult<Scalar>{data, std::move(universe), std::move(strategy), threads};
}

/// As above, scored on the five default dimensions with the options' weights, tiers,
/// actions, priorities and size target.
template <class Scalar>
RunResult<Scalar> run(const Dataset<Scalar>& data, const RuleTree& rules, const RunOptions& options = {}) {
    const auto scorer = make_scorer(default_dimensions(options.priorities, options.size_target, options.lift), options.scoring);
    return run(data, rules, options, scorer);
}

}  // namespace mece

/// The instantiations `<mece/precompiled.hpp>` compiles, declared `extern` elsewhere
/// under `MECE_PRECOMPILED` (see `mece/detail/compiled.hpp`).
#define MECE_RUN_INSTANCES(KIND, Scalar) \
    KIND template RunResult<Scalar> run<Scalar>(const Dataset<Scalar>&, const RuleTree&, const RunOptions&);
#if defined(MECE_PRECOMPILED)
namespace mece {
MECE_RUN_INSTANCES(extern, float)
MECE_RUN_INSTANCES(extern, double)
}  // namespace mece
#endif
