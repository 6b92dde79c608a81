#pragma once
// Helpers shared by the tests: small datasets built from rows, and error-text checks.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/dataset.hpp>

namespace mece::test {

/// One user, for building small datasets by hand.
struct Row {
    std::int64_t user_id;
    const char* abandoned;
    const char* last_order;  // nullptr: never ordered
    double aov;
    int sessions;
    int items;
    double engagement;
    double profitability;
};

template <class Scalar = double>
Dataset<Scalar> make_dataset(const std::vector<Row>& rows) {
    typename Dataset<Scalar>::Columns c;
    const auto n = Eigen::Index(rows.size());
    c.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Row& r = rows[std::size_t(i)];
        c.user_id[i] = r.user_id;
        c.cart_abandoned_date[i] = *parse_date(r.abandoned);
        c.last_order_date[i] = r.last_order ? *parse_date(r.last_order) : no_date;
        c.avg_order_value[i] = Scalar(r.aov);
        c.sessions_last_30d[i] = r.sessions;
        c.num_cart_items[i] = r.items;
        c.engagement_score[i] = Scalar(r.engagement);
        c.profitability_score[i] = Scalar(r.profitability);
    }
    return Dataset<Scalar>(std::move(c));
}

/// Random users with few distinct values, so ties and empty segments are common.
template <class Scalar = double>
Dataset<Scalar> random_dataset(std::mt19937_64& rng, Eigen::Index n, Days as_of, int levels) {
    typename Dataset<Scalar>::Columns c;
    c.resize(n);
    std::uniform_int_distribution<int> level(0, levels - 1), day(0, 12), coin(0, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        c.user_id[i] = 1000 + 3 * i;
        c.cart_abandoned_date[i] = as_of - day(rng);
        c.last_order_date[i] = coin(rng) == 0 ? no_date : as_of - 10 * level(rng);
        c.avg_order_value[i] = Scalar(100 * level(rng));
        c.sessions_last_30d[i] = level(rng);
        c.num_cart_items[i] = 1 + level(rng);
        c.engagement_score[i] = Scalar(level(rng)) / Scalar(levels);
        c.profitability_score[i] = Scalar(level(rng)) / Scalar(levels);
    }
    return Dataset<Scalar>(std::move(c));
}

}  // namespace mece::test
