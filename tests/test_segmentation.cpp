#include <random>
#include <vector>

#include <doctest/doctest.h>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

#include "support.hpp"

namespace {

void check_same(const mece::Segmentation& fused, const mece::Solution& solution, const mece::MeceCheck& check,
                const mece::SegmentStats& stats) {
    REQUIRE(fused.solution.rules.segments().size() == solution.rules.segments().size());
    CHECK((fused.solution.assignment.segment_ids == solution.assignment.segment_ids).all());
    CHECK(fused.solution.assignment.sizes == solution.assignment.sizes);
    CHECK(fused.solution.log.size() == solution.log.size());
    for (std::size_t s = 0; s < solution.rules.segments().size(); ++s) {
        CHECK(fused.solution.rules.segments()[s].rules_applied() == solution.rules.segments()[s].rules_applied());
        CHECK(fused.solution.status[s].valid == solution.status[s].valid);
    }
    CHECK(fused.check.overlapping == check.overlapping);
    CHECK(fused.check.uncovered == check.uncovered);
    CHECK(fused.check.misassigned == check.misassigned);
    CHECK(fused.check.assigned_total == check.assigned_total);
    CHECK(fused.stats.features() == stats.features());
    for (const auto& segment : solution.rules.segments())
        for (const auto& feature : stats.features()) {
            CHECK(fused.stats.sum(segment.id, feature) == stats.sum(segment.id, feature));
            CHECK(fused.stats.count(segment.id, feature) == stats.count(segment.id, feature));
        }
}

}  // namespace

TEST_CASE("segment gives what the components give one by one, with and without constraints, on any thread count") {
    const auto data = mece::generate<double>({.rows = 600'000, .seed = 3});
    const mece::Universe universe{data};
    const mece::ConstraintSolver solver{{.min_size = 3000, .max_size = 15'000}};
    for (bool constraints : {false, true}) {
        for (unsigned threads : {1u, 2u, 3u}) {
            CAPTURE(constraints);
            CAPTURE(threads);
            const mece::Scope scope{data, universe, {.threads = threads}};
            const auto fused = mece::segment(scope, mece::presets::seed004(), solver, constraints);
            const auto rules = mece::presets::seed004().resolve(scope);
            auto assignment = rules.assign(scope);
            const auto solution = constraints ? solver.solve(rules, assignment, scope) : solver.check(rules, std::move(assignment));
            check_same(fused, solution, mece::check_mece(solution.rules, solution.assignment, scope),
                       mece::SegmentStats::compute(scope, solution.assignment));
            CHECK(fused.check.ok());
            if (constraints) CHECK(fused.solution.rules.segments().size() > 6);
        }
    }
}

TEST_CASE("property: segment over random rule trees and data is MECE and equals the components") {
    std::mt19937_64 rng(404);
    for (int trial = 0; trial < 40; ++trial) {
        const auto [levels, data, universe, tree] = mece::test::random_case(rng, 10, 3000);
        const auto min_size = std::uniform_int_distribution<Eigen::Index>(0, 200)(rng);
        const mece::ConstraintSolver solver{{.min_size = min_size, .max_size = min_size + 400}};
        const mece::Scope scope{data, universe, {.threads = 2}};
        CAPTURE(trial);
        const auto fused = mece::segment(scope, tree, solver);
        const auto rules = tree.resolve(scope);
        const auto solution = solver.solve(rules, rules.assign(scope), scope);
        check_same(fused, solution, mece::check_mece(solution.rules, solution.assignment, scope),
                   mece::SegmentStats::compute(scope, solution.assignment));
        CHECK(fused.check.ok());
    }
}

TEST_CASE("warnings: an empty or too small universe, a default as_of far ahead, dates after as_of") {
    const auto warnings_of = [](const mece::Dataset<double>& data, mece::UniverseOptions options, bool constrain = true) {
        const mece::Universe universe{data, options};
        const mece::Scope scope{data, universe};
        const auto result = mece::segment(scope, mece::presets::seed004(), mece::ConstraintSolver{}, constrain);
        return mece::run_warnings(universe, result.solution, result.stats, constrain);
    };
    const auto normal = mece::generate<double>({.rows = 20000, .seed = 4});
    CHECK(warnings_of(normal, {}).empty());

    // One cart dated 2099 among 5,000: the default as_of follows it.
    std::vector<mece::test::Row> rows;
    for (int i = 0; i < 5000; ++i) rows.push_back({i + 1, "2026-11-15", i == 3 ? "2099-01-01" : "2026-10-01", 5, 1, 1, 0.5, 0.5});
    rows.push_back({9999, "2099-01-01", nullptr, 5, 1, 1, 0.5, 0.5});
    const auto odd = mece::test::make_dataset(rows);
    CHECK(warnings_of(odd, {}) ==
          std::vector<std::string>{"the universe holds 1 user, fewer than min_size 500: no segment can be valid",
                                   "as_of is the latest abandonment date, 2099-01-01, and its window holds 1 user of 5001 "
                                   "(under 0.1%): if that date is an error in the data, give as_of (--as-of)"});
    CHECK(warnings_of(odd, {.as_of = *mece::parse_date("2026-11-15")}) ==
          std::vector<std::string>{"1 cart is dated after as_of 2026-11-15, outside the window",
                                   "1 user has a last order dated after as_of 2026-11-15: their days_since_last_order is "
                                   "below 0, so a rule 'days_since_last_order < N' counts them as recent"});
    CHECK(warnings_of(odd, {.as_of = *mece::parse_date("2026-12-31")}, false) ==
          std::vector<std::string>{"the universe is empty: no cart was abandoned from 2026-12-25 to 2026-12-31; every output is empty",
                                   "1 cart is dated after as_of 2026-12-31, outside the window"});
}

TEST_CASE("the overlap of the top-level rules is each pair's users, counted in the assignment's pass") {
    std::mt19937_64 rng(8061);
    for (int trial = 0; trial < 120; ++trial) {
        CAPTURE(trial);
        auto [levels, data, universe, tree] = mece::test::random_case(rng, 10, 700);
        const mece::Scope<double> scope(data, universe, {.threads = trial % 2 ? 2u : 1u});
        const mece::ResolvedRules written = tree.resolve(scope);
        // Each top-level rule's own predicates, evaluated here on every universe user.
        std::vector<const mece::RuleNode*> rules;
        for (const auto& child : written.root().children)
            if (!child.catch_all) rules.push_back(&child);
        const auto matches = [&](const mece::RuleNode& rule, mece::RowIndex row) {
            for (const mece::Predicate& p : rule.predicates)
                if (!mece::test::compare(mece::test::value_of(data, universe.as_of(), row, p.feature), p.op, p.value)) return false;
            return true;
        };
        const mece::ConstraintSolver solver{{.min_size = 5, .max_size = 40}};
        for (bool constrained : {false, true}) {
            const mece::Segmentation result = mece::segment(scope, tree, solver, constrained);
            const mece::RuleOverlap& overlap = result.overlap;
            REQUIRE(overlap.rules.size() == rules.size());
            for (std::size_t i = 0; i < rules.size(); ++i) {
                CHECK(overlap.rules[i] == rules[i]->name);
                for (std::size_t j = 0; j < rules.size(); ++j) {
                    Eigen::Index both = 0;
                    for (mece::RowIndex u = 0; u < universe.size(); ++u)
                        both += matches(*rules[i], universe.rows()[u]) && matches(*rules[j], universe.rows()[u]);
                    CHECK(overlap.at(i, j) == both);
                }
            }
        }
    }
}
