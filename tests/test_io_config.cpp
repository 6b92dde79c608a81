#include <filesystem>
#include <fstream>
#include <map>
#include <vector>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include <mece/io/config.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/rule_tree/presets.hpp>

#include "support.hpp"

namespace {

std::string config_error_of(const std::string& text) {
    try {
        mece::parse_config(text, "c.json");
    } catch (const mece::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

const std::string seed004_json = R"({
  "schema_version": 1,
  "universe": {"window_days": 7, "as_of": "2026-11-15"},
  "segments": [
    {"name": "High AOV Premium", "conditions": [{"feature": "avg_order_value", "op": ">=", "value": {"quantile": 0.75}}]},
    {"name": "Medium AOV + High Engagement", "conditions": [
      {"feature": "avg_order_value", "op": "between", "value": [{"quantile": 0.4}, {"quantile": 0.75}]},
      {"feature": "engagement_score", "op": ">=", "value": {"quantile": 0.7}}]},
    {"name": "Medium AOV + Medium Engagement + High Profitability", "conditions": [
      {"feature": "avg_order_value", "op": "between", "value": [{"quantile": 0.4}, {"quantile": 0.75}]},
      {"feature": "engagement_score", "op": "between", "value": [{"quantile": 0.4}, {"quantile": 0.7}]},
      {"feature": "profitability_score", "op": ">=", "value": {"quantile": 0.7}}]},
    {"name": "Low AOV + High Engagement", "conditions": [
      {"feature": "avg_order_value", "op": "<", "value": {"quantile": 0.4}},
      {"feature": "engagement_score", "op": ">=", "value": {"quantile": 0.7}}]},
    {"name": "Recent Customers", "conditions": [{"feature": "days_since_last_order", "op": "<=", "value": 30}]}
  ],
  "catch_all": "Other Bucket"
})";

}  // namespace

TEST_CASE("a JSON config gives the same segmentation as the preset it spells out") {
    const mece::Config config = mece::parse_config(seed004_json, "seed004.json");
    CHECK(config.universe.window_days == 7);
    CHECK(config.universe.as_of == mece::parse_date("2026-11-15"));
    std::mt19937_64 rng(12);
    const auto data = mece::test::random_dataset(rng, 2000, 20772, 30);
    const mece::Universe universe{data, config.universe};
    const auto from_config = config.rules.resolve(data, universe);
    const auto from_preset = mece::presets::seed004().resolve(data, universe);
    REQUIRE(from_config.segments().size() == from_preset.segments().size());
    for (std::size_t i = 0; i < from_config.segments().size(); ++i) {
        CHECK(from_config.segments()[i].name == from_preset.segments()[i].name);
        CHECK(from_config.segments()[i].rule == from_preset.segments()[i].rule);
    }
    CHECK((from_config.assign(data, universe).segment_ids == from_preset.assign(data, universe).segment_ids).all());
}

TEST_CASE("every shipped config reads and runs: the presets, the seed 003 code tree, the hybrid floors") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 5});
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(MECE_SOURCE_DIR "/examples/configs")) {
        CAPTURE(entry.path().string());
        const mece::Config config = mece::read_config(entry.path());
        CHECK(mece::run(data, config.rules, config).ok());
        ++files;
    }
    CHECK(files == 6);
    // The code tree ships as the seed published it (tests/seed-data holds the same file).
    const auto shipped = mece::read_config(MECE_SOURCE_DIR "/examples/configs/seed003-code.json");
    const auto seed = mece::read_config(MECE_SOURCE_DIR "/tests/seed-data/seed003/rules.json");
    CHECK(shipped.rules.rules().size() == seed.rules.rules().size());
    CHECK(shipped.universe.window_days == seed.universe.window_days);
}

