#include "support.hpp"

// The independent MECE check: every definition on every universe user.
template <class Scalar>
static void mece_check(benchmark::State& state) {
    const mece::bench::Seed004Run<Scalar> run(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(mece::check_mece(run.rules, run.assignment, run.data, run.universe).ok());
    mece::bench::count_rows<Scalar>(state, run.data.rows());
}
MECE_BENCHMARK(mece_check);
