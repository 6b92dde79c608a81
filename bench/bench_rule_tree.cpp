#include "support.hpp"

// Resolving the seed004 thresholds (five quantiles over the universe).
template <class Scalar>
static void thresholds(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto tree = mece::presets::seed004();
    for (auto _ : state) benchmark::DoNotOptimize(tree.resolve(data, universe).thresholds().size());
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(thresholds);

// First-match assignment of every universe user.
template <class Scalar>
static void assign(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    for (auto _ : state) benchmark::DoNotOptimize(rules.assign(data, universe).sizes.data());
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(assign);
