// mece::run, the one entry point: the same result as the steps composed by hand, every
// option checked before a pass, and a result that owns what it refers to.

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <utility>

#include <doctest/doctest.h>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

#include "strategy_fixture.hpp"
#include "support.hpp"

namespace {

template <class T>
concept has_scope = requires(T&& result) { std::forward<T>(result).scope(); };

// A scope of a temporary result would dangle: refused at compile time.
static_assert(has_scope<const mece::RunResult<double>&>);
static_assert(!has_scope<mece::RunResult<double>>);

/// A strategy made from locals that are gone when it is used.
mece::Strategy strategy_of_locals(const mece::Dataset<double>& data) {
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    auto solution = mece::ConstraintSolver{{.min_size = 100, .max_size = 2000}}.solve(rules, rules.assign(data, universe), data,
                                                                                     universe);
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
    return {std::move(solution), std::move(scores), std::move(stats), check, universe, {.input = "locals"}};
}

/// A result whose dataset was a local of the function.
mece::RunResult<float> result_of_a_local() {
    const auto data = mece::generate<float>({.rows = 20'000, .seed = 5});
    return mece::run(data, mece::presets::seed003(), {.threads = 2});
}

}  // namespace

TEST_CASE("run gives what the steps give, composed by hand, with and without constraints") {
    const auto data = mece::generate<double>({.rows = 30'000, .seed = 3});
    for (bool constrain : {true, false}) {
        CAPTURE(constrain);
        const mece::ConstraintOptions bounds{.min_size = 300, .max_size = 3000};
        const auto result = mece::run(data, mece::presets::seed004(),
                                      {.constraints = bounds, .apply_constraints = constrain, .threads = 2, .input = "x"});
        const mece::test::StrategyRun by_hand(data, mece::presets::seed004(), bounds, constrain, {.input = "x"});
        auto expected = by_hand.strategy();
        expected.run.constraints_applied = constrain;
        expected.run.warnings = mece::run_warnings(by_hand.universe, by_hand.solution, by_hand.stats, constrain);
        // The fixture's as_of is the data's latest day as well.
        REQUIRE(by_hand.universe.as_of() == result.universe.as_of());
        CHECK(mece::StrategyWriter::strategy_json(result.strategy).dump() == mece::StrategyWriter::strategy_json(expected).dump());
        CHECK(result.ok());
        CHECK(result.threads == std::min(2u, mece::detail::available_cores()));
        CHECK(result.data.user_id().data() == data.user_id().data());  // shared, not copied
    }
}

TEST_CASE("the window flows from the universe to the scores") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 9});
    const auto result = mece::run(data, mece::presets::seed004(), {.universe = {.window_days = 10}, .apply_constraints = false});
    const mece::Strategy& s = result.strategy;
    CHECK(s.stats.window_days() == 10);
    CHECK(s.universe.window_days() == 10);
    const auto unit = [](double v) { return std::clamp(v, 0.0, 1.0); };
    for (int id : s.scores.ranking) {
        if (s.stats.size(id) == 0) continue;
        const double recency = 1.0 - s.stats.mean(id, "days_since_abandon") / 10.0;
        const double expected = unit(0.7 * unit(s.stats.mean(id, "engagement_score")) + 0.3 * unit(recency));
        CHECK(s.scores.of(id).scores[0] == doctest::Approx(expected).epsilon(1e-15));
    }
}

TEST_CASE("run checks its options before any pass") {
    const auto data = mece::generate<double>({.rows = 1000, .seed = 1});
    CHECK_THROWS_WITH_AS(mece::run(data, mece::presets::seed004(), {.constraints = {.min_size = 10, .max_size = 5}}),
                         "constraints: min_size 10 is above max_size 5", mece::ConfigError);
    mece::RunOptions misspelled;
    misspelled.scoring.actions["Hgh AOV"] = "call them";
    CHECK_THROWS_WITH_AS(mece::run(data, mece::presets::seed004(), misspelled),
                         "scoring.actions.Hgh AOV: no segment or rule is named 'Hgh AOV'", mece::ConfigError);
    mece::RunOptions priority;
    priority.priorities["Nobody"] = 0.5;
    CHECK_THROWS_WITH_AS(mece::run(data, mece::presets::seed004(), priority),
                         "scoring.priorities.Nobody: no segment or rule is named 'Nobody'", mece::ConfigError);
    mece::RunOptions weights;
    weights.scoring.weights["size"] = 1;
    CHECK_THROWS_AS(mece::run(data, mece::presets::seed004(), weights), mece::ConfigError);
    // A parent rule, a sub-rule's catch-all and the final catch-all are names too.
    mece::RuleTree tree;
    tree.add({"High AOV", {mece::feature("avg_order_value") >= 500}, {{"Engaged", {mece::feature("engagement_score") >= 0.5}}}});
    mece::RunOptions named;
    named.scoring.actions["High AOV"] = "a";
    named.scoring.actions["High AOV / Other"] = "b";
    named.priorities["Other Bucket"] = 0.2;
    CHECK(mece::run(data, tree, named).ok());
}

TEST_CASE("a strategy and a result own what they refer to") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 4});
    const mece::Strategy strategy = strategy_of_locals(data);  // every local of the function is gone
    CHECK(mece::StrategyWriter::strategy_json(strategy)["input"] == "locals");
    CHECK(mece::ReportWriter::html(strategy).find("</html>") != std::string::npos);

    const auto result = result_of_a_local();  // its dataset was a local too: the result shares the columns
    CHECK(result.ok());
    CHECK(result.data.rows() == 20'000);
    const auto directory = std::filesystem::temp_directory_path() / "mece-test-run";
    std::filesystem::remove_all(directory);
    const mece::StrategyWriter writer{directory};
    CHECK(writer.write_assignments(result) == std::size_t(result.universe.size()));
    std::filesystem::remove_all(directory);
}
