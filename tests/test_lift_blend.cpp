// Measured lift in the ranking (SPEC section 8.3): the blend by precision, which
// measurement a segment gets, and what the outputs say.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <mece/io/campaign.hpp>
#include <mece/io/generator.hpp>
#include <mece/lift_blend.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/run.hpp>
#include <mece/strategy_writer.hpp>

namespace {

mece::MeasuredLift measured(std::int64_t nt, std::int64_t xt, std::int64_t nc, std::int64_t xc) {
    mece::MeasuredLift m;
    m.n_treatment = nt, m.conversions_treatment = xt, m.n_control = nc, m.conversions_control = xc;
    m.lift_abs = double(xt) / double(nt) - double(xc) / double(nc);
    m.ci_low = m.lift_abs - 0.01, m.ci_high = m.lift_abs + 0.01;
    return m;
}

}  // namespace

TEST_CASE("the blend: precision-weighted, the add-one standard error, the source by the data's weight") {
    mece::SegmentDefinition segment;
    segment.name = "A";
    mece::LiftOptions options;
    options.measured["A"] = measured(4000, 400, 1000, 70);
    const mece::LiftBlend b = mece::blend_lift(0.5, segment, options);
    // Written out: add-one rates 401/4002 and 71/1002.
    const double pt = 401.0 / 4002, pc = 71.0 / 1002;
    const double se = std::sqrt(pt * (1 - pt) / 4002 + pc * (1 - pc) / 1002);
    CHECK(options.measured["A"].standard_error() == doctest::Approx(se).epsilon(1e-14));
    const double prior = 1 / (0.02 * 0.02), data = 1 / (se * se), lift = 0.1 - 0.07;
    CHECK(b.estimate == doctest::Approx(0.025));
    CHECK(b.weight == doctest::Approx(data / (prior + data)).epsilon(1e-14));
    CHECK(b.lift_used == doctest::Approx((0.025 * prior + lift * data) / (prior + data)).epsilon(1e-14));
    CHECK(b.source == mece::LiftBlend::Source::measured);  // 5,000 users weigh more than the prior
    CHECK(b.measured_as == "A");

    options.measured["A"] = measured(40, 4, 10, 1);  // few users: the prior weighs more
    const mece::LiftBlend small = mece::blend_lift(0.5, segment, options);
    CHECK(small.source == mece::LiftBlend::Source::blended);
    CHECK(small.weight < 0.5);
    CHECK(small.weight > 0);

    segment.name = "B";
    const mece::LiftBlend none = mece::blend_lift(0.5, segment, options);
    CHECK(none.source == mece::LiftBlend::Source::estimate);
    CHECK(none.lift_used == doctest::Approx(0.025));
    CHECK_FALSE(none.measured);
}

TEST_CASE("a segment gets its own measurement, else its nearest parent rule's; a broken split is not used") {
    mece::LiftOptions options;
    options.measured["Outer"] = measured(4000, 400, 1000, 70);
    options.measured["Inner"] = measured(4000, 200, 1000, 70);
    mece::SegmentDefinition part;
    part.name = "Inner / avg_order_value < 80";
    part.parents = {"Outer", "Inner"};
    CHECK(mece::blend_lift(0.3, part, options).measured_as == "Inner");
    part.parents = {"Outer"};
    CHECK(mece::blend_lift(0.3, part, options).measured_as == "Outer");
    part.name = "Inner";
    CHECK(mece::blend_lift(0.3, part, options).measured_as == "Inner");
    options.measured["Inner"].srm = true;
    const mece::LiftBlend broken = mece::blend_lift(0.3, part, options);
    CHECK(broken.source == mece::LiftBlend::Source::estimate);
    CHECK(broken.ignored.find("sample ratio mismatch") == 0);
    CHECK(broken.lift_used == doctest::Approx(0.3 * 0.05));
    CHECK_THROWS_WITH_AS((mece::LiftOptions{.prior_sd = 0}.validate()), "scoring.lift.prior_sd: expected a number > 0, got 0",
                         mece::ConfigError);
}

