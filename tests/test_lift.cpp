// Measured lift (SPEC section 8.2): the check values, the tests and intervals, the
// campaign files' errors, and the coverage of the intervals over simulated campaigns.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <mece/io/campaign.hpp>
#include <mece/io/records.hpp>
#include <mece/lift.hpp>
#include <mece/lift_report.hpp>

namespace {

mece::Arm arm(std::int64_t users, std::int64_t converted) {
    mece::Arm a;
    for (std::int64_t i = 0; i < users; ++i) a.add(i < converted);
    return a;
}

/// Relative error below 1e-6 (the check values have six decimals).
void near(double got, double expected) {
    CAPTURE(got);
    CAPTURE(expected);
    CHECK(std::abs(got - expected) < 5e-7);
}

}  // namespace

TEST_CASE("the check values of SPEC 8.2: Newcombe, log-ratio, pooled z") {
    const mece::LiftFigures f = mece::compare(arm(1800, 180), arm(200, 10), {.control_share = 0.1});
    CHECK(f.lift_abs == doctest::Approx(0.05).epsilon(1e-12));
    near(f.lift_abs_ci.low, 0.008336);
    near(f.lift_abs_ci.high, 0.076987);
    REQUIRE(f.lift_rel);
    CHECK(*f.lift_rel == doctest::Approx(1.0).epsilon(1e-12));
    near(f.lift_rel_ci.low, 0.045506);
    near(f.lift_rel_ci.high, 2.505031);
    near(f.p_value, 0.022149);
    CHECK(f.incremental_conversions == doctest::Approx(90).epsilon(1e-12));
    CHECK(f.incremental_conversions_ci.low == doctest::Approx(1800 * f.lift_abs_ci.low).epsilon(1e-12));
    CHECK_FALSE(f.low_data);
    // 1800 and 200 are the 10% split exactly.
    CHECK(f.srm_p_value == doctest::Approx(1.0));
    CHECK_FALSE(f.srm);
    CHECK(f.mde_abs == doctest::Approx(mece::mde_abs(0.05, 1800, 200)));

    const mece::Interval second = mece::stats::newcombe(56, 70, 48, 80);
    near(second.low, 0.052431);
    near(second.high, 0.333873);
}

TEST_CASE("Benjamini-Hochberg q-values: the check values, NaN left out") {
    const std::vector<double> q = mece::stats::benjamini_hochberg({0.01, 0.04, 0.03, 0.20, 0.002, 0.5});
    const std::vector<double> expected{0.03, 0.06, 0.06, 0.24, 0.012, 0.5};
    REQUIRE(q.size() == expected.size());
    for (std::size_t i = 0; i < q.size(); ++i) CHECK(q[i] == doctest::Approx(expected[i]).epsilon(1e-12));
    const std::vector<double> with_nan = mece::stats::benjamini_hochberg({0.01, std::nan(""), 0.04});
    CHECK(std::isnan(with_nan[1]));
    CHECK(with_nan[0] == doctest::Approx(0.02));
    CHECK(with_nan[2] == doctest::Approx(0.04));
    CHECK(mece::stats::benjamini_hochberg({}).empty());
}

TEST_CASE("Welch's interval, the sample ratio test and revenue per user") {
    mece::Arm a, b;
    for (double v : {1, 2, 3, 4, 5}) a.add(false, v);
    for (double v : {2, 4, 6, 8, 10, 12}) b.add(false, v);
    // Recomputed with Python's standard library (Student's t by bisection on the incomplete beta).
    const mece::Interval w = mece::stats::welch(a, b);
    CHECK(w.low == doctest::Approx(-7.9834686956288285).epsilon(1e-9));
    CHECK(w.high == doctest::Approx(-0.01653130437117145).epsilon(1e-9));
    CHECK(mece::stats::sample_ratio_p_value(1050, 8950, 0.1) == doctest::Approx(0.0955807045456294).epsilon(1e-12));
    CHECK(mece::stats::sample_ratio_p_value(1300, 8700, 0.1) < 0.001);
    CHECK(mece::stats::sample_ratio_p_value(0, 0, 0.1) == 1.0);
    CHECK(mece::stats::sample_ratio_p_value(0, 10, 0.0) == 1.0);
    CHECK(mece::stats::sample_ratio_p_value(1, 10, 0.0) == 0.0);

    const mece::LiftFigures f = mece::compare(a, b, {.control_share = 0.5, .revenue = true});
    REQUIRE(f.revenue);
    CHECK(f.revenue->per_user_treatment == doctest::Approx(3));
    CHECK(f.revenue->per_user_control == doctest::Approx(7));
    CHECK(f.revenue->incremental == doctest::Approx(-20));
    CHECK(f.low_data);  // no converters at all

    // Merged arms hold the mean and variance of all users, also far from 0, as a two-pass sum does.
    mece::Arm whole, left, right;
    std::mt19937_64 rng(3);
    std::normal_distribution<double> revenue(1e6, 3.0);
    std::vector<double> values;
    for (int i = 0; i < 1000; ++i) {
        values.push_back(revenue(rng));
        whole.add(i % 7 == 0, values.back());
        (i < 300 ? left : right).add(i % 7 == 0, values.back());
    }
    left += right;
    double mean = 0, squares = 0;
    for (double v : values) mean += v / double(values.size());
    for (double v : values) squares += (v - mean) * (v - mean);
    CHECK(left.users() == whole.users());
    CHECK(left.conversions() == whole.conversions());
    CHECK(left.revenue_per_user() == doctest::Approx(mean).epsilon(1e-14));
    CHECK(whole.revenue_variance() == doctest::Approx(squares / 999).epsilon(1e-8));
    CHECK(left.revenue_variance() == doctest::Approx(squares / 999).epsilon(1e-8));
}

