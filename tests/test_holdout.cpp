// Holdout groups: the documented bucket (vectors computed by the Python recipe of
// docs/holdout.md, not by this code), its properties, and the detectable lift.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/holdout.hpp>
#include <mece/io/generator.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/run.hpp>
#include <mece/strategy_writer.hpp>

TEST_CASE("the holdout bucket equals the documented recipe's test vectors") {
    struct Vector {
        const char* salt;
        std::int64_t user_id;
        std::uint32_t bucket;
    };
    const std::vector<Vector> vectors{{"mece", 0, 4651},
                                      {"mece", 1, 6278},
                                      {"mece", 42, 9889},
                                      {"mece", 123456789, 6192},
                                      {"mece", -7, 8536},
                                      {"mece", std::numeric_limits<std::int64_t>::min(), 6065},
                                      {"mece", std::numeric_limits<std::int64_t>::max(), 1292},
                                      {"campaign-2026-12", 1, 966},
                                      {"", 1, 8970},
                                      {"caf\xC3\xA9", 1001, 9327}};
    for (const auto& v : vectors) {
        CAPTURE(v.salt);
        CAPTURE(v.user_id);
        CHECK(mece::holdout_bucket(v.salt, v.user_id) == v.bucket);
    }
    static_assert(mece::holdout_bucket("mece", 42) == 9889);  // usable at compile time
}

