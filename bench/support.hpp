#pragma once
// Datasets shared by the benchmarks: generated once per size and scalar type, kept for
// the whole run, so a benchmark times its stage and not the generator.

#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>

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

/// Bytes of one row in the schema's columns, the columnar size per user.
template <class Scalar>
constexpr std::int64_t row_bytes = sizeof(std::int64_t) + 2 * sizeof(Days) + 3 * sizeof(Scalar) + 2 * sizeof(std::int32_t);

/// Counts rows (items) and the bytes of their columns per iteration.
template <class Scalar>
void count_rows(benchmark::State& state, Eigen::Index rows) {
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * rows * row_bytes<Scalar>);
}

}  // namespace mece::bench

/// Registers `function<float>` and `function<double>` at 1e5, 1e6 and 1e7 rows.
#define MECE_BENCHMARK(function)                                                                         \
    BENCHMARK_TEMPLATE(function, float)->RangeMultiplier(10)->Range(100'000, 10'000'000)->Unit(benchmark::kMillisecond); \
    BENCHMARK_TEMPLATE(function, double)->RangeMultiplier(10)->Range(100'000, 10'000'000)->Unit(benchmark::kMillisecond)
