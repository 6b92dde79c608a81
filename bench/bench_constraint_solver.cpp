#include "support.hpp"

// Dissolving and splitting the seed004 segments with the default bounds.
template <class Scalar>
static void constraints(benchmark::State& state) {
    const mece::bench::Seed004Run<Scalar> run(state.range(0));
    const mece::ConstraintSolver solver;
    for (auto _ : state) benchmark::DoNotOptimize(solver.solve(run.rules, run.assignment, run.data, run.universe).log.size());
    mece::bench::count_rows<Scalar>(state, run.data.rows());
}
MECE_BENCHMARK(constraints);