TEST_CASE("edge cases: an empty group, no control conversion, no variation") {
    const mece::LiftFigures empty = mece::compare(arm(100, 5), arm(0, 0), {.control_share = 0.1});
    CHECK(std::isnan(empty.lift_abs));
    CHECK_FALSE(empty.lift_abs_ci.known());
    CHECK(std::isnan(empty.p_value));
    CHECK(std::isnan(empty.mde_abs));
    CHECK(empty.low_data);
    const mece::LiftFigures none = mece::compare(arm(100, 5), arm(20, 0), {.control_share = 0.1});
    CHECK_FALSE(none.lift_rel);
    CHECK(none.lift_rel_ci.known());  // the +0.5 correction
    const mece::LiftFigures flat = mece::compare(arm(100, 0), arm(20, 0), {.control_share = 0.1});
    CHECK(flat.p_value == 1.0);
    CHECK(flat.lift_abs == 0.0);
}

TEST_CASE("over 200 simulated campaigns the 95% intervals cover the planted lift 93-97% of the time") {
    std::mt19937_64 rng(2026);
    std::uniform_real_distribution<double> unit(0, 1);
    const double baselines[] = {0.03, 0.06, 0.10, 0.02, 0.05}, lifts[] = {0.01, 0.025, 0.04, -0.005, 0.0};
    int intervals = 0, covered = 0, false_alarm_campaigns = 0;
    for (int campaign = 0; campaign < 200; ++campaign) {
        std::vector<mece::LiftFigures> planted, null;
        for (std::size_t s = 0; s < 5; ++s) {
            mece::Arm t, c, t0, c0;
            for (int u = 0; u < 4000; ++u) {
                const bool control = unit(rng) < 0.2;
                const double p = baselines[s] + (control ? 0.0 : lifts[s]);
                (control ? c : t).add(unit(rng) < p);
                (control ? c0 : t0).add(unit(rng) < baselines[s]);
            }
            planted.push_back(mece::compare(t, c, {.control_share = 0.2}));
            null.push_back(mece::compare(t0, c0, {.control_share = 0.2}));
            ++intervals;
            covered += planted.back().lift_abs_ci.low <= lifts[s] && lifts[s] <= planted.back().lift_abs_ci.high;
        }
        std::vector<mece::LiftFigures*> family;
        for (auto& f : null) family.push_back(&f);
        mece::adjust(family);
        bool alarm = false;
        for (const auto& f : null) alarm = alarm || f.q_value < 0.05;
        false_alarm_campaigns += alarm;
    }
    const double coverage = double(covered) / intervals;
    CAPTURE(coverage);
    CHECK(coverage >= 0.93);
    CHECK(coverage <= 0.97);
    CAPTURE(false_alarm_campaigns);
    CHECK(false_alarm_campaigns <= 18);  // at most 9% of the campaigns with every lift zero
}

