#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <mece/detail/quantile.hpp>
#include <mece/io/json.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/validation.hpp>

#include "support.hpp"

using mece::test::compare;
using mece::test::evaluate_json;
using mece::test::features;
using mece::test::random_rules;
using mece::test::value_of;

using mece::feature;
using mece::percentile;

namespace {

/// numpy's linear quantile, from a full sort.
double slow_quantile(std::vector<double> values, double q) {
    std::erase_if(values, [](double v) { return std::isnan(v); });
    if (values.empty()) return std::nan("");
    std::sort(values.begin(), values.end());
    const double position = double(values.size() - 1) * q;
    const auto below = std::size_t(std::floor(position));
    const double fraction = position - double(below);
    const double a = values[below], b = values[std::min(below + 1, values.size() - 1)];
    return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction;
}

double slow_threshold(const mece::Dataset<double>& data, const mece::Universe& universe, const std::string& name,
                      const mece::Threshold& t) {
    if (!t.is_quantile()) return t.value();
    std::vector<double> values;
    for (auto row : universe.rows()) values.push_back(value_of(data, universe.as_of(), row, name));
    const double q = slow_quantile(values, *t.quantile_probability());
    if (std::isnan(q)) return q;
    double v = q;
    if (t.floor()) v = std::max(v, *t.floor());
    if (t.cap()) v = std::min(v, *t.cap());
    return v;
}

/// First match, row by row, straight from the rule tree: the reference the vectorized
/// assignment is held to. Returns the segment name of every universe user.
std::vector<std::string> reference_segments(const mece::RuleTree& tree, const mece::Dataset<double>& data,
                                            const mece::Universe& universe) {
    std::vector<std::pair<std::pair<std::string, mece::Threshold>, double>> cache;
    const auto threshold = [&](const std::string& name, const mece::Threshold& t) {
        for (const auto& [key, value] : cache)
            if (key.first == name && key.second == t) return value;
        cache.push_back({{name, t}, slow_threshold(data, universe, name, t)});
        return cache.back().second;
    };
    std::vector<std::string> names;
    for (auto row : universe.rows()) {
        const auto matches = [&](const mece::Rule& rule) {
            for (const auto& c : rule.conditions) {
                const double x = value_of(data, universe.as_of(), row, c.feature);
                const double lo = threshold(c.feature, c.threshold);
                if (c.op == mece::Op::between) {
                    if (!(x >= lo && x < threshold(c.feature, *c.upper))) return false;
                } else if (!compare(x, c.op, lo)) {
                    return false;
                }
            }
            return true;
        };
        const auto walk = [&](const auto& self, const std::vector<mece::Rule>& rules,
                              const std::string& catch_all) -> std::string {
            for (const auto& rule : rules) {
                if (!matches(rule)) continue;
                if (rule.sub_rules.empty()) return rule.name;
                return self(self, rule.sub_rules, rule.catch_all.empty() ? rule.name + " / Other" : rule.catch_all);
            }
            return catch_all;
        };
        names.push_back(walk(walk, tree.rules(), tree.catch_all_name()));
    }
    return names;
}

}  // namespace

TEST_CASE("quantiles match numpy's linear method exactly") {
    std::vector<double> a{3.0, 1.0, 2.0, 10.0};
    const auto q = mece::detail::quantiles(a.data(), 4, {0.4, 0.75, 0.5, 0.0, 1.0});
    CHECK(q == std::vector<double>{2.2, 4.75, 2.5, 1.0, 10.0});
    std::vector<double> b{0.1, 0.7, 0.2, 0.3, 0.9, 0.5, 0.6};
    const auto r = mece::detail::quantiles(b.data(), 7, {0.7, 0.4, 0.33, 0.67});
    CHECK(r == std::vector<double>{0.6199999999999999, 0.38000000000000006, 0.298, 0.602});
    std::vector<double> one{5.0};
    CHECK(mece::detail::quantiles(one.data(), 1, {0.3}) == std::vector<double>{5.0});
    std::vector<double> none{std::nan(""), std::nan("")};
    CHECK(std::isnan(mece::detail::quantiles(none.data(), 2, {0.5})[0]));
}

