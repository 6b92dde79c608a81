#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <mece/constraint_solver.hpp>
#include <mece/io/json.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/validation.hpp>

#include "support.hpp"

using mece::feature;
using mece::test::evaluate_json;

namespace {

/// Users with `aov` 0..n-1 (one each), all in the universe.
mece::Dataset<double> ramp(Eigen::Index n, double engagement = 0.5) {
    typename mece::Dataset<double>::Columns c;
    c.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        c.user_id[i] = 7 * i + 1;
        c.cart_abandoned_date[i] = 20772;
        c.last_order_date[i] = i % 3 == 0 ? mece::no_date : 20772 - Eigen::Index(i % 40);
        c.avg_order_value[i] = double(i);
        c.sessions_last_30d[i] = int(i % 5);
        c.num_cart_items[i] = 1;
        c.engagement_score[i] = engagement;
        c.profitability_score[i] = double(i % 10) / 10;
    }
    return mece::Dataset<double>(std::move(c));
}

/// Everything a solution must satisfy, whatever the input: sizes add up, the segments
/// partition the universe, each segment's JSON rule (evaluated here, without the
/// library) selects exactly its members, and every segment is within bounds or says why.
void check_solution(const mece::Solution& solution, const mece::Dataset<double>& data, const mece::Universe& universe) {
    const auto& segments = solution.rules.segments();
    REQUIRE(solution.assignment.sizes.size() == segments.size());
    REQUIRE(solution.status.size() == segments.size());
    REQUIRE(solution.assignment.segment_ids.size() == universe.size());
    Eigen::Index total = 0;
    for (auto size : solution.assignment.sizes) total += size;
    CHECK(total == universe.size());
    std::vector<Eigen::Index> counted(segments.size(), 0);
    for (Eigen::Index i = 0; i < universe.size(); ++i) {
        const auto id = solution.assignment.segment_ids[i];
        REQUIRE(id >= 1);
        REQUIRE(id <= int(segments.size()));
        ++counted[std::size_t(id - 1)];
    }
    CHECK(counted == solution.assignment.sizes);
    std::set<std::string> names;
    for (const auto& segment : segments) {
        CHECK(names.insert(segment.name).second);
        const nlohmann::json rule = segment.rule;
        for (Eigen::Index i = 0; i < universe.size(); ++i)
            CHECK(evaluate_json(rule, data, universe.as_of(), universe.rows()[i]) ==
                  (solution.assignment.segment_ids[i] == segment.id));
        const auto size = solution.assignment.sizes[std::size_t(segment.id - 1)];
        const auto& status = solution.status[std::size_t(segment.id - 1)];
        const bool within = size >= solution.options.min_size && size <= solution.options.max_size;
        CHECK(status.valid == within);
        CHECK(status.reason.empty() == within);
        // Only a catch-all is ever left below the minimum: any other rule is dissolved;
        // and no segment is empty: an empty catch-all is dropped.
        if (size < solution.options.min_size) CHECK(segment.catch_all);
        if (universe.size() > 0) CHECK(size > 0);
    }
    // The assignment the rules give by first match is the solution's assignment.
    const auto again = solution.rules.assign(data, universe);
    CHECK((again.segment_ids == solution.assignment.segment_ids).all());
    CHECK(mece::check_mece(solution.rules, solution.assignment, data, universe).ok());
}

mece::Solution solve(const mece::RuleTree& tree, const mece::Dataset<double>& data, const mece::Universe& universe,
                     mece::ConstraintOptions options) {
    const auto rules = tree.resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    return mece::ConstraintSolver(std::move(options)).solve(rules, assignment, data, universe);
}

}  // namespace

