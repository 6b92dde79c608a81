#include <chrono>
#include <cstdio>
#include <optional>
#include <memory>
#include <cmath>
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
    const Dataset<float>::Buffers buffers{.user_id = ids,
                                          .cart_abandoned_date = abandoned,
                                          .last_order_date = last_order,
                                          .avg_order_value = aov,
                                          .sessions_last_30d = sessions,
                                          .num_cart_items = items,
                                          .engagement_score = engagement,
                                          .profitability_score = profitability,
                                          .extra = {{"visits", extra}}};
    auto data = Dataset<float>::view(buffers);
    CHECK(data.rows() == 3);
    CHECK_FALSE(data.owns_columns());
    CHECK(data.avg_order_value().data() == aov.data());
    CHECK(data.user_id().data() == ids.data());
    CHECK(data.extra("visits")->data() == extra.data());
    CHECK_FALSE(data.extra("nothing"));
    aov[1] = 99.f;  // a view sees the caller's changes: it is the same memory
    CHECK(data.avg_order_value()[1] == 99.f);
    CHECK(data.extra_names() == std::vector<std::string>{"visits"});

    SUBCASE("a missing buffer is named") {
        CHECK_THROWS_WITH_AS(Dataset<float>::view({.user_id = ids}),
                             "dataset: a view of 3 rows needs all eight schema buffers; missing: cart_abandoned_date, "
                             "last_order_date, avg_order_value, sessions_last_30d, num_cart_items, engagement_score, profitability_score",
                             mece::InputError);
        auto no_engagement = buffers;
        no_engagement.engagement_score = {};
        CHECK_THROWS_WITH_AS(Dataset<float>::view(no_engagement),
                             "dataset: a view of 3 rows needs all eight schema buffers; missing: engagement_score", mece::InputError);
        auto no_extra = buffers;
        no_extra.extra = {{"visits", {}}};
        CHECK_THROWS_WITH_AS(Dataset<float>::view(no_extra), "dataset: the extra column 'visits' has no buffer", mece::InputError);
    }
    SUBCASE("a buffer shorter than the rows is an error, never a read past its end") {
        std::vector<float> short_engagement(900, 0.5f), long_scores(1000, 0.5f);
        std::vector<std::int64_t> many_ids(1000);
        std::vector<mece::Days> dates(1000, 20000);
        std::vector<std::int32_t> counts(1000, 1);
        const Dataset<float>::Buffers big{.user_id = many_ids, .cart_abandoned_date = dates, .last_order_date = dates,
                                          .avg_order_value = long_scores, .sessions_last_30d = counts, .num_cart_items = counts,
                                          .engagement_score = short_engagement, .profitability_score = long_scores};
        CHECK_THROWS_WITH_AS(Dataset<float>::view(big),
                             "dataset: the buffer 'engagement_score' holds 900 values, the buffer 'user_id' 1000: a view needs "
                             "one value per row in every buffer",
                             mece::InputError);
        auto long_extra = buffers;
        long_extra.extra = {{"visits", long_scores}};
        CHECK_THROWS_WITH_AS(Dataset<float>::view(long_extra),
                             "dataset: the extra column 'visits' holds 1000 values, the buffer 'user_id' 3: a view needs one "
                             "value per row in every buffer",
                             mece::InputError);
    }
    SUBCASE("an owner keeps the buffers alive in every copy") {
        auto shared = std::make_shared<std::vector<float>>(3, 0.5f);
        auto with_owner = buffers;
        with_owner.engagement_score = *shared;
        with_owner.owner = shared;
        const std::weak_ptr<std::vector<float>> watch = shared;
        auto viewed = std::make_optional(Dataset<float>::view(std::move(with_owner)));
        shared.reset();
        const Dataset<float> copy = *viewed;
        viewed.reset();
        CHECK_FALSE(watch.expired());  // the copy holds it
        CHECK(copy.engagement_score()[2] == 0.5f);
    }
    CHECK(Dataset<float>::view({}).rows() == 0);
}

TEST_CASE("validate checks a caller's values as the CSV reader checks a file") {
    std::vector<std::int64_t> ids{7, 8, 9};
    std::vector<mece::Days> abandoned{20770, 20771, 20772}, last_order{mece::no_date, 20700, 20600};
    std::vector<double> aov{1.5, 2.5, 3.5}, engagement{0.1, 0.2, 0.3}, profitability{0.4, 0.5, 0.6}, extra{1, NAN, 3};
    std::vector<std::int32_t> sessions{1, 2, 3}, items{1, 1, 2};
    const auto view = [&] {
        return Dataset<double>::view({.user_id = ids, .cart_abandoned_date = abandoned, .last_order_date = last_order,
                                      .avg_order_value = aov, .sessions_last_30d = sessions, .num_cart_items = items,
                                      .engagement_score = engagement, .profitability_score = profitability,
                                      .extra = {{"visits", extra}}});
    };
    CHECK_NOTHROW(view().validate());  // NaN in an extra column is a missing value
    const auto fails = [&](const char* message) { CHECK_THROWS_WITH_AS(view().validate(), message, mece::InputError); };
    SUBCASE("a score out of [0,1]") {
        engagement[1] = 1.5;
        fails("dataset: row 1: column 'engagement_score': expected a number in [0,1], got 1.5");
    }
    SUBCASE("NaN in a schema measure") {
        aov[2] = NAN;
        fails("dataset: row 2: column 'avg_order_value': expected a number >= 0, got nan");
    }
    SUBCASE("counts") {
        items[0] = 0;
        fails("dataset: row 0: column 'num_cart_items': expected an integer >= 1, got 0");
        items[0] = 1;
        sessions[2] = -4;
        fails("dataset: row 2: column 'sessions_last_30d': expected an integer >= 0, got -4");
    }
    SUBCASE("a day out of range, and -1 is a date, not no_date") {
        last_order[1] = 9'000'000;
        fails("dataset: row 1: column 'last_order_date': expected a date from 0001-01-01 to 9999-12-31 or mece::no_date "
              "(never ordered), got day 9000000");
        last_order[1] = -1;
        CHECK_NOTHROW(view().validate());  // 1969-12-31: the contract says so, and the README
        abandoned[0] = mece::no_date;
        fails("dataset: row 0: column 'cart_abandoned_date': expected a date from 0001-01-01 to 9999-12-31, got day -2147483648");
    }
    SUBCASE("an infinite extra value") {
        extra[0] = INFINITY;
        fails("dataset: row 0: column 'visits': expected a finite number or NaN (missing), got inf");
    }
    SUBCASE("duplicate ids, the lowest repeated row first") {
        ids = {9, 8, 9};
        fails("dataset: row 2: column 'user_id': duplicate user id 9, first seen on row 0");
    }
}

TEST_CASE("extra columns may not reuse a name") {
    Dataset<double>::Columns columns;
    columns.extra.emplace_back("days_since_abandon", mece::Column<double>());
    CHECK_THROWS_WITH_AS(Dataset<double>{std::move(columns)},
                         "dataset: extra column 'days_since_abandon' repeats the name of another column",
                         mece::InputError);
}
