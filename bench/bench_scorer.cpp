#include "support.hpp"

// Per-segment statistics (one pass and the AOV ranks) and the scores.
template <class Scalar>
static void scoring(benchmark::State& state) {
    const mece::bench::Seed004Run<Scalar> run(state.range(0));
    const auto scorer = mece::make_scorer(mece::default_dimensions());
    for (auto _ : state) {
        const auto stats = mece::SegmentStats::compute(run.data, run.universe, run.assignment);
        benchmark::DoNotOptimize(scorer.score(run.rules, stats).ranking.data());
    }
    mece::bench::count_rows<Scalar>(state, run.data.rows());
}
MECE_BENCHMARK(scoring);
