#pragma once
/// \file segmentation.hpp
/// `segment`: the in-memory pipeline in as few passes over the users as it allows. The
/// components stay usable one by one; this composes them so that the assignment, the
/// MECE check and the statistics share each block the engine gathers.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/constraint_solver.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/masks.hpp>
#include <mece/rule_tree.hpp>
#include <mece/segment_stats.hpp>
#include <mece/strategy.hpp>
#include <mece/universe.hpp>
#include <mece/validation.hpp>

namespace mece {

/// What `segment` computes: the rules as the solver left them with their assignment,
/// validity and log, the independent MECE check, and the statistics the scores read.
struct Segmentation {
    Solution solution;
    MeceCheck check{};
    SegmentStats stats{};
    /// The overlap of the top-level rules as written, counted in the assignment's pass.
    RuleOverlap overlap{};
};

/// Warnings about a run whose result is computed as asked but may not be what was
/// meant, one sentence each (`RunInfo::warnings` carries them to the outputs):
/// - the universe is empty, or (with the constraints applied) smaller than `min_size`,
///   so no segment can be valid;
/// - `as_of` defaulted to the latest abandonment date and its window holds under 0.1% of
///   the users: one cart dated far ahead (a typo, `2099`) moves the whole window;
/// - carts dated after a given `as_of` (outside the window, as the SPEC defines it);
/// - users whose last order is dated after `as_of`: their `days_since_last_order` is
///   negative, so a rule `days_since_last_order < N` counts them as recent buyers (they
///   ordered after the snapshot date), which is what the data says, but worth a look.
inline std::vector<std::string> run_warnings(const UniverseSummary& universe, const Solution& solution, const SegmentStats& stats,
                                             bool constraints_applied) {
    std::vector<std::string> out;
    const auto count = [](Eigen::Index n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    const std::string window = format_date(universe.first_day()) + " to " + format_date(universe.as_of());
    if (universe.size() == 0)
        out.push_back("the universe is empty: no cart was abandoned from " + window + "; every output is empty");
    else if (constraints_applied && universe.size() < solution.options.min_size)
        out.push_back("the universe holds " + count(universe.size(), "user", "users") + ", fewer than min_size " +
                      std::to_string(solution.options.min_size) + ": no segment can be valid");
    if (!universe.as_of_given() && universe.size() * 1000 < universe.dataset_rows())
        out.push_back("as_of is the latest abandonment date, " + format_date(universe.as_of()) + ", and its window holds " +
                      count(universe.size(), "user", "users") + " of " + std::to_string(universe.dataset_rows()) +
                      " (under 0.1%): if that date is an error in the data, give as_of (--as-of)");
    if (universe.after_as_of() > 0)
        out.push_back(count(universe.after_as_of(), "cart is", "carts are") + " dated after as_of " +
                      format_date(universe.as_of()) + ", outside the window");
    if (stats.ordered_after_as_of() > 0)
        out.push_back(count(stats.ordered_after_as_of(), "user has", "users have") + " a last order dated after as_of " +
                      format_date(universe.as_of()) +
                      ": their days_since_last_order is below 0, so a rule 'days_since_last_order < N' counts them as recent");
    return out;
}

namespace detail {

/// The features of a fused pass: the rules' own first (so the evaluator finds them where
/// it expects), then the statistics' that the rules do not read; and where each statistic is.
struct FusedFeatures {
    std::vector<std::string> names{};
    std::vector<Eigen::Index> statistics{};

    FusedFeatures(const engine::CompiledRules& rules, const std::vector<std::string>& statistics_names)
        : names(rules.features()) {
        for (const auto& name : statistics_names) {
            auto found = std::find(names.begin(), names.end(), name);
            if (found == names.end()) found = names.insert(names.end(), name);
            statistics.push_back(Eigen::Index(found - names.begin()));
        }
    }
};

/// One pass over the scope: the check and the statistics of an assignment, and the
/// assignment itself first when `assign` is set (it is then written to `assignment`).
template <class Scalar>
std::pair<MeceCheck, SegmentStats> fused_pass(const Scope<Scalar>& scope, const ResolvedRules& rules, Assignment& assignment,
                                              bool assign, RuleOverlap* overlap = nullptr) {
    const std::size_t segments = rules.segments().size();
    if (assign) {
        assignment.segment_ids.resize(scope.size());
        assignment.sizes.assign(segments, 0);
    }
    if (assignment.segment_ids.size() != scope.size() || assignment.sizes.size() != segments)
        raise<Error>("segmentation: the assignment does not belong to these rules and universe");
    std::vector<int> ids;
    for (const auto& segment : rules.segments()) ids.push_back(segment.id);
    typename SegmentStats::Accumulator<Scalar> accumulator(scope, segments);
    const FusedFeatures fused(rules.compiled(), accumulator.features());
    const engine::Features<Scalar> features(scope, fused.names);

    struct Partial {
        std::vector<Eigen::Index> sizes{};
        MeceCounts check{};
        typename SegmentStats::Accumulator<Scalar>::Partial stats;
        std::vector<Eigen::Index> overlap{};
    };
    const std::size_t rules_overlapping = overlap ? rules.top_level().size() : 0;
    const auto partials = engine::for_each_block(
        scope, engine::all_rows(scope), features,
        [&] {
            return Partial{std::vector<Eigen::Index>(segments, 0), {}, accumulator.partial(),
                           std::vector<Eigen::Index>(rules_overlapping * rules_overlapping, 0)};
        },
        [&] {
            return [&, evaluator = engine::BlockEvaluator<Scalar>(rules.compiled()),
                    check = MeceStep<Scalar>(rules.definitions(), ids),
                    statistics = typename SegmentStats::Accumulator<Scalar>::Step(accumulator, fused.statistics)](
                       const engine::Block<Scalar>& block, Partial& out) mutable {
                evaluator.start(block);
                std::int32_t* block_ids = assignment.segment_ids.data() + block.start();
                if (assign) {
                    std::fill(block_ids, block_ids + block.size(), 0);
                    evaluator.first_match(rules.conjunctions(), evaluator.all(), block_ids, out.sizes.data(), 1, rules.labels().data());
                    ResolvedRules::check_assigned(block_ids, block.size());
                    if (overlap) evaluator.count_overlap(rules.top_level(), out.overlap.data());
                }
                check(evaluator, block, block_ids, out.check);
                statistics(block, block_ids, out.stats);
            };
        });
    MeceCounts counts;
    std::vector<typename SegmentStats::Accumulator<Scalar>::Partial> statistics;
    std::vector<Eigen::Index> upper(rules_overlapping * rules_overlapping, 0);
    for (const Partial& p : partials) {
        if (assign)
            for (std::size_t s = 0; s < segments; ++s) assignment.sizes[s] += p.sizes[s];
        counts.add(p.check);
        statistics.push_back(p.stats);
        for (std::size_t k = 0; k < upper.size(); ++k) upper[k] += p.overlap[k];
    }
    if (assign) add_up(scope.shards(), assignment.sizes);
    add_up(scope.shards(), upper);
    if (overlap) *overlap = rules.overlap_of(upper);
    MeceCheck check = finish_check(scope, assignment, counts);
    return {check, accumulator.finish(statistics, assignment.segment_ids)};
}

}  // namespace detail

/// The in-memory pipeline over the users in scope: the thresholds, the assignment, the
/// size constraints (unless `apply_constraints` is false: then only validity is
/// reported), the MECE check and the statistics, exactly as the components give them one
/// by one, in fewer passes: a pass for the quantile thresholds, then, without constraints,
/// one pass that assigns, checks and sums each block while it is in cache; with them, an
/// assignment pass, the solver, and one pass that checks and sums.
///
/// \code
/// const mece::Universe universe{data};
/// const mece::Scope scope{data, universe};
/// const mece::Segmentation result = mece::segment(scope, mece::presets::seed004(), mece::ConstraintSolver{});
/// const auto scores = mece::make_scorer(mece::default_dimensions()).score(result.solution.rules, result.stats);
/// \endcode
template <class Scalar>
Segmentation segment(const Scope<Scalar>& scope, const RuleTree& tree, const ConstraintSolver& solver,
                     bool apply_constraints = true) {
    ResolvedRules rules = tree.resolve(scope);
    RuleOverlap overlap;
    if (!apply_constraints) {
        Assignment assignment;
        auto [check, stats] = detail::fused_pass(scope, rules, assignment, true, &overlap);
        return {solver.check(std::move(rules), std::move(assignment)), check, std::move(stats), std::move(overlap)};
    }
    Assignment assignment = rules.assign(scope, overlap);
    Solution solution = solver.solve(rules, std::move(assignment), scope);
    auto [check, stats] = detail::fused_pass(scope, solution.rules, solution.assignment, false);
    return {std::move(solution), check, std::move(stats), std::move(overlap)};
}

}  // namespace mece

/// The instantiations `<mece/precompiled.hpp>` compiles, declared `extern` elsewhere
/// under `MECE_PRECOMPILED` (see `mece/detail/compiled.hpp`).
#define MECE_SEGMENTATION_INSTANCES(KIND, Scalar) \
    KIND template Segmentation segment<Scalar>(const Scope<Scalar>&, const RuleTree&, const ConstraintSolver&, bool);
#if defined(MECE_PRECOMPILED)
namespace mece {
MECE_SEGMENTATION_INSTANCES(extern, float)
MECE_SEGMENTATION_INSTANCES(extern, double)
}  // namespace mece
#endif