TEST_CASE("the shipped preset configs match the presets") {
    for (auto name : mece::presets::names) {
        CAPTURE(name);
        const auto config = mece::read_config(std::string(MECE_SOURCE_DIR "/examples/configs/") + std::string(name) + ".json");
        std::mt19937_64 rng(3);
        const auto data = mece::test::random_dataset(rng, 1500, 20772, 25);
        const mece::Universe universe{data, config.universe};
        const auto a = config.rules.resolve(data, universe);
        const auto b = mece::presets::preset(name).resolve(data, universe);
        REQUIRE(a.segments().size() == b.segments().size());
        for (std::size_t i = 0; i < a.segments().size(); ++i) {
            CHECK(a.segments()[i].name == b.segments()[i].name);
            CHECK(a.segments()[i].rules_applied() == b.segments()[i].rules_applied());
        }
    }
}

TEST_CASE("a key twice in one object is an error naming its place, never a silent choice") {
    const std::string tail = "' appears twice in one object; JSON would keep only the last, remove one";
    CHECK(config_error_of(R"({"segments": [], "segments": [{"name": "A"}]})") == "c.json: segments: the key 'segments" + tail);
    CHECK(config_error_of(R"({"segments": [{"name": "A"}, {"name": "B", "conditions": [], "conditions": [{"feature": "x"}]}]})") ==
          "c.json: segments[1].conditions: the key 'conditions" + tail);
    CHECK(config_error_of(R"({"segments": [{"name": "A", "segments": [{"name": "A1"}, {"name": "A2", "name": "A3"}]}]})") ==
          "c.json: segments[0].segments[1].name: the key 'name" + tail);
    CHECK(config_error_of(R"({"segments": [{"name": "A"}], "scoring": {"weights": {"size_score": 1, "size_score": 2}}})") ==
          "c.json: scoring.weights.size_score: the key 'size_score" + tail);
    CHECK(config_error_of(R"({"segments": [], "a\u001b[2J": 1, "a\u001b[2J": 2})") ==
          "c.json: a\\x1b[2J: the key 'a\\x1b[2J" + tail);  // a terminal escape is shown, not sent
    CHECK(config_error_of(R"({"schema_version": 1.0, "segments": [{"name": "A"}]})") == "no error");
    CHECK(config_error_of(R"({"schema_version": 2, "segments": [{"name": "A"}]})") ==
          "c.json: schema_version: unsupported schema version 2 (this library reads 1)");
    CHECK(config_error_of(R"({"schema_version": "1", "segments": [{"name": "A"}]})") ==
          "c.json: schema_version: expected the number 1, got \"1\"");
    // The same key in different objects is fine.
    CHECK(config_error_of(R"({"segments": [{"name": "A"}, {"name": "B"}]})") == "no error");
}

TEST_CASE("config errors name the file and the key") {
    CHECK(config_error_of(R"({"segments": [], "colour": 1})") == "c.json: colour: unknown key 'colour'");
    CHECK(config_error_of(R"({"catch_all": "x"})") == "c.json: segments: missing; a config needs a list of segments");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": "=<", "value": 1}]}]})") ==
          "c.json: segments[0].conditions[0].op: unknown operator \"=<\" (expected <, <=, >, >=, == or between)");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": {"quantile": 1.5}}]}]})") ==
          "c.json: segments[0].conditions[0].value.quantile: expected a quantile in [0,1], got 1.5");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": {"quantile": 0.5, "floor": 9, "cap": 3}}]}]})") ==
          "c.json: segments[0].conditions[0].value: floor 9 is above cap 3");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": "high"}]}]})") ==
          "c.json: segments[0].conditions[0].value: expected a number or {\"quantile\": q}, got string \"high\"");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": "between", "value": 3}]}]})") ==
          "c.json: segments[0].conditions[0].value: between needs [lower, upper], got 3");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "value": 3}]}]})") ==
          "c.json: segments[0].conditions[0]: missing key 'op'");
    CHECK(config_error_of(R"({"segments": [{"name": "A"}, {"name": "B", "segments": [{"name": "A"}]}]})") ==
          "c.json: segments[1].segments[0].name: duplicate segment name 'A' (also at segments[0].name)");
    CHECK(config_error_of(R"({"segments": [{"name": "Other Bucket"}]})") ==
          "c.json: catch_all: duplicate segment name 'Other Bucket' (also at segments[0].name)");
    CHECK(config_error_of(R"({"segments": [{"name": ""}]})") == "c.json: segments[0].name: a segment needs a non-empty name");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "catch_all": "B"}]})") ==
          "c.json: segments[0].catch_all: only a segment with sub-segments has a catch-all");
    CHECK(config_error_of(R"({"segments": [], "universe": {"window_days": 0}})") ==
          "c.json: universe.window_days: expected an integer from 1 to 100000, got 0");
    CHECK(config_error_of(R"({"segments": [], "universe": {"as_of": "2026-02-30"}})") ==
          "c.json: universe.as_of: expected a valid date YYYY-MM-DD, got \"2026-02-30\"");
    CHECK(config_error_of(R"({"segments": [], "schema_version": 2})") ==
          "c.json: schema_version: unsupported schema version 2 (this library reads 1)");
    CHECK(config_error_of(R"([1, 2])") == "c.json: top level: expected an object, got array");
    CHECK(config_error_of(R"({"segments": [)") ==
          "c.json: invalid JSON: parse error at line 1, column 15: syntax error while parsing value - unexpected "
          "end of input; expected '[', '{', or a literal");
    CHECK(config_error_of(std::string(100, '[') + std::string(100, ']')) == "c.json: nested deeper than 64 levels");
    // Found by fuzz_config: a number too large for a double is a config error, not an escaping exception.
    CHECK(config_error_of(R"({"segments": [{"name": 4E444444}]})") ==
          "c.json: invalid JSON: number overflow parsing '4E444444'");
}