TEST_CASE("a quantile between values whose difference overflows is finite and between them") {
    std::vector<double> ends{-1.7e308, 1.7e308, -1.7e308, 1.7e308};
    const auto q = mece::detail::quantiles(ends.data(), 4, {0.5, 0.0, 1.0, 0.4, 0.6, 0.999});
    for (double v : q) CHECK(std::isfinite(v));
    CHECK(q[0] == 0.0);
    CHECK(q[1] == -1.7e308);
    CHECK(q[2] == 1.7e308);
    CHECK(q[3] < 0.0);
    CHECK(q[4] > 0.0);
    CHECK(mece::detail::numpy_lerp(-1.7e308, 1.7e308, 0.75) == doctest::Approx(0.85e308));
    CHECK(mece::detail::numpy_lerp(1.0, 3.0, 0.25) == 1.5);  // the ordinary case is numpy's formula
}

TEST_CASE("selection quantiles equal sorted quantiles on random data, NaN and ties included") {
    std::mt19937_64 rng(1);
    for (int trial = 0; trial < 300; ++trial) {
        const int n = std::uniform_int_distribution<int>(1, 200)(rng);
        const int levels = std::uniform_int_distribution<int>(1, 50)(rng);
        std::vector<double> values(static_cast<std::size_t>(n));
        for (auto& v : values)
            v = std::uniform_int_distribution<int>(0, 9)(rng) == 0 ? std::nan("")
                                                                   : std::uniform_int_distribution<int>(0, levels)(rng) * 0.37;
        std::vector<double> probabilities;
        const int asked = trial % 2 ? 5 : 25;  // few: selection; many: one sort
        for (int k = 0; k < asked; ++k) probabilities.push_back(std::uniform_real_distribution<double>(0, 1)(rng));
        probabilities.push_back(0.0);
        probabilities.push_back(1.0);
        std::vector<double> work = values;
        const auto fast = mece::detail::quantiles(work.data(), n, probabilities);
        for (std::size_t k = 0; k < probabilities.size(); ++k) {
            const double slow = slow_quantile(values, probabilities[k]);
            if (std::isnan(slow)) CHECK(std::isnan(fast[k]));
            else CHECK(fast[k] == slow);
        }
    }
}

TEST_CASE("property: the histogram select (65536 values and more) equals sorted quantiles, skewed, tied and wide") {
    std::mt19937_64 rng(65536);
    for (int trial = 0; trial < 12; ++trial) {
        CAPTURE(trial);
        const int n = std::uniform_int_distribution<int>(65536, 140001)(rng);  // every remainder mod 4
        std::vector<double> values(static_cast<std::size_t>(n));
        std::lognormal_distribution<double> skewed(5.0, 1.5);
        for (auto& v : values) {
            switch (trial % 4) {
                case 0: v = skewed(rng); break;                                                  // a long tail
                case 1: v = double(std::uniform_int_distribution<int>(0, 3)(rng)); break;      // four values
                case 2: v = std::uniform_real_distribution<double>(-1e300, 1e300)(rng); break;  // a range past a double
                default: v = std::uniform_int_distribution<int>(0, 99)(rng) == 0 ? std::nan("") : skewed(rng) - 400.0;
            }
        }
        if (trial == 5) values.back() = 1e9;  // one far value, the rest in the first bin
        const std::vector<double> probabilities{0.0, 0.1, 0.4, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0};
        std::vector<double> work = values;
        const auto fast = mece::detail::quantiles(work.data(), n, probabilities);
        for (std::size_t k = 0; k < probabilities.size(); ++k) CHECK(fast[k] == slow_quantile(values, probabilities[k]));
    }
}

