#include <filesystem>

#include <mece/strategy_writer.hpp>

#include "support.hpp"

// strategy.csv/json/md and assignments.csv, to a temporary directory.
template <class Scalar>
static void write(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto solution = mece::ConstraintSolver{}.solve(rules, rules.assign(data, universe), data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    const mece::StrategyWriter writer{std::filesystem::temp_directory_path() / "mece-bench-write"};
    for (auto _ : state) {
        writer.write({solution, scores, stats, check, universe, {}});
        writer.write_assignments(data, universe, solution.rules, solution.assignment);
    }
    state.SetItemsProcessed(state.iterations() * universe.size());
    std::filesystem::remove_all(writer.directory());
}
MECE_BENCHMARK(write);
