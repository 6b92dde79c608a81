// The one model of a ranked segment that every output reads.

#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>

#include <mece/io/text.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree/presets.hpp>

#include "strategy_fixture.hpp"
#include "support.hpp"


TEST_CASE("ranked segments: one row per segment, in rank order, with the facts of its id") {
    std::mt19937_64 rng(5);
    const mece::test::StrategyRun run(mece::test::random_dataset(rng, 4000, 20772, 15), mece::presets::seed003(),
                                      {.min_size = 100, .max_size = 400});
    REQUIRE_FALSE(run.solution.log.empty());
    const mece::Strategy strategy = run.strategy();
    const mece::RankedSegments rows(strategy);
    REQUIRE(rows.size() == run.solution.rules.segments().size());
    std::set<int> ids;
    Eigen::Index total = 0;
    bool nested = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const mece::RankedSegment& row = rows[i];
        CAPTURE(row.id);
        CHECK(row.rank == int(i) + 1);
        CHECK(row.id == run.scores.ranking[i]);
        CHECK(&rows.of(row.id) == &row);
        ids.insert(row.id);
        const auto& definition = run.solution.rules.segment(row.id);
        CHECK(row.name() == definition.name);
        CHECK(row.size == run.solution.assignment.sizes[std::size_t(row.id - 1)]);
        CHECK(row.share == doctest::Approx(double(row.size) / double(run.universe.size())));
        CHECK(row.rules_applied == definition.rules_applied());
        CHECK(row.tier() == run.scores.of(row.id).tier);
        CHECK(row.valid() == run.solution.status[std::size_t(row.id - 1)].valid);
        std::string path;
        for (const auto& p : definition.parents) path += (path.empty() ? "" : " > ") + p;
        CHECK(row.parent_path == path);
        nested = nested || definition.parents.size() > 1;
        total += row.size;
    }
    CHECK(nested);  // seed 003's tree has rules under rules
    CHECK(ids.size() == rows.size());
    CHECK(total == run.universe.size());
    CHECK_THROWS_WITH_AS(rows.of(0), doctest::Contains("no segment 0"), mece::Error);
    CHECK_THROWS_AS(rows.of(int(rows.size()) + 1), mece::Error);
}

TEST_CASE("ranked segments: parts of different runs, or a ranking that is no permutation, are refused") {
    std::mt19937_64 rng(9);
    const mece::test::StrategyRun run(mece::test::random_dataset(rng, 3000, 20772, 15), mece::presets::seed004(),
                                      {.min_size = 100, .max_size = 300});
    mece::Strategy strategy = run.strategy();
    SUBCASE("a segment ranked twice") {
        REQUIRE(strategy.scores.ranking.size() >= 2);
        strategy.scores.ranking[1] = strategy.scores.ranking[0];
        CHECK_THROWS_WITH_AS(mece::RankedSegments{strategy}, doctest::Contains("is ranked twice"), mece::Error);
    }
    SUBCASE("a ranking of an id that is no segment") {
        strategy.scores.ranking[0] = 1000;
        CHECK_THROWS_WITH_AS(mece::RankedSegments{strategy}, doctest::Contains("no segment 1000"), mece::Error);
    }
    SUBCASE("statuses of another solution") {
        strategy.solution.status.pop_back();
        CHECK_THROWS_WITH_AS(mece::RankedSegments{strategy}, "strategy: the solution, scores and statistics are of different segments",
                             mece::Error);
        CHECK_THROWS_AS(mece::StrategyWriter::strategy_json(strategy), mece::Error);
        CHECK_THROWS_AS(mece::strategy_text(strategy), mece::Error);
    }
}

TEST_CASE("dimension labels fit a nine-character column") {
    CHECK(mece::dimension_label("conversion_potential") == "convert");
    CHECK(mece::dimension_label("size_score") == "size_scr");
    CHECK(mece::dimension_label("lift_vs_control") == "lift");
    CHECK(mece::dimension_label("recency") == "recency");
    CHECK(mece::dimension_label("customer_lifetime_value") == "customer");
}

TEST_CASE("the terminal summary shows every ranked segment, its rule and the checks") {
    std::mt19937_64 rng(13);
    const mece::test::StrategyRun run(mece::test::random_dataset(rng, 3000, 20772, 15), mece::presets::seed004(),
                                      {.min_size = 100, .max_size = 300});
    const mece::Strategy strategy = run.strategy();
    const std::string text = mece::strategy_text(strategy);
    CHECK(text.find("Constraints: segment sizes 100 to 300, " + std::to_string(run.solution.log.size()) + " action") !=
          std::string::npos);
    CHECK(text.find("convert") != std::string::npos);
    CHECK(text.find("lift*") != std::string::npos);  // estimated
    for (const mece::RankedSegment& row : mece::RankedSegments(strategy)) {
        CHECK(text.find(row.name() + ": " + row.rules_applied + "\n") != std::string::npos);
    }
    const std::string n = std::to_string(run.universe.size());
    CHECK(text.find("  count     pass  sum of segment sizes " + n + ", universe " + n + "\n") != std::string::npos);
    CHECK(text.find("  overlap   pass  0 users match more than one segment rule") != std::string::npos);
}
