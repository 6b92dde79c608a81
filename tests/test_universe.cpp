#include <doctest/doctest.h>

#include <mece/universe.hpp>

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
