#include <filesystem>
#include <fstream>
#include <thread>

#include "support.hpp"

namespace {

/// The users as a CSV file in the temporary directory, written once per size.
const std::filesystem::path& csv_file(Eigen::Index rows) {
    static std::map<Eigen::Index, std::filesystem::path> cache;
    auto& path = cache[rows];
    if (path.empty()) {
        path = std::filesystem::temp_directory_path() / ("mece-bench-" + std::to_string(rows) + ".csv");
        std::ofstream out(path, std::ios::binary);
        out << mece::bench::csv_text(rows);
    }
    return path;
}

}  // namespace

// CSV load from a file (in the page cache after the first read): bytes/s is of the CSV
// text. One thread, then every core.
template <class Scalar>
static void csv_load(benchmark::State& state, unsigned threads) {
    const auto rows = Eigen::Index(state.range(0));
    const auto& path = csv_file(rows);
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
