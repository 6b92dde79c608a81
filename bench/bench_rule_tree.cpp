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

// The same assignment with the overlap of the top-level rules counted in its pass (SPEC
// section 8.6): its cost is the difference from `assign`.
template <class Scalar>
static void assign_with_overlap(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const mece::Scope<Scalar> scope(data, universe);
    const auto rules = mece::presets::seed004().resolve(scope);
    mece::RuleOverlap overlap;
    for (auto _ : state) benchmark::DoNotOptimize(rules.assign(scope, overlap).sizes.data());
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(assign_with_overlap);
