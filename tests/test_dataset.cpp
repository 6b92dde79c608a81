#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include <doctest/doctest.h>

#include <mece/dataset.hpp>

#include "support.hpp"

using mece::Dataset;
using mece::parse_date;

TEST_CASE("dates: every day, month and year of 0001-9999 (and the days and months that do not exist) as std::chrono counts them") {
    long wrong = 0;
    char text[16];
    for (int year = 0; year <= 9999; year += (year < 1890 || year > 2110) ? 7 : 1)
        for (int month = 0; month <= 13; ++month)
            for (int day = 0; day <= 32; ++day) {
                std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
                const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                                       std::chrono::day{unsigned(day)}};
                std::optional<mece::Days> expected;
                if (date.ok() && year >= 1) expected = mece::Days(std::chrono::sys_days{date}.time_since_epoch().count());
                if (parse_date(std::string_view(text, 10)) != expected) ++wrong;
            }
    CHECK(wrong == 0);
    for (const char* text : {"2026-0a-01", "20a6-01-01", "2026/01/01", "2026-01-1 ", "-026-01-01", "2026-01-:1"})
        CHECK_FALSE(parse_date(text));
}

TEST_CASE("dates are days since 1970-01-01 and only real dates parse") {
    CHECK(parse_date("1970-01-01") == 0);
    CHECK(parse_date("2026-11-15") == 20772);
    CHECK(parse_date("2024-02-29") == 19782);
    CHECK_FALSE(parse_date("2026-02-29"));
    CHECK_FALSE(parse_date("2026-02-30"));
    CHECK_FALSE(parse_date("2026-13-01"));
    CHECK_FALSE(parse_date("2026-00-10"));
    CHECK_FALSE(parse_date("2026-1-01"));
    CHECK_FALSE(parse_date("2026/01/01"));
    CHECK_FALSE(parse_date(" 2026-01-01"));
    CHECK_FALSE(parse_date(""));
    CHECK(mece::format_date(20772) == "2026-11-15");
    CHECK(mece::format_date(mece::no_date).empty());
    // Year 0 does not exist; dates run from 0001-01-01 to 9999-12-31, and print as themselves.
    CHECK_FALSE(parse_date("0000-01-03"));
    CHECK_FALSE(parse_date("0000-12-31"));
    CHECK(parse_date("0001-01-01") == mece::min_date);
    CHECK(parse_date("9999-12-31") == mece::max_date);
    CHECK(mece::format_date(mece::min_date) == "0001-01-01");
    CHECK(mece::format_date(mece::max_date) == "9999-12-31");
    CHECK(mece::format_date(mece::min_date - 1) == "day -719163");
    CHECK(mece::format_date(mece::max_date + 1) == "day 2932897");
    for (mece::Days d = -1000; d < 30000; d += 37) CHECK(parse_date(mece::format_date(d)) == d);
}

TEST_CASE("an owning dataset checks its columns have one length") {
    auto data = mece::test::make_dataset({{1, "2026-11-01", nullptr, 10, 1, 1, 0.5, 0.5},
                                          {2, "2026-11-02", "2026-10-01", 20, 2, 2, 0.25, 0.75}});
    CHECK(data.rows() == 2);
    CHECK(data.owns_columns());
    CHECK(data.last_order_date()[0] == mece::no_date);
    CHECK(data.avg_order_value().sum() == 30);

    Dataset<double>::Columns columns;
    columns.resize(3);
    CHECK(Dataset<double>{columns}.rows() == 3);
    columns.num_cart_items.resize(2);
    CHECK_THROWS_WITH_AS(Dataset<double>{std::move(columns)},
                         "dataset: column 'num_cart_items' has 2 rows, column 'user_id' has 3", mece::InputError);
}

TEST_CASE("a view reads the caller's buffers without copying them") {
    std::vector<std::int64_t> ids{7, 8, 9};
    std::vector<mece::Days> abandoned{20770, 20771, 20772}, last_order{mece::no_date, 20700, 20600};
    std::vector<float> aov{1.5f, 2.5f, 3.5f}, engagement{0.1f, 0.2f, 0.3f}, profitability{0.4f, 0.5f, 0.6f}, extra{1, 2, 3};
    std::vector<std::int32_t> sessions{1, 2, 3}, items{1, 1, 2};
    const Dataset<float>::Buffers buffers{.rows = 3,
                                          .user_id = ids.data(),
                                          .cart_abandoned_date = abandoned.data(),
                                          .last_order_date = last_order.data(),
                                          .avg_order_value = aov.data(),
                                          .sessions_last_30d = sessions.data(),
                                          .num_cart_items = items.data(),
                                          .engagement_score = engagement.data(),
                                          .profitability_score = profitability.data(),
                                          .extra = {{"visits", extra.data()}}};
    auto data = Dataset<float>::view(buffers);
    CHECK_FALSE(data.owns_columns());
    CHECK(data.avg_order_value().data() == aov.data());
    CHECK(data.user_id().data() == ids.data());
    CHECK(data.extra("visits")->data() == extra.data());
    CHECK_FALSE(data.extra("nothing"));
    aov[1] = 99.f;  // a view sees the caller's changes: it is the same memory
    CHECK(data.avg_order_value()[1] == 99.f);
    CHECK(data.extra_names() == std::vector<std::string>{"visits"});

    CHECK_THROWS_WITH_AS(Dataset<float>::view({.rows = 3, .user_id = ids.data()}),
                         "dataset: a view of 3 rows needs all eight schema buffers; missing: cart_abandoned_date, "
                         "last_order_date, avg_order_value, sessions_last_30d, num_cart_items, engagement_score, profitability_score",
                         mece::InputError);
    auto no_engagement = buffers;
    no_engagement.engagement_score = nullptr;
    no_engagement.extra = {{"visits", nullptr}};
    CHECK_THROWS_WITH_AS(Dataset<float>::view(no_engagement),
                         "dataset: a view of 3 rows needs all eight schema buffers; missing: engagement_score", mece::InputError);
    auto no_extra = no_engagement;
    no_extra.engagement_score = engagement.data();
    CHECK_THROWS_WITH_AS(Dataset<float>::view(no_extra), "dataset: the extra column 'visits' has no buffer", mece::InputError);
    CHECK_THROWS_WITH_AS(Dataset<float>::view({.rows = -1}), "dataset: a view needs a non-negative row count, got -1",
                         mece::InputError);
}

TEST_CASE("extra columns may not reuse a name") {
    Dataset<double>::Columns columns;
    columns.extra.emplace_back("days_since_abandon", mece::Column<double>());
    CHECK_THROWS_WITH_AS(Dataset<double>{std::move(columns)},
                         "dataset: extra column 'days_since_abandon' repeats the name of another column",
                         mece::InputError);
}
