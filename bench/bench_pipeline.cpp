#include "support.hpp"

// Everything in memory from the universe to the scores, as `mece-segment` runs it
// (`mece::segment`): without size bounds (the peers' workload) and with them, on one
// thread and on every core, one workspace kept across the runs as a service keeps it;
// each reports its floor (`floor_ms`, the bytes it must read at the read bandwidth of the
// same threads) and its ratio to it (`x_floor`).
template <class Scalar>
static void pipeline(benchmark::State& state, bool constraints) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    const auto threads = unsigned(state.range(1));
    const auto tree = mece::presets::seed004();
    const mece::ConstraintSolver solver;
    const auto scorer = mece::make_scorer(mece::default_dimensions());
    mece::engine::Workspace workspace;  // the runs' scratch arrays, reused from one run to the next
    double seconds = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        const mece::Universe universe{data, {.threads = threads}};
        const mece::Scope scope{data, universe, {.threads = threads, .workspace = &workspace}};
        const auto [solution, check, stats, overlap] = mece::segment(scope, tree, solver, constraints);
        benchmark::DoNotOptimize(scorer.score(solution.rules, stats).ranking.data());
        benchmark::DoNotOptimize(check.ok());
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    mece::bench::count_rows<Scalar>(state, data.rows());
    mece::bench::report_floor(state, data, mece::Universe{data}, threads, seconds / double(state.iterations()));
}

template <class Scalar>
static void pipeline_no_bounds(benchmark::State& state) { pipeline<Scalar>(state, false); }
template <class Scalar>
static void pipeline_with_bounds(benchmark::State& state) { pipeline<Scalar>(state, true); }

/// 1e5, 1e6, 1e7 rows on one thread and on every core.
static void sizes_and_threads(benchmark::internal::Benchmark* b) {
    const auto cores = std::int64_t(std::max(1u, std::thread::hardware_concurrency()));
    for (std::int64_t rows : {100'000, 1'000'000, 10'000'000})
        for (std::int64_t threads : {std::int64_t{1}, cores})
            if (threads == 1 || cores > 1) b->Args({rows, threads});
    b->ArgNames({"rows", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK_TEMPLATE(pipeline_no_bounds, float)->Apply(sizes_and_threads);
BENCHMARK_TEMPLATE(pipeline_no_bounds, double)->Apply(sizes_and_threads);
BENCHMARK_TEMPLATE(pipeline_with_bounds, float)->Apply(sizes_and_threads);
BENCHMARK_TEMPLATE(pipeline_with_bounds, double)->Apply(sizes_and_threads);
