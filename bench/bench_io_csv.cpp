#include <filesystem>
#include <fstream>
#include <thread>

#include "support.hpp"


// CSV load from a file (in the page cache after the first read): bytes/s is of the CSV
// text. One thread, then every core.
template <class Scalar>
static void csv_load(benchmark::State& state, unsigned threads) {
    const auto rows = Eigen::Index(state.range(0));
    const auto& path = mece::bench::csv_file(rows);
    for (auto _ : state) {
        auto load = mece::read_csv<Scalar>(path, {.threads = threads});
        benchmark::DoNotOptimize(load.data.rows());
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * std::int64_t(std::filesystem::file_size(path)));
}

template <class Scalar>
static void csv_load_one_thread(benchmark::State& state) { csv_load<Scalar>(state, 1); }
template <class Scalar>
static void csv_load_all_cores(benchmark::State& state) { csv_load<Scalar>(state, 0); }
MECE_BENCHMARK(csv_load_one_thread);
MECE_BENCHMARK(csv_load_all_cores);
