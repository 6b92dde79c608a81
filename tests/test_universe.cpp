#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>
#include <string>

#include <doctest/doctest.h>

#include <mece/mece.hpp>

#include "support.hpp"

TEST_CASE("the universe is the window of days ending at as_of, both ends included") {
    // as_of 2026-11-15, window 7: 2026-11-09 .. 2026-11-15.
    auto data = mece::test::make_dataset({{1, "2026-11-08", nullptr, 1, 0, 1, 0, 0},
                                          {2, "2026-11-09", nullptr, 1, 0, 1, 0, 0},
                                          {3, "2026-11-12", nullptr, 1, 0, 1, 0, 0},
                                          {4, "2026-11-15", nullptr, 1, 0, 1, 0, 0},
                                          {5, "2026-11-16", nullptr, 1, 0, 1, 0, 0},
                                          {6, "2026-10-01", nullptr, 1, 0, 1, 0, 0}});
    const mece::Universe universe{data, {.as_of = mece::parse_date("2026-11-15")}};
    CHECK(universe.size() == 3);
    CHECK(universe.rows()[0] == 1);
    CHECK(universe.rows()[1] == 2);
    CHECK(universe.rows()[2] == 3);
    CHECK(mece::format_date(universe.first_day()) == "2026-11-09");

    SUBCASE("by default as_of is the latest abandonment date") {
        const mece::Universe latest{data};
        CHECK(mece::format_date(latest.as_of()) == "2026-11-16");
        CHECK(latest.size() == 3);  // 11-10 .. 11-16
        CHECK(latest.rows()[0] == 2);
    }
    SUBCASE("a one-day window") {
        const mece::Universe day{data, {.as_of = mece::parse_date("2026-11-12"), .window_days = 1}};
        CHECK(day.size() == 1);
        CHECK(day.rows()[0] == 2);
    }
    SUBCASE("bad windows and empty data are explained") {
        CHECK_THROWS_WITH_AS(mece::Universe(data, {.window_days = 0}), "universe: window_days must be at least 1, got 0",
                             mece::ConfigError);
        CHECK_THROWS_WITH_AS(mece::Universe(mece::Dataset<double>{}),
                             "universe: the dataset is empty, so there is no latest abandonment date to use as as_of",
                             mece::InputError);
        CHECK(mece::Universe(mece::Dataset<double>{}, {.as_of = 0}).size() == 0);
    }
}

TEST_CASE("a universe goes only with the dataset it selects from") {
    std::mt19937_64 rng(5);
    const auto big = mece::test::random_dataset(rng, 1000, 20772, 8);
    const auto small = mece::test::random_dataset(rng, 200, 20772, 8);
    const auto same_size = mece::test::random_dataset(rng, 1000, 20772, 8);
    const mece::Universe universe{big};
    REQUIRE(universe.size() > 0);
    CHECK(universe.dataset_rows() == 1000);
    const auto rules = mece::presets::seed004().resolve(big, universe);
    const auto assignment = rules.assign(big, universe);

    SUBCASE("a copy of the dataset shares its columns and goes with it") {
        const auto copy = big;
        const mece::Scope scope{copy, universe};
        CHECK(scope.size() == universe.size());
        CHECK((rules.assign(scope).segment_ids == assignment.segment_ids).all());
    }
    SUBCASE("a smaller dataset: every entry point refuses, naming both sizes, and reads nothing") {
        const std::string message = "scope: the universe selects from a dataset of 1000 rows, not from this one of 200 rows";
        CHECK_THROWS_WITH_AS(mece::Scope(small, universe), message.c_str(), mece::InputError);
        CHECK_THROWS_WITH_AS(rules.assign(small, universe), message.c_str(), mece::InputError);
        CHECK_THROWS_WITH_AS(mece::presets::seed004().resolve(small, universe), message.c_str(), mece::InputError);
        CHECK_THROWS_WITH_AS(mece::check_mece(rules, assignment, small, universe), message.c_str(), mece::InputError);
        CHECK_THROWS_WITH_AS(mece::ConstraintSolver{}.solve(rules, assignment, small, universe), message.c_str(),
                             mece::InputError);
        CHECK_THROWS_WITH_AS(mece::SegmentStats::compute(small, universe, assignment), message.c_str(), mece::InputError);
        CHECK_THROWS_WITH_AS(rules.segments().front().rule.evaluate(small, universe), message.c_str(), mece::InputError);
    }
    SUBCASE("another dataset of the same size") {
        CHECK_THROWS_WITH_AS(rules.assign(same_size, universe),
                             "scope: the universe selects from another dataset of the same 1000 rows; make the universe from this one",
                             mece::InputError);
    }
    // No universe that silently means "nobody": one is always made from a dataset.
    static_assert(!std::is_default_constructible_v<mece::Universe>);
    SUBCASE("threads: 0 means every core, and a scope keeps what it is given") {
        CHECK(mece::Scope(big, universe).threads() >= 1);
        CHECK(mece::Scope(big, universe, {.threads = 3}).threads() == std::min(3u, mece::detail::available_cores()));
        CHECK(mece::Scope(big, universe, {.threads = 1024}).threads() == mece::detail::available_cores());
    }
}