TEST_CASE("seed004: exact rule text, resolved thresholds and first-match assignment") {
    std::mt19937_64 rng(4);
    const auto data = mece::test::random_dataset(rng, 3000, 20772, 40);
    const mece::Universe universe{data};
    const auto tree = mece::presets::seed004();
    const auto rules = tree.resolve(data, universe);
    REQUIRE(rules.segments().size() == 6);
    CHECK(rules.thresholds().size() == 6);  // five quantiles and the fixed 30 days
    CHECK_FALSE(rules.thresholds()[5].threshold.is_quantile());
    CHECK(rules.thresholds()[5].value == 30);
    for (const auto& t : rules.thresholds())
        CHECK(t.value == slow_threshold(data, universe, t.feature, t.threshold));

    const auto aov75 = rules.thresholds()[0].shown;
    CHECK(rules.segments()[0].rules_applied() == "avg_order_value >= " + mece::format_number(aov75) + " (p75)");
    // "Not matched by an earlier rule" is written out unless the rule's own bounds exclude it.
    CHECK(rules.segments()[1].rules_applied().find("not (") == std::string::npos);
    CHECK(rules.segments()[3].rules_applied().find("not (") == std::string::npos);
    // A negated comparison on a feature that is never missing reads as the opposite one.
    CHECK(rules.segments()[4].rules_applied().rfind("days_since_last_order <= 30 and avg_order_value < ", 0) == 0);
    CHECK(rules.segments()[5].catch_all);
    CHECK(rules.segments()[5].name == "Other Bucket");

    const auto assignment = rules.assign(data, universe);
    const auto expected = reference_segments(tree, data, universe);
    for (mece::RowIndex i = 0; i < universe.size(); ++i)
        CHECK(rules.segment(assignment.segment_ids[i]).name == expected[std::size_t(i)]);
    CHECK(mece::check_mece(rules, assignment, data, universe).ok());
}

TEST_CASE("property: random rule trees over random data are MECE and every rule reproduces its segment") {
    std::mt19937_64 rng(2026);
    for (int trial = 0; trial < 150; ++trial) {
        const auto [levels, data, universe, tree] = mece::test::random_case(rng, 12, 400);
        CAPTURE(trial);

        const auto rules = tree.resolve(data, universe);
        const auto assignment = rules.assign(data, universe);
        REQUIRE(assignment.segment_ids.size() == universe.size());

        // Every user in exactly one segment, the one first match gives.
        Eigen::Index total = 0;
        for (auto size : assignment.sizes) total += size;
        CHECK(total == universe.size());
        const auto expected = reference_segments(tree, data, universe);
        for (mece::RowIndex i = 0; i < universe.size(); ++i) {
            const auto id = assignment.segment_ids[i];
            REQUIRE(id >= 1);
            REQUIRE(id <= int(rules.segments().size()));
            CHECK(rules.segment(id).name == expected[std::size_t(i)]);
        }

        // Each segment's machine-readable rule, evaluated with no help from the library,
        // selects exactly its members; and so does its expression.
        for (const auto& segment : rules.segments()) {
            const nlohmann::json rule = segment.rule;
            const auto mask = segment.rule.evaluate(data, universe);
            for (mece::RowIndex i = 0; i < universe.size(); ++i) {
                const bool member = assignment.segment_ids[i] == segment.id;
                CHECK(evaluate_json(rule, data, universe.as_of(), universe.rows()[i]) == member);
                CHECK(mask[i] == member);
            }
        }
        CHECK(mece::check_mece(rules, assignment, data, universe).ok());

        // The text shows every threshold as the number that selects the same users of
        // the universe (the shortest: a quantile between two users' values reads as the
        // shortest number between them), except a bound a tighter one makes redundant.
        for (const auto& segment : rules.segments()) {
            const std::string text = segment.rules_applied();
            for (const auto& p : segment.conjunction) {
                const double printed = std::isnan(p.shown) ? p.value : p.shown;
                const std::string number = mece::format_number(printed);
                double parsed = 0;
                std::from_chars(number.data(), number.data() + number.size(), parsed);
                if (!std::isnan(printed)) CHECK(parsed == printed);
                if (!std::isnan(p.value)) {
                    mece::Predicate as_printed = p;
                    as_printed.value = printed;
                    CHECK((mece::Expr::of(as_printed).evaluate(data, universe) == mece::Expr::of(p).evaluate(data, universe)).all());
                    CHECK(number.size() <= mece::format_number(p.value).size());
                }
                // Implied by another term: a condition of its own, or the opposite of an
                // earlier rule's (`x >= 5` for "not (x < 5)" makes `x >= 1` redundant).
                std::vector<mece::Predicate> terms = segment.conjunction;
                const auto& rule = segment.rule;
                if (rule.kind() == mece::Expr::Kind::predicate) terms.push_back(rule.predicate());
                for (const auto& term : rule.children())
                    if (term.kind() == mece::Expr::Kind::predicate) terms.push_back(term.predicate());
                bool implied = false;
                for (const auto& q : terms) implied = implied || (!(q == p) && mece::detail::implies(q, p));
                if (!implied) CHECK(text.find(number) != std::string::npos);
            }
        }
    }
}