TEST_CASE("a small segment is dissolved into the later rules and the text stops excluding it") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"Top", {feature("avg_order_value") >= 2000}})
        .add({"Tiny", {feature("avg_order_value") >= 1900}})  // 100 users
        .add({"Middle", {feature("avg_order_value") >= 1000}});
    const auto solution = solve(tree, data, universe, {.min_size = 500, .max_size = 5000});
    check_solution(solution, data, universe);
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 3);
    CHECK(segments[1].name == "Middle");
    CHECK(solution.assignment.sizes == std::vector<Eigen::Index>{1000, 1000, 1000});
    CHECK(segments[1].rules_applied() == "1000 <= avg_order_value < 2000");
    REQUIRE(solution.log.size() == 1);
    const auto& event = solution.log[0];
    CHECK(event.action == mece::ConstraintEvent::Action::dissolve);
    CHECK(event.segment == "Tiny");
    CHECK(event.size == 100);
    CHECK(event.reason == "below min_size (100 < 500)");
    CHECK(event.users == std::vector<std::pair<std::string, Eigen::Index>>{{"Middle", 100}});
    CHECK(event.parents.empty());
    CHECK(event.position == 1);
}

TEST_CASE("a large segment is split at cut points of the first feature that works, with exact parts") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High", {feature("avg_order_value") >= 500}});  // 2500 users
    const auto solution = solve(tree, data, universe, {.min_size = 100, .max_size = 1000});
    check_solution(solution, data, universe);
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 4);
    // ceil(2500 / 1000) = 3 parts at the 1/3 and 2/3 quantiles of AOV over the segment
    // (1332.33.. and 2165.66..), moved to the shortest numbers that cut the same users.
    CHECK(segments[0].name == "High / avg_order_value < 1333");
    CHECK(segments[1].name == "High / 1333 <= avg_order_value < 2166");
    CHECK(segments[2].name == "High / avg_order_value >= 2166");
    CHECK(segments[0].parents == std::vector<std::string>{"High"});
    CHECK(segments[2].catch_all);
    CHECK(segments[0].rules_applied() == "500 <= avg_order_value < 1333");
    CHECK(segments[1].rules_applied() == "1333 <= avg_order_value < 2166");
    CHECK(segments[2].rules_applied() == "avg_order_value >= 2166");
    CHECK(solution.assignment.sizes == std::vector<Eigen::Index>{833, 833, 834, 500});
    REQUIRE(solution.log.size() == 1);
    CHECK(solution.log[0].action == mece::ConstraintEvent::Action::split);
    CHECK(solution.log[0].feature == "avg_order_value");
    CHECK(solution.log[0].reason == "above max_size (2500 > 1000)");
}

TEST_CASE("the configured split feature of a segment is tried first") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High", {feature("avg_order_value") >= 500}});
    const auto solution = solve(tree, data, universe, {.min_size = 100, .max_size = 1300, .split_by = {{"High", "profitability_score"}}});
    check_solution(solution, data, universe);
    CHECK(solution.log.at(0).feature == "profitability_score");
    CHECK(solution.rules.segments()[0].name == "High / profitability_score < 0.5");
}

TEST_CASE("a split on a feature that may be missing names its last part for what its rule holds, and says why it fails") {
    const auto data = ramp(3000);  // a third never ordered
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"All", {feature("avg_order_value") >= 0}});
    const auto split = solve(tree, data, universe, {.min_size = 100, .max_size = 2100, .split_by = {{"All", "days_since_last_order"}}});
    check_solution(split, data, universe);
    REQUIRE(split.log.at(0).feature == "days_since_last_order");
    const auto& last = split.rules.segments()[1];
    CHECK(last.name.rfind("All / days_since_last_order >= ", 0) == 0);
    CHECK(last.name.ends_with(" or missing"));  // its rule is not (days_since_last_order < cut)
    // Too many without a value for any cut: the log says so, not "ties".
    const auto failed = solve(tree, data, universe, {.min_size = 100, .max_size = 1000, .split_features = {"days_since_last_order"}});
    check_solution(failed, data, universe);
    CHECK(failed.log.at(0).feature == "user_id_hash");
    CHECK(failed.log[0].reason.find("no split by days_since_last_order: parts of ") != std::string::npos);
    CHECK(failed.log[0].reason.find("(1000 without a value, all in the last part)") != std::string::npos);
}

