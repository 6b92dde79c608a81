#include "support.hpp"

// Dissolving and splitting the seed004 segments with the default bounds.
template <class Scalar>
static void constraints(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    const mece::ConstraintSolver solver;
    for (auto _ : state) benchmark::DoNotOptimize(solver.solve(rules, assignment, data, universe).log.size());
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(constraints);
