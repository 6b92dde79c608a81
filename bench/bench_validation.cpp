#include "support.hpp"

// The independent MECE check: every definition on every universe user.
template <class Scalar>
static void mece_check(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    for (auto _ : state) benchmark::DoNotOptimize(mece::check_mece(rules, assignment, data, universe).ok());
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(mece_check);
