#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <limits>

#include <doctest/doctest.h>

#include <mece/rule_tree/presets.hpp>
#include <mece/scorer.hpp>

#include "support.hpp"

namespace {

/// A caller's own dimension: share of a full basket (mean items / 10, at most 1).
struct BasketDepth {
    std::string name() const { return "basket_depth"; }
    double score(const mece::ScoringContext& c) const { return std::min(1.0, c.mean("num_cart_items") / 10.0); }
};
static_assert(mece::Dimension<BasketDepth>);
static_assert(!mece::Dimension<int>);

struct Fixture {
    std::mt19937_64 rng{41};
    mece::Dataset<double> data = mece::test::random_dataset(rng, 3000, 20772, 11);
    mece::Universe universe{data, {.as_of = 20772}};
    mece::ResolvedRules rules = mece::presets::seed004().resolve(data, universe);
    mece::Assignment assignment = rules.assign(data, universe);
    mece::SegmentStats stats = mece::SegmentStats::compute(data, universe, assignment);

    /// Mean of a feature over a segment, row by row.
    double mean(int id, const std::string& feature) const {
        double sum = 0, n = 0;
        for (Eigen::Index i = 0; i < universe.size(); ++i)
            if (assignment.segment_ids[i] == id) {
                const double v = mece::test::value_of(data, universe.as_of(), universe.rows()[i], feature);
                if (!std::isnan(v)) sum += v, ++n;
            }
        return n ? sum / n : 0.0;
    }
};

}  // namespace

TEST_CASE("default dimensions follow their documented formulas; overall is the weighted sum") {
    Fixture f;
    const auto scorer = mece::make_scorer(mece::default_dimensions());
    CHECK(scorer.dimension_names() ==
          std::vector<std::string>{"conversion_potential", "profitability", "lift_vs_control", "strategic_fit", "size_score"});
    const std::vector<double> expected_weights{0.25, 0.25, 0.20, 0.20, 0.10};
    for (std::size_t k = 0; k < 5; ++k) CHECK(scorer.weights()[k] == doctest::Approx(expected_weights[k]).epsilon(1e-15));
    const auto scores = scorer.score(f.rules, f.stats);
    CHECK(scores.estimated == std::vector<bool>{false, false, true, false, false});
    for (const auto& segment : f.rules.segments()) {
        const auto& s = scores.of(segment.id);
        CAPTURE(segment.name);
        const double engagement = f.mean(segment.id, "engagement_score");
        const double profit = f.mean(segment.id, "profitability_score");
        const double recency = 1 - f.mean(segment.id, "days_since_abandon") / 7;
        const auto size = f.assignment.sizes[std::size_t(segment.id - 1)];
        // Ranks computed here by counting, not sorting.
        double rank_sum = 0;
        Eigen::Index members = 0;
        for (Eigen::Index i = 0; i < f.universe.size(); ++i) {
            if (f.assignment.segment_ids[i] != segment.id) continue;
            ++members;
            const double aov = f.data.avg_order_value()[f.universe.rows()[i]];
            double below = 0, equal = 0;
            for (Eigen::Index j = 0; j < f.universe.size(); ++j) {
                const double other = f.data.avg_order_value()[f.universe.rows()[j]];
                below += other < aov;
                equal += other == aov;
            }
            rank_sum += (below + (equal + 1) / 2) / double(f.universe.size());
        }
        const double aov_rank = members ? rank_sum / double(members) : 0.0;
        CHECK(s.scores[0] == doctest::Approx(0.7 * engagement + 0.3 * recency));
        CHECK(s.scores[1] == doctest::Approx(0.8 * profit + 0.2 * aov_rank));
        CHECK(s.scores[2] == doctest::Approx(0.6 * engagement + 0.4 * aov_rank));
        CHECK(s.scores[3] == doctest::Approx((engagement + profit) / 2));
        const double expected_size = size ? std::clamp(1 - std::abs(std::log10(double(size) / 5000)) / 2, 0.0, 1.0) : 0.0;
        CHECK(s.scores[4] == doctest::Approx(expected_size));
        double overall = 0;
        for (std::size_t k = 0; k < 5; ++k) {
            CHECK(s.scores[k] >= 0.0);
            CHECK(s.scores[k] <= 1.0);
            overall += scores.weights[k] * s.scores[k];
        }
        CHECK(s.overall == doctest::Approx(overall).epsilon(1e-15));
        const std::string tier = s.overall >= 0.7 ? "Tier 1 Premium" : s.overall >= 0.6 ? "Tier 2 Priority"
                                 : s.overall >= 0.5 ? "Tier 3 Standard" : "Tier 4 Baseline";
        CHECK(s.tier == tier);
    }
    // Ranked by overall score, highest first.
    for (std::size_t r = 1; r < scores.ranking.size(); ++r)
        CHECK(scores.of(scores.ranking[r - 1]).overall >= scores.of(scores.ranking[r]).overall);
    CHECK(scores.of(scores.ranking[0]).rank == 1);
}

