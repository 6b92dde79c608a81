// Holdout groups: the documented bucket (vectors computed by the Python recipe of
// docs/holdout.md, not by this code), its properties, and the detectable lift.

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/holdout.hpp>

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
