#pragma once
// A whole run held together (data, universe, solution, checks, statistics, scores), for
// the tests of what is drawn or written from it; and reading a written file back.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <mece/constraint_solver.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>
#include <mece/strategy_writer.hpp>
#include <mece/validation.hpp>

namespace mece::test {

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// `tree` resolved over `data` (as of 2026-11-15 unless the data says otherwise),
/// solved within `options` (or only checked, `constrain = false`), checked, counted and
/// scored with the default dimensions.
struct StrategyRun {
    StrategyRun(Dataset<double> d, const RuleTree& tree, ConstraintOptions options, bool constrain = true, RunInfo info = {})
        : data(std::move(d)),
          universe(data, {.as_of = 20772}),
          solution(solve(tree, data, universe, std::move(options), constrain)),
          check(check_mece(solution.rules, solution.assignment, data, universe)),
          stats(SegmentStats::compute(data, universe, solution.assignment)),
          scores(make_scorer(default_dimensions()).score(solution.rules, stats)),
          run(std::move(info)),
          overlap(overlap_of(tree, data, universe)) {}

    // The solution and scores were made from these members: never copied or moved apart.
    StrategyRun(const StrategyRun&) = delete;
    StrategyRun& operator=(const StrategyRun&) = delete;

    Strategy strategy() const { return {solution, scores, stats, check, universe, run, std::nullopt, std::nullopt, overlap}; }

    Dataset<double> data;
    Universe universe;
    Solution solution;
    MeceCheck check;
    SegmentStats stats;
    Scores scores;
    RunInfo run;
    RuleOverlap overlap;

private:
    static RuleOverlap overlap_of(const RuleTree& tree, const Dataset<double>& data, const Universe& universe) {
        const Scope<double> scope(data, universe);
        RuleOverlap out;
        (void)tree.resolve(scope).assign(scope, out);
        return out;
    }

    static Solution solve(const RuleTree& tree, const Dataset<double>& data, const Universe& universe, ConstraintOptions options,
                          bool constrain) {
        const auto rules = tree.resolve(data, universe);
        const ConstraintSolver solver{std::move(options)};
        return constrain ? solver.solve(rules, rules.assign(data, universe), data, universe)
                         : solver.check(rules, rules.assign(data, universe));
    }
};

}  // namespace mece::test
