#include <filesystem>

#include <mece/io/campaign.hpp>
#include <mece/io/migration_writer.hpp>
#include <mece/migration.hpp>
#include <mece/strategy_writer.hpp>

#include "support.hpp"

namespace {

/// The assignments.csv of two seed004 runs one day apart (the default bounds), written
/// once into the temporary directory: about 23% of `rows` users a side.
const std::pair<std::filesystem::path, std::filesystem::path>& two_runs(Eigen::Index rows) {
    static std::map<Eigen::Index, std::pair<std::filesystem::path, std::filesystem::path>> cache;
    auto& runs = cache[rows];
    if (!runs.first.empty()) return runs;
    const auto& data = mece::bench::dataset<double>(rows);
    const mece::Days latest = mece::Universe(data).as_of();
    const auto base = std::filesystem::temp_directory_path() / ("mece-bench-diff-" + std::to_string(rows));
    for (int day = 0; day < 2; ++day) {
        const auto dir = base / (day == 0 ? "day1" : "day2");
        mece::RunOptions options;
        options.universe.as_of = latest - 1 + day;
        const auto result = mece::run(data, mece::presets::seed004(), options);
        mece::StrategyWriter{dir}.write_assignments(result);
        (day == 0 ? runs.first : runs.second) = dir;
    }
    return runs;
}

}  // namespace

// What mece-diff does, on one core: read both runs' assignments.csv, join them by user id,
// write delta.csv, the matrix (CSV, JSON) and migration.svg. Items are the users of both sides.
static void diff_runs(benchmark::State& state) {
    const auto& [day1, day2] = two_runs(state.range(0));
    const auto out = std::filesystem::temp_directory_path() / "mece-bench-diff-out";
    std::int64_t users = 0;
    for (auto _ : state) {
        const mece::Assignments before = mece::read_assignments(day1 / "assignments.csv");
        const mece::Assignments after = mece::read_assignments(day2 / "assignments.csv");
        const mece::Migration m = mece::migrate(before, after);
        mece::OutputBatch batch{out};
        mece::MigrationWriter{batch}.write(m, "day1", "day2");
        batch.commit();
        users = m.old_users + m.new_users;
    }
    state.SetItemsProcessed(state.iterations() * users);
    state.counters["users_per_side"] = double(users) / 2;
}
BENCHMARK(diff_runs)->ArgName("rows")->Arg(100'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