TEST_CASE("ties that defeat every feature end in a split by the documented hash of user_id") {
    auto data = ramp(5000, 0.5);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"Engaged", {feature("engagement_score") >= 0.5}});  // everyone
    const auto solution = solve(tree, data, universe,
                                {.min_size = 500, .max_size = 2000, .split_features = {"engagement_score", "num_cart_items"}});
    check_solution(solution, data, universe);
    REQUIRE(solution.log.size() == 2);  // the split, then the empty final catch-all dropped
    CHECK(solution.log[0].feature == "user_id_hash");
    CHECK(solution.log[0].reason.find("no split by engagement_score: parts of ") != std::string::npos);
    CHECK(solution.log[0].reason.find("(tied values)") != std::string::npos);
    CHECK(solution.log[1].action == mece::ConstraintEvent::Action::drop);
    CHECK(solution.log[1].segment == "Other Bucket");
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 3);
    CHECK(segments[0].name.rfind("Engaged / user_id_hash < ", 0) == 0);
    for (std::size_t s = 0; s < 3; ++s) {
        CHECK(solution.assignment.sizes[s] >= 1600);
        CHECK(solution.assignment.sizes[s] <= 1700);
        CHECK(solution.status[s].valid);
    }
    // The last part takes what the catch-all would: users with engagement below 0.5,
    // of whom this data has none.
    CHECK(segments[2].merged == std::vector<std::string>{"Other Bucket"});
    CHECK(segments[2].rule.kind() == mece::Expr::Kind::any);
}

TEST_CASE("a universe smaller than min_size ends as one flagged catch-all") {
    const auto data = ramp(300);
    const mece::Universe universe{data};
    const auto solution = solve(mece::presets::seed004(), data, universe, {});
    check_solution(solution, data, universe);
    REQUIRE(solution.rules.segments().size() == 1);
    CHECK(solution.rules.segments()[0].name == "Other Bucket");
    CHECK(solution.rules.segments()[0].rules_applied() == "all users");
    CHECK(solution.status[0].reason == "below min_size (300 < 500): the whole universe has 300 users");
    CHECK(solution.log.size() == 6);  // five dissolved, one kept
}

TEST_CASE("an empty universe terminates with one empty flagged catch-all") {
    const auto data = ramp(0);
    const mece::Universe universe{data, {.as_of = 20772}};
    const auto solution = solve(mece::presets::seed004(), data, universe, {});
    check_solution(solution, data, universe);
    CHECK(solution.assignment.sizes == std::vector<Eigen::Index>{0});
}

TEST_CASE("a rule whose sub-rules all dissolve becomes a segment again") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High",
              {feature("avg_order_value") >= 1000},
              {{"High A", {feature("avg_order_value") >= 2900}}, {"High B", {feature("avg_order_value") >= 2800}}}});
    const auto solution = solve(tree, data, universe, {.min_size = 500, .max_size = 5000});
    check_solution(solution, data, universe);
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].name == "High");
    CHECK(segments[0].parents.empty());
    CHECK(segments[0].rules_applied() == "avg_order_value >= 1000");
    CHECK(solution.log.at(2).action == mece::ConstraintEvent::Action::collapse);
    // Where each event happened in the tree: "High B" was the first rule under "High"
    // once "High A" had gone; the collapsed "High" is the first top-level rule.
    CHECK(solution.log.at(0).parents == std::vector<std::string>{"High"});
    CHECK(solution.log.at(0).position == 0);
    CHECK(solution.log.at(1).segment == "High B");
    CHECK(solution.log.at(1).parents == std::vector<std::string>{"High"});
    CHECK(solution.log.at(1).position == 0);
    CHECK(solution.log.at(2).parents.empty());
    CHECK(solution.log.at(2).position == 0);
}

