#include "support.hpp"

// Per-segment statistics (one pass and the AOV ranks) and the scores.
template <class Scalar>
static void scoring(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    const auto scorer = mece::make_scorer(mece::default_dimensions());
    for (auto _ : state) {
        const auto stats = mece::SegmentStats::compute(data, universe, assignment);
        benchmark::DoNotOptimize(scorer.score(rules, stats).ranking.data());
    }
    mece::bench::count_rows<Scalar>(state, data.rows());
}
MECE_BENCHMARK(scoring);
