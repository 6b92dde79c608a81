// Concurrent pipelines over different datasets in one process give exactly what the
// same pipelines give one after another. The rule tree, solver and scorer are shared by
// every thread (their const members are safe to call at once); built with
// -fsanitize=thread as mece-tests-tsan, a data race fails the test.
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

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