TEST_CASE("a feature the data lacks is reported at its key when the rules meet the data") {
    const auto config = mece::parse_config(
        R"({"segments": [{"name": "A", "conditions": [{"feature": "loyalty_points", "op": ">", "value": 3}]}]})", "c.json");
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    CHECK_THROWS_WITH_AS(config.rules.resolve(data, mece::Universe{data}),
                         "c.json: segments[0].conditions[0].feature: unknown feature 'loyalty_points' (not a numeric "
                         "column of the data nor a derived feature)",
                         mece::ConfigError);
}

TEST_CASE("a missing config file is named") {
    CHECK_THROWS_WITH_AS(mece::read_config("/nonexistent/rules.json"), "/nonexistent/rules.json: cannot open file",
                         mece::ConfigError);
}

TEST_CASE("constraints, split features, weights, tiers, priorities and actions are read") {
    const auto config = mece::parse_config(R"({
        "segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": 3}],
                      "split_by": "engagement_score", "priority": 0.9, "action": "call"},
                     {"name": "B", "segments": [{"name": "B1"}]}],
        "constraints": {"min_size": 10, "max_size": 90, "split_features": ["num_cart_items"], "max_split_parts": 5,
                        "profile_features": ["engagement_score"]},
        "scoring": {"weights": {"size_score": 0, "profitability": 2},
                    "tiers": [{"name": "Top", "min_score": 0.5, "action": "go"}, {"name": "Rest", "min_score": 0}],
                    "actions": {"B / Other": "wait"}, "priorities": {"B": 0.2}, "size_target": 50}})",
                                           "c.json");
    CHECK(config.constraints.min_size == 10);
    CHECK(config.constraints.max_size == 90);
    CHECK(config.constraints.max_split_parts == 5);
    CHECK(config.constraints.split_features == std::vector<std::string>{"num_cart_items"});
    CHECK(config.constraints.profile_features == std::vector<std::string>{"engagement_score"});
    CHECK(config.constraints.split_by == std::map<std::string, std::string>{{"A", "engagement_score"}});
    CHECK(config.scoring.weights.at("size_score") == 0);
    CHECK(config.scoring.weights.at("profitability") == 2);
    CHECK(config.scoring.weights.size() == 2);
    CHECK(config.scoring.tiers == std::vector<mece::Tier>{{"Top", 0.5, "go"}, {"Rest", 0, ""}});
    CHECK(config.scoring.actions.at("A") == "call");
    CHECK(config.scoring.actions.at("B / Other") == "wait");
    CHECK(config.priorities.at("A") == 0.9);
    CHECK(config.priorities.at("B") == 0.2);
    CHECK(config.size_target == 50);
    // What is read builds a working scorer and solver.
    CHECK_NOTHROW(mece::make_scorer(mece::default_dimensions(config.priorities, config.size_target), config.scoring));
    CHECK_NOTHROW(mece::ConstraintSolver{config.constraints});
}

