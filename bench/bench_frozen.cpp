#include <array>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include <mece/io/frozen.hpp>
#include <mece/strategy_writer.hpp>

#include "support.hpp"

namespace {

constexpr std::array<const char*, 4> presets{"seed000", "seed002", "seed003", "seed004"};

/// A run's frozen strategy (read back from its strategy.json, as a service would load it)
/// and 4096 of its universe users as records.
struct FrozenCase {
    std::unique_ptr<mece::FrozenStrategy> frozen;
    std::vector<mece::UserRecord> users;
};

const FrozenCase& frozen_case(int preset, Eigen::Index rows) {
    static std::map<std::pair<int, Eigen::Index>, FrozenCase> cache;
    FrozenCase& c = cache[{preset, rows}];
    if (c.frozen) return c;
    const auto& data = mece::bench::dataset<double>(rows);
    const auto result = mece::run(data, mece::presets::preset(presets[std::size_t(preset)]), {});
    const auto json = nlohmann::json::parse(mece::StrategyWriter::strategy_json(result.strategy).dump());
    c.frozen = std::make_unique<mece::FrozenStrategy>(mece::frozen_strategy(json, "strategy.json"));
    const mece::Universe& universe = result.universe;
    for (Eigen::Index i = 0; i < std::min<Eigen::Index>(4096, universe.size()); ++i) {
        const auto row = universe.rows()[i * (universe.size() / 4096 + 1) % universe.size()];
        c.users.push_back(mece::user_record(data, row));
    }
    return c;
}

}  // namespace

// One user assigned with a frozen strategy (the run's with the default bounds): the
// latency of a real-time assignment, users spread over the universe. At 1e7 users the
// seed004 strategy has 118 segments.
static void frozen_assign_one(benchmark::State& state) {
    const FrozenCase& c = frozen_case(int(state.range(0)), state.range(1));
    const mece::Days as_of = c.frozen->as_of();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(c.frozen->assign(c.users[i], as_of));
        i = (i + 1) % c.users.size();
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["segments"] = double(c.frozen->rules().segments().size());
}
BENCHMARK(frozen_assign_one)
    ->ArgNames({"preset", "rows"})
    ->Args({0, 100'000})
    ->Args({1, 100'000})
    ->Args({2, 100'000})
    ->Args({3, 100'000})
    ->Args({3, 10'000'000});

// What mece-assign does with a CSV file: load it (every core), take the run's window,
// assign with the frozen strategy and write assignments.csv with the holdout's groups.
// Compare its rows/s with csv_load_all_cores<double> at the same size.
static void frozen_assign_csv(benchmark::State& state) {
    const Eigen::Index rows = state.range(0);
    const FrozenCase& c = frozen_case(3, rows);
    const auto& path = mece::bench::csv_file(rows);
    const auto out = std::filesystem::temp_directory_path() / "mece-bench-assign";
    const mece::StrategyWriter writer{out};
    const std::optional<mece::Holdout> holdout{std::in_place, mece::HoldoutOptions{.share = 0.1}};
    for (auto _ : state) {
        const auto load = mece::read_csv<double>(path, {.threads = 0});
        const mece::Universe universe = c.frozen->universe(load.data);
        const mece::Scope<double> scope(load.data, universe);
        benchmark::DoNotOptimize(writer.write_assignments(scope, c.frozen->rules(), c.frozen->assign(scope), holdout));
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * std::int64_t(std::filesystem::file_size(path)));
}
BENCHMARK(frozen_assign_csv)->ArgName("rows")->RangeMultiplier(10)->Range(100'000, 10'000'000)->Unit(benchmark::kMillisecond);