TEST_CASE("groups depend on salt, id and share alone: nested in the share, independent across salts, sized as asked") {
    std::mt19937_64 rng(8);
    std::vector<std::int64_t> ids(200'000);
    for (auto& id : ids) id = std::int64_t(rng());
    const mece::Holdout ten{{.share = 0.10}}, twenty{{.share = 0.20}}, other_salt{{.share = 0.10, .salt = "another"}};
    std::int64_t in_ten = 0, in_twenty = 0, in_both_salts = 0;
    for (auto id : ids) {
        const bool a = ten.group(id) == mece::Group::control, b = twenty.group(id) == mece::Group::control;
        CHECK((!a || b));  // raising the share only adds users to control
        in_ten += a;
        in_twenty += b;
        in_both_salts += a && other_salt.group(id) == mece::Group::control;
    }
    const double n = double(ids.size());
    // Within 5 standard deviations of the share (sd of 10% of 200,000 is 0.067%).
    CHECK(std::abs(double(in_ten) / n - 0.10) < 5 * std::sqrt(0.1 * 0.9 / n));
    CHECK(std::abs(double(in_twenty) / n - 0.20) < 5 * std::sqrt(0.2 * 0.8 / n));
    // Another salt draws independently: 1% of users in both controls.
    CHECK(std::abs(double(in_both_salts) / n - 0.01) < 5 * std::sqrt(0.01 * 0.99 / n));
    // Sequential ids (the usual case) are spread as well as random ones.
    std::int64_t sequential = 0;
    for (std::int64_t id = 1; id <= 200'000; ++id) sequential += ten.group(id) == mece::Group::control;
    CHECK(std::abs(double(sequential) / n - 0.10) < 5 * std::sqrt(0.1 * 0.9 / n));
}

TEST_CASE("the global control group is taken out first, then each segment's control") {
    const mece::Holdout holdout{{.share = 0.2, .salt = "c", .global_share = 0.05, .global_salt = "g"}};
    std::int64_t global = 0, control = 0;
    const std::int64_t n = 100'000;
    for (std::int64_t id = 0; id < n; ++id) {
        const auto group = holdout.group(id);
        const bool in_global = double(mece::holdout_bucket("g", id)) < 0.05 * 10000;
        CHECK((group == mece::Group::global_control) == in_global);
        if (!in_global) CHECK((group == mece::Group::control) == (double(mece::holdout_bucket("c", id)) < 0.2 * 10000));
        global += group == mece::Group::global_control;
        control += group == mece::Group::control;
    }
    CHECK(std::abs(double(global) / double(n) - 0.05) < 0.005);
    CHECK(std::abs(double(control) / double(n) - 0.95 * 0.2) < 0.01);
    CHECK(mece::Holdout{}.group(7) == mece::Group::treatment);  // no holdout: everyone treated
    CHECK(mece::to_string(mece::Group::global_control) == "global_control");
}

TEST_CASE("holdout options out of range are refused, naming the key") {
    CHECK_THROWS_WITH_AS(mece::Holdout({.share = 0.6}), "holdout.share: expected a share in [0, 0.5], got 0.6", mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::Holdout({.share = std::nan("")}), "holdout.share: expected a share in [0, 0.5], got nan",
                         mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::Holdout({.global_share = -0.1}), "holdout.global_share: expected a share in [0, 0.5], got -0.1",
                         mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::Holdout({.share = 0.1, .baseline_rate = 1}), "holdout.baseline_rate: expected a rate in (0, 1), got 1",
                         mece::ConfigError);
    CHECK_THROWS_WITH_AS(mece::Holdout({.share = 0.1, .salt = "s", .global_share = 0.1, .global_salt = "s"}),
                         "holdout.global_salt: must differ from holdout.salt ('s'), or the global control group and each "
                         "segment's control would be the same users",
                         mece::ConfigError);
}

TEST_CASE("the minimum detectable lift at 80% power and alpha 0.05") {
    // 2.8016 = z(0.975) + z(0.8) = 1.959964 + 0.841621.
    CHECK(mece::mde_abs(0.05, 9000, 1000) == doctest::Approx(2.8016 * std::sqrt(0.05 * 0.95 * (1.0 / 9000 + 1.0 / 1000))));
    CHECK(mece::mde_abs(0.05, 9000, 1000) == doctest::Approx(0.020353).epsilon(1e-4));
    CHECK(std::isnan(mece::mde_abs(0.05, 100, 0)));
    CHECK(std::isnan(mece::mde_abs(0.05, 0, 100)));
}

namespace {

/// The rows of `data` in the order `order`.
mece::Dataset<double> reordered(const mece::Dataset<double>& data, const std::vector<Eigen::Index>& order) {
    mece::Dataset<double>::Columns c;
    c.resize(Eigen::Index(order.size()));
    for (Eigen::Index i = 0; i < Eigen::Index(order.size()); ++i) {
        const Eigen::Index r = order[std::size_t(i)];
        c.user_id[i] = data.user_id()[r];
        c.cart_abandoned_date[i] = data.cart_abandoned_date()[r];
        c.last_order_date[i] = data.last_order_date()[r];
        c.avg_order_value[i] = data.avg_order_value()[r];
        c.sessions_last_30d[i] = data.sessions_last_30d()[r];
        c.num_cart_items[i] = data.num_cart_items()[r];
        c.engagement_score[i] = data.engagement_score()[r];
        c.profitability_score[i] = data.profitability_score()[r];
    }
    return mece::Dataset<double>(std::move(c));
}

/// Each universe user's group, by user id, from a run's assignments.csv.
std::map<std::int64_t, std::string> groups_written(const mece::RunResult<double>& result, const std::string& name) {
    const auto directory = std::filesystem::temp_directory_path() / ("mece-test-holdout-" + name);
    std::filesystem::remove_all(directory);
    mece::StrategyWriter{directory}.write_assignments(result);
    std::ifstream in(directory / "assignments.csv");
    std::string line;
    std::getline(in, line);
    CHECK(line == "user_id,segment_id,segment_name,group");
    std::map<std::int64_t, std::string> groups;
    while (std::getline(in, line)) groups[std::stoll(line.substr(0, line.find(',')))] = line.substr(line.rfind(',') + 1);
    std::filesystem::remove_all(directory);
    return groups;
}

}  // namespace

TEST_CASE("a run's groups are counted per segment, as each user's group says") {
    const auto data = mece::generate<double>({.rows = 60'000, .seed = 3});
    const mece::HoldoutOptions options{.share = 0.15, .global_share = 0.05};
    const auto result = mece::run(data, mece::presets::seed004(), {.holdout = options, .threads = 2});
    REQUIRE(result.strategy.holdout);
    const mece::HoldoutCounts& counts = *result.strategy.holdout;
    CHECK(counts.options.share == 0.15);
    const mece::Holdout holdout{options};
    std::vector<mece::GroupCounts> expected(result.strategy.solution.rules.segments().size());
    for (Eigen::Index i = 0; i < result.universe.size(); ++i) {
        const auto id = data.user_id()[result.universe.rows()[i]];
        ++expected[std::size_t(result.strategy.solution.assignment.segment_ids[i] - 1)][holdout.group(id)];
    }
    CHECK(counts.segments == expected);
    const mece::GroupCounts total = counts.total();
    CHECK(total.treatment + total.control + total.global_control == result.universe.size());
    // The control share of the users left after the global control group is within 4 sd of the share.
    const double n = double(total.treatment + total.control);
    CHECK(std::abs(double(total.control) / n - 0.15) < 4 * std::sqrt(0.15 * 0.85 / n));
    const double u = double(result.universe.size());
    CHECK(std::abs(double(total.global_control) / u - 0.05) < 4 * std::sqrt(0.05 * 0.95 / u));

    // Every output's figures are these counts.
    const mece::RankedSegments rows(result.strategy);
    REQUIRE(rows.figure_columns().size() == 3);
    CHECK(rows.figure_columns()[0].key == "n_treatment");
    CHECK(rows.figure_columns()[2].key == "mde_abs");
    for (const mece::RankedSegment& row : rows) {
        REQUIRE(row.holdout);
        const mece::GroupCounts& c = counts.of(row.id);
        CHECK(row.holdout->n_treatment == c.treatment);
        CHECK(row.holdout->n_control == c.control);
        CHECK(row.holdout->n_global_control == c.global_control);
        CHECK(row.holdout->mde_abs == mece::mde_abs(0.05, c.treatment, c.control));
        CHECK(std::get<std::int64_t>(row.figures[1]) == c.control);
    }
    const auto json = mece::StrategyWriter::strategy_json(result.strategy);
    CHECK(json["schema_version"] == 5);
    CHECK(json["holdout"]["hash"] == "fnv1a64-splitmix64-mod10000");
    CHECK(json["holdout"]["global_share"] == 0.05);
    CHECK(json["holdout"]["n_control"] == total.control);
    CHECK(json["segments"][0]["n_control"] == counts.of(rows[0].id).control);
}

TEST_CASE("a user's group is the same after shuffling the rows, with other threads, and in another segment") {
    const auto data = mece::generate<double>({.rows = 40'000, .seed = 11});
    const mece::HoldoutOptions options{.share = 0.2, .salt = "winter", .global_share = 0.1};
    const auto base = mece::run(data, mece::presets::seed004(), {.holdout = options, .threads = 1});
    const auto groups = groups_written(base, "base");
    REQUIRE(groups.size() == std::size_t(base.universe.size()));

    std::vector<Eigen::Index> order(std::size_t(data.rows()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::mt19937_64 rng(2);
    std::shuffle(order.begin(), order.end(), rng);
    const auto shuffled = mece::run(reordered(data, order), mece::presets::seed004(), {.holdout = options, .threads = 2});
    CHECK(groups_written(shuffled, "shuffled") == groups);
    CHECK(shuffled.strategy.holdout->total() == base.strategy.holdout->total());

    // Other rules and bounds move users between segments; their groups stay.
    const auto moved = mece::run(data, mece::presets::seed003(),
                                 {.constraints = {.min_size = 200, .max_size = 2'000}, .holdout = options, .threads = 2});
    CHECK(groups_written(moved, "moved") == groups);
    CHECK(moved.strategy.holdout->total() == base.strategy.holdout->total());
}

TEST_CASE("without a holdout a run counts no groups and its outputs have none") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 1});
    const auto result = mece::run(data, mece::presets::seed004());
    CHECK_FALSE(result.strategy.holdout);
    const mece::RankedSegments rows(result.strategy);
    CHECK(rows.figure_columns().empty());
    CHECK_FALSE(rows[0].holdout);
    CHECK(mece::StrategyWriter::strategy_json(result.strategy)["holdout"].is_null());
    CHECK_THROWS_WITH_AS(mece::run(data, mece::presets::seed004(), {.holdout = {.share = 0.6}}),
                         "holdout.share: expected a share in [0, 0.5], got 0.6", mece::ConfigError);
}