TEST_CASE("ranking with measured lift: scores, ranks, no campaign for a segment it hurts, and the outputs") {
    const auto data = mece::generate<double>({.rows = 100'000, .seed = 42});
    const auto plain = mece::run(data, mece::presets::seed004());
    const auto& segments = plain.strategy.solution.rules.segments();
    REQUIRE(segments.size() >= 3);
    mece::RunOptions options;
    options.lift.measured[segments[0].name] = measured(5000, 300, 1200, 84);  // hurts: 6% against 7%
    options.lift.measured[segments[1].name] = measured(2000, 240, 500, 30);   // +6 points
    options.lift_source = "day1/lift.json";
    const auto ranked = mece::run(data, mece::presets::seed004(), options);
    REQUIRE(ranked.strategy.lift);
    const auto& blends = ranked.strategy.lift->segments;
    CHECK(blends[0].lift_used < 0);
    CHECK(ranked.strategy.scores.of(1).scores[2] == 0.0);  // clip(lift_used / scale, 0, 1)
    CHECK(ranked.strategy.scores.of(1).action.find("No campaign: its lift is below zero") == 0);
    CHECK(blends[1].lift_used > plain.strategy.scores.of(2).scores[2] * 0.05);
    CHECK(ranked.strategy.scores.of(2).scores[2] == doctest::Approx(std::clamp(blends[1].lift_used / 0.05, 0.0, 1.0)));
    // A segment without a measurement scores as before, to the bit.
    for (std::size_t k = 2; k < segments.size(); ++k) {
        CHECK(blends[k].source == mece::LiftBlend::Source::estimate);
        CHECK(ranked.strategy.scores.segments[k].scores == plain.strategy.scores.segments[k].scores);
        CHECK(ranked.strategy.scores.segments[k].overall == plain.strategy.scores.segments[k].overall);
    }
    CHECK(ranked.strategy.scores.of(1).rank > plain.strategy.scores.of(1).rank);

    const auto json = mece::StrategyWriter::strategy_json(ranked.strategy);
    CHECK(json["lift"]["source"] == "day1/lift.json");
    CHECK(json["lift"]["scale"] == 0.05);
    for (const auto& s : json["segments"]) {
        REQUIRE(s.contains("lift"));
        if (s["id"] == 1) {
            CHECK(s["lift"]["source"] == "measured");
            CHECK(s["lift"]["measured"]["n_control"] == 1200);
            CHECK(s["lift"]["lift_used"].get<double>() < 0);
        }
    }
    const mece::RankedSegments rows(ranked.strategy);
    CHECK(rows.figure_columns().size() == 7);
    CHECK(rows.data_figures().size() == 6);
    CHECK(rows.people_figures().size() == 3);
    CHECK(rows.of(2).lift == &blends[1]);

    // Measurements of no segment of the run change nothing.
    mece::RunOptions unrelated;
    unrelated.lift.measured["No such segment"] = measured(5000, 300, 1200, 84);
    const auto same = mece::run(data, mece::presets::seed004(), unrelated);
    for (std::size_t k = 0; k < segments.size(); ++k)
        CHECK(same.strategy.scores.segments[k].overall == plain.strategy.scores.segments[k].overall);
    CHECK(same.strategy.scores.ranking == plain.strategy.scores.ranking);
}

TEST_CASE("a lift.json read back: by name, each malformed key named") {
    const auto path = std::filesystem::temp_directory_path() / "mece-test-lift.json";
    const auto error_of = [&](const std::string& text) {
        { std::ofstream(path) << text; }
        try {
            mece::read_measured_lift(path);
        } catch (const mece::InputError& e) {
            std::string message = e.what();
            return message.substr(message.find(": ") + 2);
        }
        return std::string("no error");
    };
    const std::string one = R"({"id": 1, "name": "A", "n_treatment": 10, "n_control": 5, "conversions_treatment": 2,
                              "conversions_control": 1, "lift_abs": 0.0, "lift_abs_ci": [-0.1, 0.1], "q_value": 0.5, "srm": false})";
    CHECK(error_of(R"({"schema_version": 1, "segments": [)" + one + "]}") == "no error");
    CHECK(mece::read_measured_lift(path).at("A").n_control == 5);
    CHECK(error_of(R"({"schema_version": 2, "segments": []})") == "schema_version: expected 1 (a lift.json of mece-measure)");
    CHECK(error_of(R"({"schema_version": 1, "segments": [)" + one + "," + one + "]}") ==
          "segments[1].name: segment 'A' is measured twice");
    CHECK(error_of(R"({"schema_version": 1, "segments": [{"name": "A", "n_treatment": -1}]})") ==
          "segments[0].n_treatment: expected a count");
    CHECK(error_of("[1, 2]") == "not a lift.json (not a JSON object)");
}