TEST_CASE("a small sub-catch-all with one other segment under its rule makes the rule one segment again") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High", {feature("avg_order_value") >= 1000}, {{"High A", {feature("avg_order_value") >= 1100}}}});
    const auto solution = solve(tree, data, universe, {.min_size = 500, .max_size = 5000});
    check_solution(solution, data, universe);
    CHECK(solution.assignment.sizes == std::vector<Eigen::Index>{2000, 1000});
    CHECK(solution.rules.segments()[0].name == "High");
    CHECK(solution.rules.segments()[0].rules_applied() == "avg_order_value >= 1000");
    REQUIRE(solution.log.size() == 1);
    CHECK(solution.log[0].action == mece::ConstraintEvent::Action::collapse);
    CHECK(solution.log[0].reason ==
          "'High A' and 'High / Other' are one segment again: its catch-all 'High / Other' (100 users) is below min_size 500, "
          "and the rule holds nothing else");
}

TEST_CASE("a small catch-all joins the segment under its rule closest to it in profile, by an exact disjunction") {
    // Under "High" (aov >= 1000): "Engaged" (engagement >= 0.5) and "Profitable" both of
    // 1000 users; the 200 users left over are like "Profitable" and unlike "Engaged".
    typename mece::Dataset<double>::Columns c;
    c.resize(4000);
    for (Eigen::Index i = 0; i < 4000; ++i) {
        const bool high = i >= 1800, engaged = high && i < 2800, profitable = i >= 2800 && i < 3800;
        c.user_id[i] = i + 1;
        c.cart_abandoned_date[i] = 20772;
        c.last_order_date[i] = mece::no_date;
        c.avg_order_value[i] = high ? 1000 + double(i % 7) : 10 + double(i % 7);
        c.sessions_last_30d[i] = 1;
        c.num_cart_items[i] = 1;
        c.engagement_score[i] = engaged ? 0.9 : 0.1;
        c.profitability_score[i] = profitable ? 0.8 : high ? 0.7 : 0.1;  // the rest of High: 0.7
    }
    const mece::Dataset<double> data(std::move(c));
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"High",
              {feature("avg_order_value") >= 1000},
              {{"Engaged", {feature("engagement_score") >= 0.5}}, {"Profitable", {feature("profitability_score") >= 0.75}}},
              "High rest"});
    const auto solution = solve(tree, data, universe, {.min_size = 500, .max_size = 5000});
    check_solution(solution, data, universe);
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 3);
    CHECK(solution.assignment.sizes == std::vector<Eigen::Index>{1000, 1200, 1800});
    CHECK(segments[1].name == "Profitable");
    CHECK(segments[1].merged == std::vector<std::string>{"High rest"});
    CHECK(segments[1].rules_applied() ==
          "(avg_order_value >= 1000 and profitability_score >= 0.75 and engagement_score < 0.5) or "
          "(avg_order_value >= 1000 and engagement_score < 0.5 and profitability_score < 0.75)");
    REQUIRE(solution.log.size() == 1);
    CHECK(solution.log[0].action == mece::ConstraintEvent::Action::merge);
    CHECK(solution.log[0].segment == "High rest");
    CHECK(solution.log[0].users == std::vector<std::pair<std::string, Eigen::Index>>{{"Profitable", 200}});
    CHECK(solution.log[0].reason.rfind("below min_size (200 < 500): merged with 'Profitable', the closest in profile", 0) == 0);
    // The tree keeps the catch-all where it stood, naming the segment it joined.
    CHECK(solution.rules.root().children[0].children[2].merged_into == "Profitable");
    // Only a segment that stays within bounds with it is a candidate: with max_size
    // 1150 neither is, so it joins the closest, Profitable, which is split with it.
    const auto tighter = solve(tree, data, universe, {.min_size = 250, .max_size = 1150});
    check_solution(tighter, data, universe);
    CHECK(tighter.log.at(0).action == mece::ConstraintEvent::Action::merge);
    CHECK(tighter.log.at(0).users == std::vector<std::pair<std::string, Eigen::Index>>{{"Profitable", 200}});
    CHECK(tighter.log.at(1).action == mece::ConstraintEvent::Action::split);
    CHECK(tighter.log.at(1).segment == "Profitable");
}

