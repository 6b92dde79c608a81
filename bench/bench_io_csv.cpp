#include <sstream>

#include "support.hpp"

// CSV load from memory (no disk): bytes/s is of the CSV text.
template <class Scalar>
static void csv_load(benchmark::State& state) {
    const auto rows = Eigen::Index(state.range(0));
    const std::string& text = mece::bench::csv_text(rows);
    for (auto _ : state) {
        std::istringstream in(text);
        auto load = mece::read_csv<Scalar>(in, "bench.csv");
        benchmark::DoNotOptimize(load.data.rows());
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * std::int64_t(text.size()));
}
MECE_BENCHMARK(csv_load);