TEST_CASE("property: scores stay in [0,1] and overall equals the weighted sum for random weights and data") {
    std::mt19937_64 rng(43);
    for (int trial = 0; trial < 60; ++trial) {
        const auto n = std::uniform_int_distribution<Eigen::Index>(0, 800)(rng);
        const auto data = mece::test::random_dataset(rng, n, 20772, std::uniform_int_distribution<int>(1, 20)(rng));
        const mece::Universe universe{data, {.as_of = 20772}};
        int counter = 0;
        mece::RuleTree tree;
        for (auto& rule : mece::test::random_rules(rng, 1, 10, counter)) tree.add(std::move(rule));
        const auto rules = tree.resolve(data, universe);
        const auto stats = mece::SegmentStats::compute(data, universe, rules.assign(data, universe));
        std::uniform_real_distribution<double> weight(0, 3);
        mece::ScoringOptions options;
        for (const char* name : {"conversion_potential", "profitability", "lift_vs_control", "strategic_fit", "size_score"})
            options.weights[name] = weight(rng);
        const auto scorer = mece::make_scorer(std::tuple_cat(mece::default_dimensions(), std::tuple{BasketDepth{}}),
                                              [&] { auto o = options; o.weights["basket_depth"] = weight(rng); return o; }());
        double total = 0;
        for (double w : scorer.weights()) total += w;
        CHECK(total == doctest::Approx(1.0));
        const auto scores = scorer.score(rules, stats);
        for (const auto& s : scores.segments) {
            double overall = 0;
            for (std::size_t k = 0; k < s.scores.size(); ++k) {
                CHECK(s.scores[k] >= 0.0);
                CHECK(s.scores[k] <= 1.0);
                overall += scorer.weights()[k] * s.scores[k];
            }
            CHECK(s.overall == doctest::Approx(std::clamp(overall, 0.0, 1.0)).epsilon(1e-15));
        }
    }
}

TEST_CASE("a custom dimension joins the defaults through the same concept") {
    Fixture f;
    const auto scorer = mece::make_scorer(std::tuple_cat(mece::default_dimensions(), std::tuple{BasketDepth{}}),
                                          {.weights = {{"basket_depth", 0.5}}});
    CHECK(scorer.dimension_names().back() == "basket_depth");
    CHECK(scorer.weights().back() == doctest::Approx(0.5 / 1.5));
    const auto scores = scorer.score(f.rules, f.stats);
    for (const auto& s : scores.segments) CHECK(s.scores.back() == doctest::Approx(std::min(1.0, f.mean(s.id, "num_cart_items") / 10)));
    CHECK_THROWS_WITH_AS(mece::make_scorer(std::tuple{BasketDepth{}}),
                         "scoring.weights: no weight for dimension 'basket_depth' (it declares no default)", mece::ConfigError);
}