TEST_CASE("a universe of many ranges selects the same rows on any number of threads") {
    std::mt19937_64 rng(12);
    mece::Dataset<double>::Columns columns;
    const Eigen::Index n = (Eigen::Index{1} << 21) + 12345;  // three ranges of the selection
    columns.resize(n);
    columns.user_id.setLinSpaced(n, 1, n);
    std::uniform_int_distribution<int> day(0, 30);
    for (Eigen::Index i = 0; i < n; ++i) columns.cart_abandoned_date[i] = 20700 + day(rng);
    columns.cart_abandoned_date[n - 1] = 20730;  // the last row is in, at the very end
    const mece::Dataset<double> data{std::move(columns)};
    std::vector<mece::RowIndex> expected;
    for (Eigen::Index i = 0; i < n; ++i)
        if (data.cart_abandoned_date()[i] >= 20724 && data.cart_abandoned_date()[i] <= 20730) expected.push_back(i);
    for (unsigned threads : {1u, 2u, 3u}) {
        const mece::Universe universe{data, {.as_of = 20730, .window_days = 7, .threads = threads}};
        REQUIRE(universe.size() == Eigen::Index(expected.size()));
        bool same = true;
        for (std::size_t k = 0; k < expected.size(); ++k) same = same && universe.rows()[Eigen::Index(k)] == expected[k];
        CHECK(same);
    }
}

TEST_CASE("property: the universe is the rows in the window, whatever the dates, the window and the threads") {
    // Ranges whose latest date is not the latest of all (their count is made again), dates at
    // the ends of the range of dates, one-day and very long windows, as_of given or not.
    std::mt19937_64 rng(31);
    for (int trial = 0; trial < 24; ++trial) {
        CAPTURE(trial);
        mece::Dataset<double>::Columns columns;
        const Eigen::Index n = std::uniform_int_distribution<Eigen::Index>(1, 300000)(rng);
        columns.resize(n);
        columns.user_id.setLinSpaced(n, 1, n);
        const int spread = std::uniform_int_distribution<int>(0, 40)(rng);
        const mece::Days base = trial % 6 == 0   ? mece::min_date + 100000  // the window of 100000 days still fits
                                : trial % 6 == 1 ? mece::max_date - spread
                                                 : 20700;
        const Eigen::Index late_from = std::uniform_int_distribution<Eigen::Index>(0, n)(rng);  // later rows reach higher
        for (Eigen::Index i = 0; i < n; ++i) {
            const int top = i >= late_from ? spread : spread / 2;
            columns.cart_abandoned_date[i] = mece::Days(std::int64_t(base) + std::uniform_int_distribution<int>(0, top)(rng));
        }
        const mece::Dataset<double> data{std::move(columns)};
        const int window = std::vector<int>{1, 2, 7, 30, 100000}[std::size_t(trial) % 5];
        std::optional<mece::Days> as_of;
        if (trial % 4 == 3) as_of = mece::Days(std::int64_t(base) + spread / 3);
        const auto dates = data.cart_abandoned_date();
        const std::int64_t last = as_of ? *as_of : dates.maxCoeff();
        std::vector<mece::RowIndex> expected;
        for (Eigen::Index i = 0; i < n; ++i)
            if (dates[i] <= last && std::int64_t(dates[i]) >= last - (window - 1)) expected.push_back(i);
        for (unsigned threads : {1u, 2u, 3u}) {
            const mece::Universe universe{data, {.as_of = as_of, .window_days = window, .threads = threads}};
            CHECK(universe.as_of() == last);
            REQUIRE(universe.size() == Eigen::Index(expected.size()));
            bool same = true;
            for (std::size_t k = 0; k < expected.size(); ++k) same = same && universe.rows()[Eigen::Index(k)] == expected[k];
            CHECK(same);
        }
    }
}

TEST_CASE("a window outside 0001-01-01 to 9999-12-31 is refused, naming the dates") {
    const auto data = mece::test::make_dataset({{1, "0001-01-03", nullptr, 1, 1, 1, 0.5, 0.5}});
    CHECK_THROWS_WITH_AS(mece::Universe{data}, "universe: the window of 7 days ending 0001-01-03 starts before 0001-01-01",
                         mece::ConfigError);
    CHECK(mece::Universe(data, {.window_days = 3}).size() == 1);
    CHECK_THROWS_WITH_AS(mece::Universe(data, {.as_of = mece::max_date + 1}),
                         "universe: as_of is day 2932897, outside 0001-01-01 to 9999-12-31", mece::ConfigError);
    auto columns = typename mece::Dataset<double>::Columns{};
    columns.resize(1);
    columns.user_id[0] = 1;
    columns.cart_abandoned_date[0] = 5'000'000;  // a caller's own day numbers
    columns.last_order_date[0] = mece::no_date;
    columns.avg_order_value[0] = 1;
    columns.sessions_last_30d[0] = 1;
    columns.num_cart_items[0] = 1;
    columns.engagement_score[0] = 0.5;
    columns.profitability_score[0] = 0.5;
    const mece::Dataset<double> odd(std::move(columns));
    CHECK_THROWS_WITH_AS(mece::Universe{odd},
                         "universe: as_of (the latest abandonment date) is day 5000000, outside 0001-01-01 to 9999-12-31",
                         mece::ConfigError);
}