TEST_CASE("under a rule, a catch-all no segment can take within bounds joins the closest, which is split with it") {
    const auto data = ramp(6000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    // Under High (aov >= 1000, 5000 users): A 2400 and B 2400 users, the rest 200, like B.
    tree.add({"High",
              {feature("avg_order_value") >= 1000},
              {{"A", {feature("avg_order_value") >= 3600}}, {"B", {feature("avg_order_value") >= 1200}}}});
    const auto solution = solve(tree, data, universe, {.min_size = 500, .max_size = 2500});
    check_solution(solution, data, universe);
    for (std::size_t s = 0; s < solution.rules.segments().size(); ++s) CHECK(solution.status[s].valid);
    REQUIRE(solution.log.size() >= 2);
    CHECK(solution.log[0].action == mece::ConstraintEvent::Action::merge);
    CHECK(solution.log[0].segment == "High / Other");
    CHECK(solution.log[0].users == std::vector<std::pair<std::string, Eigen::Index>>{{"B", 200}});
    CHECK(solution.log[1].action == mece::ConstraintEvent::Action::split);
    CHECK(solution.log[1].segment == "B");
}

TEST_CASE("a catch-all no segment can take within bounds joins the closest, which is split with it") {
    const auto data = ramp(5000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    // Top 2400 users, Middle 2400, the final catch-all 200: either segment with it would
    // be above max_size; Middle (aov 200..2599) is closer to it (aov 0..199).
    tree.add({"Top", {feature("avg_order_value") >= 2600}}).add({"Middle", {feature("avg_order_value") >= 200}});
    const auto solution = solve(tree, data, universe, {.min_size = 250, .max_size = 2400});
    check_solution(solution, data, universe);
    const auto& segments = solution.rules.segments();
    REQUIRE(segments.size() == 3);
    for (std::size_t s = 0; s < segments.size(); ++s) CHECK(solution.status[s].valid);
    REQUIRE(solution.log.size() == 2);
    CHECK(solution.log[0].action == mece::ConstraintEvent::Action::merge);
    CHECK(solution.log[0].users == std::vector<std::pair<std::string, Eigen::Index>>{{"Middle", 200}});
    CHECK(solution.log[1].action == mece::ConstraintEvent::Action::split);
    CHECK(solution.log[1].segment == "Middle");
    CHECK(solution.log[1].size == 2600);
    // Each part of Middle holds its part of the catch-all: the catch-all is split at the
    // same cut, its parts merged into Middle's.
    CHECK(segments[1].merged.size() == 1);
    CHECK(segments[2].merged.size() == 1);
    CHECK(solution.assignment.sizes[1] + solution.assignment.sizes[2] == 2600);
}

TEST_CASE("adversarial: as many one-user rules as a tree may hold and a giant catch-all") {
    const auto data = ramp(60000);
    const mece::Universe universe{data};
    mece::RuleTree tree;
    for (int i = 0; i < 999; ++i) tree.add({"one " + std::to_string(i), {feature("avg_order_value") == double(i * 7)}});
    const auto solution = solve(tree, data, universe, {});
    check_solution(solution, data, universe);
    CHECK(solution.rules.segments().size() == 3);  // the catch-all split in three
    CHECK(solution.log.size() == 1000);
}

TEST_CASE("split parts never exceed max_split_parts; the segment is flagged instead") {
    const auto data = ramp(3000);
    const mece::Universe universe{data};
    const auto solution = solve(mece::RuleTree{}, data, universe, {.min_size = 1, .max_size = 10, .max_split_parts = 100});
    check_solution(solution, data, universe);
    CHECK(solution.status[0].reason ==
          "above max_size (3000 > 10): a split would need 300 parts, more than max_split_parts 100");
}

TEST_CASE("bounds that no split can meet are explained") {
    const auto data = ramp(700);
    const mece::Universe universe{data};
    const auto solution = solve(mece::RuleTree{}, data, universe, {.min_size = 400, .max_size = 600});
    check_solution(solution, data, universe);
    CHECK(solution.status[0].reason == "above max_size (700 > 600): no split into 2 or more parts keeps every part within [400, 600]");
}

TEST_CASE("invalid bounds are refused with the key") {
    CHECK_THROWS_WITH_AS(mece::ConstraintSolver({.min_size = 10, .max_size = 5}), "constraints: min_size 10 is above max_size 5",
                         mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::ConstraintSolver({.min_size = -1}), "constraints.min_size: must not be negative, got -1",
                         mece::ConfigError);
}

TEST_CASE("shortest_between picks the number with fewest digits above low and up to high") {
    CHECK(mece::detail::shortest_between(1332.0, 1333.0) == 1333.0);
    CHECK(mece::detail::shortest_between(0.1234, 0.1299) == 0.127);
    CHECK(mece::detail::shortest_between(99.0, 250.0) == 200.0);
    CHECK(mece::detail::shortest_between(1.0, 1.0 + 1e-15) == 1.0 + 1e-15);
}

TEST_CASE("property: random trees, data and bounds always solve to valid or explained segments with exact rules") {
    std::mt19937_64 rng(505);
    std::ptrdiff_t merges = 0, drops = 0;
    for (int trial = 0; trial < 120; ++trial) {
        const auto [levels, data, universe, tree] = mece::test::random_case(rng, 30, 3000);
        const auto min_size = std::uniform_int_distribution<Eigen::Index>(0, 300)(rng);
        const auto max_size = min_size + std::uniform_int_distribution<Eigen::Index>(1, 900)(rng);
        mece::ConstraintOptions options{.min_size = min_size, .max_size = max_size};
        if (trial % 3 == 0) options.split_features = {"days_since_last_order", "sessions_last_30d"};
        CAPTURE(trial);
        CAPTURE(min_size);
        CAPTURE(max_size);
        const auto solution = solve(tree, data, universe, options);
        check_solution(solution, data, universe);
        // Splits stay within bounds: no segment is above max_size without a reason
        // naming why a split could not be made.
        for (std::size_t s = 0; s < solution.status.size(); ++s)
            if (solution.assignment.sizes[s] > max_size)
                CHECK((solution.status[s].reason.find("no split") != std::string::npos ||
                       solution.status[s].reason.find("max_split_parts") != std::string::npos));
        // No segment below the minimum when the bounds leave room for a merge (max_size at
        // least twice min_size), unless the whole universe is below it; no segment empty
        // (check_solution) whatever the bounds.
        if (max_size >= 2 * min_size && universe.size() >= min_size)
            for (std::size_t s = 0; s < solution.status.size(); ++s) {
                CAPTURE(solution.status[s].reason);
                CHECK(solution.assignment.sizes[s] >= min_size);
            }
        // A solved tree, merged catch-alls and all, is stable: solving it again changes nothing.
        const auto again = mece::ConstraintSolver(options).solve(solution.rules, solution.assignment, data, universe);
        CHECK((again.assignment.segment_ids == solution.assignment.segment_ids).all());
        CHECK(again.rules.root() == solution.rules.root());
        merges += std::count_if(solution.log.begin(), solution.log.end(), [](const mece::ConstraintEvent& e) {
            return e.action == mece::ConstraintEvent::Action::merge;
        });
        drops += std::count_if(solution.log.begin(), solution.log.end(), [](const mece::ConstraintEvent& e) {
            return e.action == mece::ConstraintEvent::Action::drop;
        });
    }
    // The trials exercise what they claim to: merges and drops both happen.
    CHECK(merges > 5);
    CHECK(drops > 10);
}
