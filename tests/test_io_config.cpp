#include <fstream>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include <mece/io/config.hpp>
#include <mece/rule_tree/presets.hpp>

#include "support.hpp"

namespace {

std::string error_of(const std::string& text) {
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

TEST_CASE("config errors name the file and the key") {
    CHECK(error_of(R"({"segments": [], "colour": 1})") == "c.json: colour: unknown key 'colour'");
    CHECK(error_of(R"({"catch_all": "x"})") == "c.json: segments: missing; a config needs a list of segments");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": "=<", "value": 1}]}]})") ==
          "c.json: segments[0].conditions[0].op: unknown operator \"=<\" (expected <, <=, >, >=, == or between)");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": {"quantile": 1.5}}]}]})") ==
          "c.json: segments[0].conditions[0].value.quantile: expected a quantile in [0,1], got 1.5");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": {"quantile": 0.5, "floor": 9, "cap": 3}}]}]})") ==
          "c.json: segments[0].conditions[0].value: floor 9 is above cap 3");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": ">", "value": "high"}]}]})") ==
          "c.json: segments[0].conditions[0].value: expected a number or {\"quantile\": q}, got string \"high\"");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "op": "between", "value": 3}]}]})") ==
          "c.json: segments[0].conditions[0].value: between needs [lower, upper], got 3");
    CHECK(error_of(R"({"segments": [{"name": "A", "conditions": [{"feature": "avg_order_value", "value": 3}]}]})") ==
          "c.json: segments[0].conditions[0]: missing key 'op'");
    CHECK(error_of(R"({"segments": [{"name": "A"}, {"name": "B", "segments": [{"name": "A"}]}]})") ==
          "c.json: segments[1].segments[0].name: duplicate segment name 'A' (also at segments[0].name)");
    CHECK(error_of(R"({"segments": [{"name": "Other Bucket"}]})") ==
          "c.json: catch_all: duplicate segment name 'Other Bucket' (also at segments[0].name)");
    CHECK(error_of(R"({"segments": [{"name": ""}]})") == "c.json: segments[0].name: a segment needs a non-empty name");
    CHECK(error_of(R"({"segments": [{"name": "A", "catch_all": "B"}]})") ==
          "c.json: segments[0].catch_all: only a segment with sub-segments has a catch-all");
    CHECK(error_of(R"({"segments": [], "universe": {"window_days": 0}})") ==
          "c.json: universe.window_days: expected an integer from 1 to 100000, got 0");
    CHECK(error_of(R"({"segments": [], "universe": {"as_of": "2026-02-30"}})") ==
          "c.json: universe.as_of: expected a valid date YYYY-MM-DD, got \"2026-02-30\"");
    CHECK(error_of(R"({"segments": [], "schema_version": 2})") ==
          "c.json: schema_version: unsupported schema version 2 (this library reads 1)");
    CHECK(error_of(R"([1, 2])") == "c.json: top level: expected an object, got array");
    CHECK(error_of(R"({"segments": [)") ==
          "c.json: invalid JSON: parse error at line 1, column 15: syntax error while parsing value - unexpected "
          "end of input; expected '[', '{', or a literal");
    CHECK(error_of(std::string(100, '[') + std::string(100, ']')) == "c.json: nested deeper than 64 levels");
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