TEST_CASE("a quantile's text is the shortest number between the two values it lies between") {
    // The p50 of 1220.3 and 1220.31 is 1220.3049999999998 in double arithmetic (numpy's
    // too); every number strictly between the two values selects the same users with any
    // operator, and 1220.305 is the shortest of them. A quantile that is a user's value
    // reads as that value.
    const auto rules_for = [](double a, double b) {
        auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, a, 1, 1, 0.5, 0.5},
                                              {2, "2026-11-15", nullptr, b, 1, 1, 0.5, 0.5}});
        const mece::Universe universe{data};
        mece::RuleTree tree;
        tree.add({"High", {feature("avg_order_value") >= mece::percentile(50)}});
        return tree.resolve(data, universe);
    };
    const auto close = rules_for(1220.3, 1220.31);
    CHECK(close.thresholds()[0].value == 1220.3049999999998);
    CHECK(close.segments()[0].rules_applied() == "avg_order_value >= 1220.305 (p50)");
    const auto apart = rules_for(1220.3, 1220.5);
    CHECK(apart.segments()[0].rules_applied() == "avg_order_value >= 1220.4 (p50)");
    CHECK(apart.thresholds()[0].shown == 1220.4);
    const auto tied = rules_for(50, 50);
    CHECK(tied.segments()[0].rules_applied() == "avg_order_value >= 50 (p50)");
    // The machine form keeps the exact value.
    const nlohmann::json rule = close.segments()[0].rule;
    CHECK(rule["value"] == 1220.3049999999998);
}

TEST_CASE("float datasets assign like double ones when the values are exact in both") {
    std::mt19937_64 rng(9);
    const auto wide = mece::test::random_dataset<double>(rng, 500, 20772, 8);
    rng.seed(9);
    const auto narrow = mece::test::random_dataset<float>(rng, 500, 20772, 8);
    const auto tree = mece::presets::seed004();
    const mece::Universe u_wide{wide}, u_narrow{narrow};
    const auto a = tree.resolve(wide, u_wide).assign(wide, u_wide);
    const auto b = tree.resolve(narrow, u_narrow).assign(narrow, u_narrow);
    CHECK((a.segment_ids == b.segment_ids).all());
}

TEST_CASE("nested rules: sub-segments, their catch-alls and their exact text") {
    auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 500, 1, 1, 0.9, 0.5},
                                          {2, "2026-11-15", nullptr, 500, 1, 1, 0.1, 0.5},
                                          {3, "2026-11-15", nullptr, 50, 1, 1, 0.9, 0.5},
                                          {4, "2026-11-15", "2026-11-10", 50, 1, 1, 0.1, 0.5}});
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High", {feature("avg_order_value") >= 100}, {{"High engaged", {feature("engagement_score") > 0.5}, {}, {}}}, {}})
        .add({"Recent", {feature("days_since_last_order") <= 30}});
    const auto rules = tree.resolve(data, universe);
    REQUIRE(rules.segments().size() == 4);
    CHECK(rules.segments()[0].name == "High engaged");
    CHECK(rules.segments()[0].parents == std::vector<std::string>{"High"});
    CHECK(rules.segments()[0].rules_applied() == "avg_order_value >= 100 and engagement_score > 0.5");
    CHECK(rules.segments()[1].name == "High / Other");
    CHECK(rules.segments()[1].rules_applied() == "avg_order_value >= 100 and engagement_score <= 0.5");
    CHECK(rules.segments()[2].rules_applied() == "days_since_last_order <= 30 and avg_order_value < 100");
    CHECK(rules.segments()[3].rules_applied() == "avg_order_value < 100 and not (days_since_last_order <= 30)");
    const auto assignment = rules.assign(data, universe);
    CHECK(assignment.sizes == std::vector<Eigen::Index>{1, 1, 1, 1});
    CHECK(assignment.segment_ids[2] == 4);  // never ordered: no recency rule matches
    CHECK(assignment.segment_ids[3] == 3);
}

