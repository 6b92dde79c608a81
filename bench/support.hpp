#pragma once
// Datasets shared by the benchmarks: generated once per size and scalar type, kept for
// the whole run, so a benchmark times its stage and not the generator.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

namespace mece::bench {

template <class Scalar>
const Dataset<Scalar>& dataset(Eigen::Index rows) {
    static std::map<Eigen::Index, std::unique_ptr<Dataset<Scalar>>> cache;
    auto& slot = cache[rows];
    if (!slot) slot = std::make_unique<Dataset<Scalar>>(generate<Scalar>({.rows = rows, .seed = 1}));
    return *slot;
}

/// A dataset's universe, its seed004 rules and their assignment: the input of the stages
/// after the assignment.
template <class Scalar>
struct Seed004Run {
    explicit Seed004Run(Eigen::Index rows)
        : data(dataset<Scalar>(rows)),
          universe(data),
          rules(presets::seed004().resolve(data, universe)),
          assignment(rules.assign(data, universe)) {}
    const Dataset<Scalar>& data;
    Universe universe;
    ResolvedRules rules;
    Assignment assignment;
};

/// The same users as CSV text.
inline const std::string& csv_text(Eigen::Index rows) {
    static std::map<Eigen::Index, std::string> cache;
    auto& text = cache[rows];
    if (text.empty()) {
        std::ostringstream out;
        write_csv(dataset<double>(rows), out);
        text = out.str();
    }
    return text;
}

/// The users as a CSV file in the temporary directory, written once per size.
inline const std::filesystem::path& csv_file(Eigen::Index rows) {
    static std::map<Eigen::Index, std::filesystem::path> cache;
    auto& path = cache[rows];
    if (path.empty()) {
        path = std::filesystem::temp_directory_path() / ("mece-bench-" + std::to_string(rows) + ".csv");
        std::ofstream out(path, std::ios::binary);
        out << csv_text(rows);
    }
    return path;
}

/// Bytes of one row in the schema's columns, the columnar size per user.
template <class Scalar>
constexpr std::int64_t row_bytes = sizeof(std::int64_t) + 2 * sizeof(Days) + 3 * sizeof(Scalar) + 2 * sizeof(std::int32_t);

/// Counts rows (items) and the bytes of their columns per iteration.
template <class Scalar>
void count_rows(benchmark::State& state, Eigen::Index rows) {
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * rows * row_bytes<Scalar>);
}

/// The machine's read bandwidth in bytes per second on `threads` threads: the best of
/// five sums of 1 GiB that is not in cache, each thread summing its own part.
inline double read_bandwidth(unsigned threads) {
    static std::map<unsigned, double> cache;
    if (auto found = cache.find(threads); found != cache.end()) return found->second;
    const Eigen::Index n = Eigen::Index(1) << 27;
    const Eigen::ArrayXd values = Eigen::ArrayXd::LinSpaced(n, 0.0, 1.0);
    double best = 0;
    for (int round = 0; round < 5; ++round) {
        std::vector<double> sums(threads);
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] { sums[t] = values.segment(n / threads * t, n / threads).sum(); });
        for (auto& thread : pool) thread.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        benchmark::DoNotOptimize(sums.data());
        best = std::max(best, double(n) * sizeof(double) / seconds);
    }
    return cache[threads] = best;
}

/// The bytes the in-memory pipeline must read at the least: the cart dates of every row
/// (to find the universe), then in each column the stages read for universe users (the
/// rules' features and every statistic: AOV, sessions, items, engagement, profitability,
/// both dates) each 64-byte cache line that holds a universe user's value.
template <class Scalar>
std::int64_t floor_bytes(const Dataset<Scalar>& data, const Universe& universe) {
    const auto lines = [&](const void* column, std::size_t value_bytes) {
        std::int64_t touched = 0;
        std::uintptr_t last = ~std::uintptr_t(0);
        for (Eigen::Index i = 0; i < universe.size(); ++i) {
            const auto line = (reinterpret_cast<std::uintptr_t>(column) + std::uintptr_t(universe.rows()[i]) * value_bytes) / 64;
            touched += line != last;
            last = line;
        }
        return touched * 64;
    };
    std::int64_t bytes = data.rows() * std::int64_t(sizeof(Days));
    bytes += lines(data.last_order_date().data(), sizeof(Days));
    bytes += lines(data.avg_order_value().data(), sizeof(Scalar));
    bytes += lines(data.sessions_last_30d().data(), sizeof(std::int32_t));
    bytes += lines(data.num_cart_items().data(), sizeof(std::int32_t));
    bytes += lines(data.engagement_score().data(), sizeof(Scalar));
    bytes += lines(data.profitability_score().data(), sizeof(Scalar));
    return bytes;
}

/// Sets the counters `floor_ms` (the floor's bytes at the read bandwidth of `threads`
/// threads) and `x_floor` (the measured time per iteration over the floor).
template <class Scalar>
void report_floor(benchmark::State& state, const Dataset<Scalar>& data, const Universe& universe, unsigned threads,
                  double seconds_per_iteration) {
    const double floor = double(floor_bytes(data, universe)) / read_bandwidth(threads);
    state.counters["floor_ms"] = floor * 1e3;
    state.counters["x_floor"] = seconds_per_iteration / floor;
    state.counters["threads"] = threads;
}

}  // namespace mece::bench

/// Registers `function<float>` and `function<double>` at 1e5, 1e6 and 1e7 rows.
#define MECE_BENCHMARK(function)                                                                         \
    BENCHMARK_TEMPLATE(function, float)->RangeMultiplier(10)->Range(100'000, 10'000'000)->Unit(benchmark::kMillisecond); \
    BENCHMARK_TEMPLATE(function, double)->RangeMultiplier(10)->Range(100'000, 10'000'000)->Unit(benchmark::kMillisecond)
