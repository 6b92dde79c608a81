#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

// The machine's read bandwidth: summing 1 GiB that is not in cache. The floor of a
// stage is the bytes it must read divided by this.
static void read_bandwidth(benchmark::State& state) {
    const Eigen::Index n = Eigen::Index(1) << 27;  // 2^27 doubles = 1 GiB
    Eigen::ArrayXd values = Eigen::ArrayXd::LinSpaced(n, 0.0, 1.0);
    for (auto _ : state) benchmark::DoNotOptimize(values.sum());
    state.SetBytesProcessed(state.iterations() * n * std::int64_t(sizeof(double)));
}
BENCHMARK(read_bandwidth)->Unit(benchmark::kMillisecond)->UseRealTime();