TEST_CASE("hybrid thresholds show the quantile and the floor") {
    auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5},
                                          {2, "2026-11-15", nullptr, 200, 1, 1, 0.1, 0.5},
                                          {3, "2026-11-15", nullptr, 300, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"Floored", {feature("avg_order_value") >= mece::quantile(0.5).at_least(250)}})
        .add({"Capped", {feature("avg_order_value") >= mece::quantile(0.5).at_most(150)}});
    const auto rules = tree.resolve(data, universe);
    CHECK(rules.segments()[0].rules_applied() == "avg_order_value >= 250 (max(p50 = 200, 250))");
    CHECK(rules.segments()[1].rules_applied() ==
          "150 (min(p50 = 200, 150)) <= avg_order_value < 250 (max(p50 = 200, 250))");
    CHECK(rules.assign(data, universe).sizes == std::vector<Eigen::Index>{1, 1, 1});
}

TEST_CASE("rule errors name the rule and the condition") {
    auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    SUBCASE("unknown feature") {
        mece::RuleTree tree;
        tree.add({"A", {feature("avg_order_valu") > 1}});
        CHECK_THROWS_WITH_AS(tree.resolve(data, universe),
                             "rule 'A', condition 1.feature: unknown feature 'avg_order_valu' (not a numeric column of "
                             "the data nor a derived feature)",
                             mece::ConfigError);
    }
    SUBCASE("quantile out of range") {
        mece::RuleTree tree;
        tree.add({"A", {feature("avg_order_value") > mece::quantile(1.5)}});
        CHECK_THROWS_WITH_AS(tree.validate(), "rule 'A', condition 1: quantile must be in [0,1], got 1.5", mece::ConfigError);
    }
    SUBCASE("duplicate names") {
        mece::RuleTree tree;
        tree.add({"A", {}}).add({"A", {}});
        CHECK_THROWS_WITH_AS(tree.validate(), "rule 2 'A': duplicate segment name 'A'", mece::ConfigError);
        mece::RuleTree clash;
        clash.add({"Other Bucket", {}});
        CHECK_THROWS_WITH_AS(clash.validate(), "catch-all: duplicate segment name 'Other Bucket'", mece::ConfigError);
    }
    SUBCASE("floor above cap") {
        mece::RuleTree tree;
        tree.add({"A", {feature("avg_order_value") > mece::quantile(0.5).at_least(10).at_most(5)}});
        CHECK_THROWS_WITH_AS(tree.validate(), "rule 'A', condition 1: floor 10 is above cap 5", mece::ConfigError);
    }
}

TEST_CASE("segments of a temporary can be looped over") {
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    std::vector<std::string> texts;
    for (const auto& segment : mece::presets::seed000().resolve(data, universe).segments())
        texts.push_back(segment.rules_applied());
    REQUIRE(texts.size() == 4);
    CHECK(texts[0] == "avg_order_value > 3000");
}