TEST_CASE("campaign files: every bad value is an error naming file, line and column") {
    const auto error_of = [](const std::string& text, bool outcomes) {
        const auto path = std::filesystem::temp_directory_path() / (outcomes ? "mece-outcomes.csv" : "mece-assignments.csv");
        { std::ofstream(path, std::ios::binary) << text; }
        try {
            if (outcomes) mece::read_outcomes(path);
            else mece::read_assignments(path);
        } catch (const mece::InputError& e) {
            std::string message = e.what();
            const std::string prefix = path.string();
            if (message.rfind(prefix, 0) == 0) message = "F" + message.substr(prefix.size());
            return message;
        }
        return std::string("no error");
    };
    CHECK(error_of("user_id,converted\n1,1\n2,2\n", true) == "F:3: column 'converted': expected 0 or 1, got \"2\"");
    CHECK(error_of("user_id,converted,revenue\n1,1,-3\n", true) == "F:2: column 'revenue': expected a number >= 0, got \"-3\"");
    CHECK(error_of("user_id,converted,revenue\n1,1,nan\n", true) == "F:2: column 'revenue': expected a number >= 0, got \"nan\"");
    CHECK(error_of("user_id,converted\n1,1\n7,0\n1,0\n", true) == "F:4: column 'user_id': duplicate user id 1 (first on line 2)");
    CHECK(error_of("user_id,revenue\n1,3\n", true) == "F:1: missing required column 'converted'");
    CHECK(error_of("user_id,converted\nx1,1\n", true) == "F:2: column 'user_id': expected an integer user id, got \"x1\"");
    CHECK(error_of("user_id,converted\n1,1,3\n", true) == "F:2: expected 2 fields, got 3");
    CHECK(error_of("user_id,converted\n\"1,1\n", true) == "F:2: column 1: quoted field never closes");
    CHECK(error_of("", true) == "F: empty file, expected a header line");
    CHECK(error_of("\xEF\xBB\xBFuser_id,converted\r\n1,1\r\n\r\n\"2\",\"0\"\r\n", true) == "no error");
    CHECK(error_of("user_id,segment_id,segment_name,group\n1,1,A,treatment\n2,1,B,control\n", false) ==
          "F:3: column 'segment_name': segment 1 is named \"A\" on an earlier line, here \"B\"");
    CHECK(error_of("user_id,segment_id,segment_name,group\n1,1,A,holdout\n", false) ==
          "F:2: column 'group': expected treatment, control or global_control, got \"holdout\"");
    CHECK(error_of("user_id,segment_id,segment_name\n1,2,A\n", false) ==
          "F: segment ids are not 1 to 2: no user is in segment 1");
    CHECK(error_of("user_id,segment_id,segment_name\n1,0,A\n", false) == "F:2: column 'segment_id': expected a segment id from 1, got \"0\"");
    CHECK(error_of("user_id,segment_id,segment_name\n", false) == "F: no users after the header");
    CHECK(error_of("user_id,segment_id,segment_name\n1,1,\"A, \"\"quoted\"\"\nname\"\n", false) == "no error");
}

TEST_CASE("measure_lift: users without an outcome did not convert; unmatched outcomes are counted; groups must agree") {
    const mece::HoldoutOptions holdout{.share = 0.3};
    const mece::Holdout h{holdout};
    mece::Assignments a;
    a.grouped = true;
    a.names = {"A", "B"};
    for (std::int64_t id = 1; id <= 2000; ++id) a.users.push_back({id, std::int32_t(1 + id % 2), h.group(id)});
    mece::Outcomes o;
    for (std::int64_t id = 1; id <= 2000; id += 3) o.rows.push_back({id, true, 10.0});
    o.rows.push_back({5000, true, 1.0});
    o.revenue = true;
    const mece::LiftReport r = mece::measure_lift(a, o, holdout);
    CHECK(r.users == 2000);
    CHECK(r.unmatched_outcomes == 1);
    CHECK(r.outcomes_matched == std::int64_t(o.rows.size()) - 1);
    REQUIRE(r.segments.size() == 2);
    CHECK(r.segments[1].name == "B");
    CHECK(r.segments[0].lift.n_treatment + r.segments[0].lift.n_control + r.segments[1].lift.n_treatment +
              r.segments[1].lift.n_control == 2000);
    CHECK(r.total.conversions_treatment + r.total.conversions_control == r.outcomes_matched);
    CHECK_FALSE(r.global);
    CHECK(std::isfinite(r.segments[0].lift.q_value));

    a.users[7].group = a.users[7].group == mece::Group::control ? mece::Group::treatment : mece::Group::control;
    CHECK_THROWS_WITH_AS(mece::measure_lift(a, o, holdout), doctest::Contains("user 8 is in group"), mece::InputError);
    a.grouped = false;
    CHECK_THROWS_WITH_AS(mece::measure_lift(a, o, holdout), doctest::Contains("no group column"), mece::InputError);
}