TEST_CASE("weights near the largest double are normalised without overflow") {
    const auto scorer = mece::make_scorer(mece::default_dimensions(),
                                          {.weights = {{"conversion_potential", 1e308}, {"profitability", 1e308},
                                                       {"lift_vs_control", 1e308}, {"strategic_fit", 1e308}, {"size_score", 0}}});
    for (std::size_t k = 0; k < 4; ++k) CHECK(scorer.weights()[k] == 0.25);
    CHECK(scorer.weights()[4] == 0.0);
    const auto max = std::numeric_limits<double>::max();
    const auto extreme = mece::make_scorer(mece::default_dimensions(), {.weights = {{"conversion_potential", max}, {"profitability", max}}});
    CHECK(extreme.weights()[0] == doctest::Approx(0.5));
    for (double w : extreme.weights()) CHECK(std::isfinite(w));
}

TEST_CASE("weights, tiers and priorities are validated and applied") {
    Fixture f;
    CHECK_THROWS_WITH_AS(mece::make_scorer(mece::default_dimensions(), {.weights = {{"profit", 1.0}}}),
                         "scoring.weights.profit: unknown dimension 'profit' (dimensions: conversion_potential, "
                         "profitability, lift_vs_control, strategic_fit, size_score)",
                         mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::make_scorer(mece::default_dimensions(), {.weights = {{"size_score", -1.0}}}),
                         "scoring.weights.size_score: a weight must be a finite number >= 0, got -1", mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::make_scorer(mece::default_dimensions(),
                                           {.weights = {{"conversion_potential", 0}, {"profitability", 0}, {"lift_vs_control", 0},
                                                        {"strategic_fit", 0}, {"size_score", 0}}}),
                         "scoring.weights: the weights sum to 0; at least one must be positive", mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::make_scorer(mece::default_dimensions(), {.tiers = {{"A", 0.5, ""}, {"B", 0.6, ""}}}),
                         "scoring.tiers[1].min_score: tiers go from the highest min_score down; 0.6 is not below 0.5",
                         mece::ConfigError);

    // Only size counts: the segment nearest 5000 users ranks first.
    const auto by_size = mece::make_scorer(mece::default_dimensions(),
                                           {.weights = {{"conversion_potential", 0}, {"profitability", 0}, {"lift_vs_control", 0},
                                                        {"strategic_fit", 0}, {"size_score", 2}},
                                            .tiers = {{"Big", 0.4, "go"}, {"Small", 0.0, "wait"}},
                                            .actions = {{"High AOV Premium", "call them"}}});
    const auto scores = by_size.score(f.rules, f.stats);
    int biggest = 1;
    for (const auto& s : f.rules.segments())
        if (f.assignment.sizes[std::size_t(s.id - 1)] > f.assignment.sizes[std::size_t(biggest - 1)]) biggest = s.id;
    CHECK(scores.ranking.front() == biggest);
    for (const auto& s : scores.segments) {
        CHECK(s.overall == s.scores[4]);
        CHECK(s.tier == (s.overall >= 0.4 ? "Big" : "Small"));
        CHECK(s.action == (s.id == 1 ? "call them" : s.overall >= 0.4 ? "go" : "wait"));
    }

    // A configured priority is the strategic fit of the segment and of the parts under it.
    const auto prioritised = mece::make_scorer(mece::default_dimensions({{"High AOV Premium", 0.95}}));
    CHECK(prioritised.score(f.rules, f.stats).of(1).scores[3] == 0.95);
}

TEST_CASE("a dimension scoring outside [0,1] is an error naming it") {
    struct Broken {
        std::string name() const { return "broken"; }
        double default_weight() const { return 1; }
        double score(const mece::ScoringContext&) const { return 1.5; }
    };
    Fixture f;
    CHECK_THROWS_WITH_AS(mece::make_scorer(std::tuple{Broken{}}).score(f.rules, f.stats),
                         "scoring: dimension 'broken' scored segment 'High AOV Premium' 1.5, outside [0,1]", mece::Error);
}