TEST_CASE("constraint and scoring errors name the key") {
    CHECK(config_error_of(R"({"segments": [], "constraints": {"min_size": 600, "max_size": 500}})") ==
          "c.json: constraints.min_size: 600 is above max_size 500");
    CHECK(config_error_of(R"({"segments": [], "constraints": {"min_size": -1}})") ==
          "c.json: constraints.min_size: expected an integer >= 0, got -1");
    CHECK(config_error_of(R"({"segments": [], "constraints": {"max_size": 2.5}})") ==
          "c.json: constraints.max_size: expected an integer >= 1, got 2.5");
    CHECK(config_error_of(R"({"segments": [], "constraints": {"minsize": 1}})") == "c.json: constraints.minsize: unknown key 'minsize'");
    CHECK(config_error_of(R"({"segments": [], "constraints": {"split_features": ["a", 3]}})") ==
          "c.json: constraints.split_features[1]: expected a feature name, got number");
    CHECK(config_error_of(R"({"segments": [], "constraints": {"profile_features": "aov"}})") ==
          "c.json: constraints.profile_features: expected a list of feature names, got string \"aov\"");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"weights": {"size_score": -1}}})") ==
          "c.json: scoring.weights.size_score: a weight must be >= 0, got -1");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"weights": {"profit": 1}}})") ==
          "c.json: scoring.weights.profit: unknown dimension 'profit' (dimensions: conversion_potential, profitability, "
          "lift_vs_control, strategic_fit, size_score)");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"weights": {"conversion_potential": 0, "profitability": 0,
        "lift_vs_control": 0, "strategic_fit": 0, "size_score": 0}}})") ==
          "c.json: scoring.weights: the weights sum to 0; at least one must be positive");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"tiers": [{"name": "A", "min_score": 0.2}, {"name": "B", "min_score": 0.4}]}})") ==
          "c.json: scoring.tiers[1].min_score: tiers go from the highest min_score down; 0.4 is not below 0.2");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"tiers": [{"name": "A", "min_score": 1.2}]}})") ==
          "c.json: scoring.tiers[0].min_score: expected a number in [0,1], got 1.2");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"actions": {"Nobody": "x"}}})") ==
          "c.json: scoring.actions.Nobody: no segment or rule is named 'Nobody'");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "action": "x"}], "scoring": {"actions": {"A": "y"}}})") ==
          "c.json: scoring.actions.A: the action of 'A' is also set at segments[0].action");
    CHECK(config_error_of(R"({"segments": [{"name": "A", "priority": 2}]})") ==
          "c.json: segments[0].priority: expected a number in [0,1], got 2");
    CHECK(config_error_of(R"({"segments": [], "scoring": {"size_target": 0}})") ==
          "c.json: scoring.size_target: expected a number of users > 0, got 0");
}

TEST_CASE("an unknown split feature is reported before the solver does any work") {
    const auto config = mece::parse_config(R"({"segments": [{"name": "A", "split_by": "loyalty"}]})", "c.json");
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    const auto rules = config.rules.resolve(data, universe);
    CHECK_THROWS_WITH_AS(mece::ConstraintSolver{config.constraints}.solve(rules, rules.assign(data, universe), data, universe),
                         "split_by of 'A': unknown feature 'loyalty' (not a numeric column of the data nor a derived feature)",
                         mece::ConfigError);
}

TEST_CASE("an unknown profile feature is reported before the solver does any work") {
    const auto config = mece::parse_config(R"({"segments": [{"name": "A"}], "constraints": {"profile_features": ["loyalty"]}})", "c.json");
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    const auto rules = config.rules.resolve(data, universe);
    CHECK_THROWS_WITH_AS(mece::ConstraintSolver{config.constraints}.solve(rules, rules.assign(data, universe), data, universe),
                         "constraints.profile_features[0]: unknown feature 'loyalty' (not a numeric column of the data nor a "
                         "derived feature)",
                         mece::ConfigError);
}

