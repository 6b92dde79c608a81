// Concurrent pipelines over different datasets in one process give exactly what the
// same pipelines give one after another, and threads sharing a frozen strategy assign
// as one thread does. The rule tree, solver and scorer are shared by
// every thread (their const members are safe to call at once); built with
// -fsanitize=thread as mece-tests-tsan, a data race fails the test.
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <mece/frozen.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

namespace {

struct Shared {
    mece::RuleTree tree = mece::presets::seed004();
    mece::ConstraintSolver solver{{.min_size = 200, .max_size = 1500}};
    decltype(mece::make_scorer(mece::default_dimensions())) scorer = mece::make_scorer(mece::default_dimensions());
};

/// One whole run: strategy.json and report.html as text.
std::string pipeline(const Shared& shared, std::uint64_t seed) {
    const auto data = mece::generate<double>({.rows = 20000 + Eigen::Index(seed % 4) * 5000, .seed = seed, .threads = 2});
    const mece::Universe universe{data};
    const auto rules = shared.tree.resolve(data, universe);
    const auto solution = shared.solver.solve(rules, rules.assign(data, universe), data, universe);
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    const auto scores = shared.scorer.score(solution.rules, stats);
    const mece::Strategy strategy{solution, scores, stats, check, universe, {.input = std::to_string(seed)}};
    return mece::StrategyWriter::strategy_json(strategy).dump() + mece::ReportWriter::html(strategy);
}

}  // namespace

TEST_CASE("concurrent pipelines over different datasets give the sequential results") {
    const Shared shared;
    constexpr int runs = 6;
    std::vector<std::string> sequential;
    for (int k = 0; k < runs; ++k) sequential.push_back(pipeline(shared, std::uint64_t(k + 1)));
    for (int k = 1; k < runs; ++k) REQUIRE(sequential[std::size_t(k)] != sequential[0]);  // different data, different results
    std::vector<std::string> concurrent(runs);
    std::vector<std::thread> threads;
    for (int k = 0; k < runs; ++k)
        threads.emplace_back([&, k] { concurrent[std::size_t(k)] = pipeline(shared, std::uint64_t(k + 1)); });
    for (auto& t : threads) t.join();
    for (int k = 0; k < runs; ++k) CHECK(concurrent[std::size_t(k)] == sequential[std::size_t(k)]);
}

TEST_CASE("threads share one frozen strategy, each user assigned as one thread alone assigns it") {
    const auto data = mece::generate<double>({.rows = 40'000, .seed = 12});
    mece::RunOptions options;
    options.constraints = {.min_size = 100, .max_size = 600};
    options.holdout.share = 0.2;
    const auto result = mece::run(data, mece::presets::seed004(), options);
    const mece::FrozenStrategy frozen(result.strategy.solution.rules, result.universe.as_of(), result.universe.window_days(),
                                      options.holdout);
    const auto& rows = result.universe.rows();
    std::vector<int> alone(std::size_t(rows.size()));
    for (Eigen::Index i = 0; i < rows.size(); ++i) alone[std::size_t(i)] = frozen.assign(mece::user_record(data, rows[i]), frozen.as_of());
    std::vector<std::vector<int>> together(4, std::vector<int>(alone.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < together.size(); ++t)
        threads.emplace_back([&, t] {
            for (Eigen::Index i = 0; i < rows.size(); ++i) {
                together[t][std::size_t(i)] = frozen.assign(mece::user_record(data, rows[i]), frozen.as_of());
                (void)frozen.group(data.user_id()[rows[i]]);
            }
        });
    for (auto& thread : threads) thread.join();
    for (const auto& ids : together) CHECK(ids == alone);
    for (Eigen::Index i = 0; i < rows.size(); ++i) CHECK(alone[std::size_t(i)] == result.strategy.solution.assignment.segment_ids[i]);
}
