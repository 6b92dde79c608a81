#include <doctest/doctest.h>

#include <mece/io/generator.hpp>
#include <mece/universe.hpp>

TEST_CASE("the synthetic dataset is deterministic for a seed, whatever the threads") {
    const auto a = mece::generate<double>({.rows = 200'000, .seed = 5, .threads = 1});
    const auto b = mece::generate<double>({.rows = 200'000, .seed = 5, .threads = 2});
    const auto c = mece::generate<double>({.rows = 200'000, .seed = 6});
    CHECK((a.avg_order_value() == b.avg_order_value()).all());
    CHECK((a.last_order_date() == b.last_order_date()).all());
    CHECK((a.engagement_score() == b.engagement_score()).all());
    CHECK_FALSE((a.avg_order_value() == c.avg_order_value()).all());
}

TEST_CASE("the synthetic dataset has the schema's ranges and the documented shape") {
    const mece::SyntheticOptions options{.rows = 300'000, .seed = 1};
    const auto data = mece::generate<double>(options);
    REQUIRE(data.rows() == options.rows);
    CHECK((data.avg_order_value() >= 0).all());
    CHECK((data.sessions_last_30d() >= 0).all());
    CHECK((data.num_cart_items() >= 1).all());
    CHECK((data.engagement_score() >= 0 && data.engagement_score() <= 1).all());
    CHECK((data.profitability_score() >= 0 && data.profitability_score() <= 1).all());
    CHECK(data.cart_abandoned_date().maxCoeff() == options.as_of);
    CHECK(data.cart_abandoned_date().minCoeff() == options.as_of - (options.history_days - 1));
    const auto never = (data.last_order_date() == mece::no_date).count();
    CHECK(double(never) / double(data.rows()) == doctest::Approx(0.16).epsilon(0.15));  // first-time buyers
    const auto ordered = (data.last_order_date() != mece::no_date);
    CHECK((ordered.select(data.last_order_date(), 0) <= data.cart_abandoned_date()).all());
    // About 23% of users abandoned in the last 7 of 30 days.
    const mece::Universe universe{data};
    CHECK(double(universe.size()) / double(data.rows()) == doctest::Approx(0.23).epsilon(0.05));
    // VIPs (10%) give a tail above 3000.
    CHECK(double((data.avg_order_value() > 3000).count()) / double(data.rows()) == doctest::Approx(0.015).epsilon(0.5));
    CHECK(mece::generate<double>({.rows = 0}).rows() == 0);
    CHECK_THROWS_WITH_AS(mece::generate<double>({.rows = -1}), "synthetic: rows must be non-negative", mece::ConfigError);
}

TEST_CASE("a history that reaches before 0001-01-01 is refused; last orders never go before it") {
    CHECK_THROWS_WITH_AS(mece::generate<double>({.rows = 10, .as_of = *mece::parse_date("0001-01-20"), .history_days = 30}),
                         "synthetic: 30 days of history ending 0001-01-20 reach outside 0001-01-01 to 9999-12-31",
                         mece::ConfigError);
    const auto data = mece::generate<double>({.rows = 5000, .as_of = *mece::parse_date("0001-02-20"), .history_days = 30});
    for (Eigen::Index i = 0; i < data.rows(); ++i) {
        const auto d = data.last_order_date()[i];
        CHECK((d == mece::no_date || d >= mece::min_date));
    }
}


TEST_CASE("a share of the rows is those rows of the whole synthetic dataset, as a sharded run needs") {
    const auto whole = mece::generate<double>({.rows = 200'000, .seed = 5, .threads = 2});
    for (auto [first, count] : {std::pair<Eigen::Index, Eigen::Index>{70'001, 100'000}, {0, 1}, {199'999, 1}, {65'536, 65'536}, {150'000, -1}}) {
        const auto part = mece::generate<double>({.rows = 200'000, .seed = 5, .threads = 1, .first = first, .count = count});
        const Eigen::Index n = count < 0 ? 200'000 - first : count;
        REQUIRE(part.rows() == n);
        CHECK((part.user_id() == whole.user_id().segment(first, n)).all());
        CHECK((part.cart_abandoned_date() == whole.cart_abandoned_date().segment(first, n)).all());
        CHECK((part.last_order_date() == whole.last_order_date().segment(first, n)).all());
        CHECK((part.avg_order_value() == whole.avg_order_value().segment(first, n)).all());
        CHECK((part.sessions_last_30d() == whole.sessions_last_30d().segment(first, n)).all());
        CHECK((part.num_cart_items() == whole.num_cart_items().segment(first, n)).all());
        CHECK((part.engagement_score() == whole.engagement_score().segment(first, n)).all());
        CHECK((part.profitability_score() == whole.profitability_score().segment(first, n)).all());
    }
    CHECK(mece::generate<double>({.rows = 10, .first = 10, .count = 0}).rows() == 0);
    CHECK_THROWS_AS(mece::generate<double>({.rows = 10, .first = 5, .count = 6}), mece::ConfigError);
    CHECK_THROWS_AS(mece::generate<double>({.rows = 10, .first = -1}), mece::ConfigError);
}
