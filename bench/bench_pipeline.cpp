#include "support.hpp"

// Everything in memory from the universe to the scores, as `mece-segment` runs it:
// without size bounds (the peers' workload) and with them.
template <class Scalar>
static void pipeline(benchmark::State& state, bool constraints) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const auto tree = mece::presets::seed004();
    const mece::ConstraintSolver solver;
    const auto scorer = mece::make_scorer(mece::default_dimensions());
    for (auto _ : state) {
        const mece::Universe universe{data};
        const auto rules = tree.resolve(data, universe);
        auto assignment = rules.assign(data, universe);
        const auto solution = constraints ? solver.solve(rules, assignment, data, universe)
                                          : solver.check(rules, std::move(assignment));
        const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
        const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
        benchmark::DoNotOptimize(scorer.score(solution.rules, stats).ranking.data());
        benchmark::DoNotOptimize(check.ok());
    }
    mece::bench::count_rows<Scalar>(state, data.rows());
}

template <class Scalar>
static void pipeline_no_bounds(benchmark::State& state) { pipeline<Scalar>(state, false); }
template <class Scalar>
static void pipeline_with_bounds(benchmark::State& state) { pipeline<Scalar>(state, true); }
MECE_BENCHMARK(pipeline_no_bounds);
MECE_BENCHMARK(pipeline_with_bounds);