TEST_CASE("limits: too many rules, long names and huge configs are refused with the key") {
    const auto rules = [](int count) {
        std::string text = R"({"segments": [)";
        for (int i = 0; i < count; ++i)
            text += (i ? "," : "") + std::string(R"({"name": "r)") + std::to_string(i) +
                    R"(", "conditions": [{"feature": "avg_order_value", "op": ">=", "value": )" + std::to_string(i) + "}]}";
        return text + "]}";
    };
    CHECK(config_error_of(rules(999)) == "no error");  // 999 rules and the catch-all
    {
        std::string wide = R"({"segments": [{"name": "a", "conditions": [)";
        for (int c = 0; c < 101; ++c) wide += (c ? "," : "") + std::string(R"({"feature": "avg_order_value", "op": ">=", "value": 1})");
        CHECK(config_error_of(wide + "]}]}") == "c.json: segments[0].conditions: 101 conditions, more than the 100 a rule may hold");
    }
    CHECK(config_error_of(rules(1000)) ==
          "c.json: segments[999]: more than the 1000 rules a tree may hold (sub-rules and catch-alls included)");
    CHECK(config_error_of(rules(100000)) ==
          "c.json: segments[999]: more than the 1000 rules a tree may hold (sub-rules and catch-alls included)");
    CHECK(config_error_of(R"({"segments": [{"name": ")" + std::string(201, 'n') + R"("}]})") ==
          "c.json: segments[0].name: a name of 201 bytes, longer than the 200 allowed");
    CHECK(config_error_of(R"({"segments": [{"name": "a", "segments": [{"name": "b"}], "catch_all": ")" + std::string(300, 'n') +
                   R"("}]})") == "c.json: segments[0].catch_all: a name of 300 bytes, longer than the 200 allowed");
    CHECK(config_error_of(R"({"segments": [], "catch_all": ")" + std::string(20'000'000, 'n') + R"("})") ==
          "c.json: catch_all: a name of 20000000 bytes, longer than the 200 allowed");
    // A million objects in one array are read in time linear in them (a parser callback,
    // used before, searched the array at the end of each object: minutes here, hours
    // under AddressSanitizer), and a key twice after them is still found at its place.
    std::string many = R"({"segments": [], "tags": [)";
    for (int i = 0; i < 1'000'000; ++i) many += i ? ",{}" : "{}";
    CHECK(config_error_of(many + "]}") == "c.json: tags: unknown key 'tags'");
    CHECK(config_error_of(many + R"(, {"a": 1, "a": 2}]})") ==
          "c.json: tags[1000000].a: the key 'a' appears twice in one object; JSON would keep only the last, remove one");
}

TEST_CASE("the config's holdout is read, and checked by the holdout's own rules with the file named") {
    const std::string rules = R"("segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">=", "value": 1}]}])";
    const mece::Config config = mece::parse_config(
        "{" + rules + R"(, "holdout": {"share": 0.1, "salt": "s1", "global_share": 0.02, "global_salt": "g", "baseline_rate": 0.2}})",
        "c.json");
    CHECK(config.holdout.share == 0.1);
    CHECK(config.holdout.salt == "s1");
    CHECK(config.holdout.global_share == 0.02);
    CHECK(config.holdout.global_salt == "g");
    CHECK(config.holdout.baseline_rate == 0.2);
    CHECK_FALSE(mece::parse_config("{" + rules + "}", "c.json").holdout.enabled());
    CHECK(config_error_of("{" + rules + R"(, "holdout": {"share": 0.51}})") == "c.json: holdout.share: expected a share in [0, 0.5], got 0.51");
    CHECK(config_error_of("{" + rules + R"(, "holdout": {"salt": 3}})") == "c.json: holdout.salt: expected a string, got number");
    CHECK(config_error_of("{" + rules + R"(, "holdout": []})") == "c.json: holdout: expected an object, got array");
}