TEST_CASE("an empty universe resolves and assigns nothing") {
    const auto data = mece::test::make_dataset({{1, "2026-01-01", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data, {.as_of = 20772}};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    CHECK(assignment.segment_ids.size() == 0);
    CHECK(assignment.sizes == std::vector<Eigen::Index>(6, 0));
    CHECK(std::isnan(rules.thresholds()[0].value));
    CHECK(mece::check_mece(rules, assignment, data, universe).ok());
}

TEST_CASE("user_id_hash is the documented SplitMix64 top 24 bits") {
    // Values from the Python definition in docs/strategy-json.md.
    CHECK(mece::hash_user_id(0) == 14819496);
    CHECK(mece::hash_user_id(1) == 9505325);
    CHECK(mece::hash_user_id(12345) == 2232706);
    CHECK(mece::hash_user_id(-1) == 14997873);
    static_assert(mece::hash_user_id(0) == 14819496, "the hash is usable at compile time");
}

TEST_CASE("large inputs: quantiles from the histogram select equal sorted quantiles") {
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 12; ++trial) {
        const int n = std::uniform_int_distribution<int>(70000, 120000)(rng);
        std::vector<double> values(static_cast<std::size_t>(n));
        const int kind = trial % 4;
        for (auto& v : values) {
            if (std::uniform_int_distribution<int>(0, 49)(rng) == 0) v = std::nan("");
            else if (kind == 0) v = std::lognormal_distribution<double>(5, 1.5)(rng);          // skewed
            else if (kind == 1) v = std::uniform_int_distribution<int>(0, 20)(rng) * 0.1;      // heavy ties
            else if (kind == 2) v = 7.25;                                                      // one value
            else v = std::uniform_real_distribution<double>(-1e300, 1e300)(rng);              // huge range
        }
        std::vector<double> probabilities{0.0, 0.4, 0.75, 0.7, 1.0, 0.123};
        if (trial % 2)  // the cut points of a split into many parts
            for (int k = 1; k < 30; ++k) probabilities.push_back(k / 30.0);
        std::vector<double> work = values;
        const auto fast = mece::detail::quantiles(work.data(), n, probabilities);
        CAPTURE(trial);
        for (std::size_t k = 0; k < probabilities.size(); ++k) CHECK(fast[k] == slow_quantile(values, probabilities[k]));
    }
}

TEST_CASE("limits: a tree of more than 1000 rules or with a name over 200 bytes is refused") {
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    mece::RuleTree many;
    for (int i = 0; i < 1000; ++i) many.add({"r" + std::to_string(i), {feature("avg_order_value") >= double(i)}});
    CHECK_THROWS_WITH_AS(many.resolve(data, universe),
                         "rules: more than the 1000 rules a tree may hold (sub-rules and catch-alls included)", mece::ConfigError);
    mece::RuleTree named;
    named.add({"ok", {feature("avg_order_value") >= 1.0}, {{std::string(201, 'n'), {}}}});
    CHECK_THROWS_WITH_AS(named.resolve(data, universe), "rule 1 'ok' > rule 1: a name of 201 bytes, longer than the 200 allowed",
                         mece::ConfigError);
    named.catch_all(std::string(500, 'c'));
    CHECK_THROWS_WITH_AS(named.resolve(data, universe), "catch-all: a name of 500 bytes, longer than the 200 allowed", mece::ConfigError);
}

TEST_CASE("limits: a rule of more than 100 conditions, or exact rules of more than 2,000,000 conditions in all, are refused") {
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    const auto conditions = [](int n) {
        std::vector<mece::Condition> out;
        for (int c = 0; c < n; ++c) out.push_back(feature("avg_order_value") >= double(c));
        return out;
    };
    mece::RuleTree wide;
    wide.add({"a", conditions(100)});
    CHECK_NOTHROW(wide.resolve(data, universe));
    wide.add({"b", conditions(101)});
    CHECK_THROWS_WITH_AS(wide.resolve(data, universe), "rule 2 'b': 101 conditions, more than the 100 a rule may hold",
                         mece::ConfigError);
    // 400 rules of 50 conditions: each rule's text excludes the ones before, 4 million in all.
    mece::RuleTree square;
    for (int i = 0; i < 400; ++i) square.add({"r" + std::to_string(i), conditions(50)});
    CHECK_THROWS_WITH_AS(square.resolve(data, universe),
                         "rules: the segments' exact rules would hold more than the 2000000 conditions allowed in all (each "
                         "rule's text excludes the rules before it, so it grows with the square of the rule count); use fewer "
                         "rules, or fewer conditions per rule",
                         mece::ConfigError);
    mece::RuleTree fits;  // 190 rules of 50: 190 * 191 / 2 * 50 + 190 * 50 = 916,750
    for (int i = 0; i < 190; ++i) fits.add({"r" + std::to_string(i), conditions(50)});
    CHECK_NOTHROW(fits.validate());
}

TEST_CASE("limits: 999 overlapping rules, the most a tree may hold, still segment and check") {
    std::mt19937_64 rng(17);
    const auto data = mece::test::random_dataset(rng, 3000, 20772, 50);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    for (int i = 0; i < 999; ++i)
        tree.add({"r" + std::to_string(i), {feature("avg_order_value") >= percentile(i % 97), feature("engagement_score") >= percentile(i % 89)}});
    const auto rules = tree.resolve(data, universe);
    REQUIRE(rules.segments().size() == 1000);
    const auto assignment = rules.assign(data, universe);
    CHECK(mece::check_mece(rules, assignment, data, universe).ok());
}
