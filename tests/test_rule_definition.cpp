// The segment definitions' few-terms reading: a negated comparison as the opposite one
// where no value is missing, and the proof that a definition holds for no one.

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/rule_tree/definition.hpp>

using mece::Expr;
using mece::Op;
using mece::Predicate;

namespace {

Expr of(const char* feature, Op op, double value) { return Expr::of(Predicate{feature, op, value, {}}); }

/// Whether every term holds for a user whose only feature `feature` is `x` (NaN: missing).
bool holds_all(const std::vector<Expr>& terms, const char* feature, double x) {
    for (const Expr& t : terms)
        if (!*mece::detail::holds_at(t, feature, x)) return false;
    return true;
}

}  // namespace

TEST_CASE("not (x >= t) reads x < t where x is never missing, and stays a negation where it can be") {
    using mece::detail::negation_of;
    CHECK(negation_of({{"avg_order_value", Op::greater_equal, 100, {}}}).text() == "avg_order_value < 100");
    CHECK(negation_of({{"engagement_score", Op::greater, 0.5, {}}}).text() == "engagement_score <= 0.5");
    CHECK(negation_of({{"days_since_abandon", Op::less, 3, {}}}).text() == "days_since_abandon >= 3");
    CHECK(negation_of({{"sessions_last_30d", Op::less_equal, 4, {}}}).text() == "sessions_last_30d > 4");
    // Missing values: a user who never ordered is in "not (x <= 30)" but not in "x > 30".
    CHECK(negation_of({{"days_since_last_order", Op::less_equal, 30, {}}}).text() == "not (days_since_last_order <= 30)");
    CHECK(negation_of({{"my_extra_column", Op::less, 1, {}}}).text() == "not (my_extra_column < 1)");
    // An unknown threshold holds for no one; its negation for everyone, unlike x < NaN.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(negation_of({{"avg_order_value", Op::greater_equal, nan, {}}}).kind() == Expr::Kind::negation);
    // == has no single opposite; two conditions stay one negation.
    CHECK(negation_of({{"num_cart_items", Op::equal, 2, {}}}).text() == "not (num_cart_items == 2)");
    CHECK(negation_of({{"avg_order_value", Op::greater_equal, 1, {}}, {"avg_order_value", Op::less, 5, {}}}).text() ==
          "not (1 <= avg_order_value < 5)");
    // The quantile's text travels with it.
    CHECK(negation_of({{"avg_order_value", Op::greater, 210, "p80"}}).text() == "avg_order_value <= 210 (p80)");
}

TEST_CASE("a definition no value can satisfy is proved empty, and only such a one") {
    using mece::detail::provably_empty;
    // Seed 003's catch-alls: engagement neither above nor at most its median.
    CHECK(provably_empty({of("avg_order_value", Op::less_equal, 50), of("engagement_score", Op::less_equal, 0.305),
                          of("engagement_score", Op::greater, 0.305)}));
    // AOV in (50, 210] and not in it.
    CHECK(provably_empty({of("avg_order_value", Op::less_equal, 210), of("avg_order_value", Op::greater, 50),
                          Expr::negate(Expr::all({of("avg_order_value", Op::greater, 50), of("avg_order_value", Op::less_equal, 210)}))}));
    // A feature that can be missing: "not (x <= 30)" holds for a user who never ordered.
    CHECK_FALSE(provably_empty({Expr::negate(of("days_since_last_order", Op::less_equal, 30)),
                                Expr::negate(of("days_since_last_order", Op::greater, 30))}));
    CHECK(provably_empty({of("days_since_last_order", Op::less_equal, 30), of("days_since_last_order", Op::greater, 30)}));
    // Two features bound apart prove nothing; touching bounds leave the one value.
    CHECK_FALSE(provably_empty({of("avg_order_value", Op::greater, 5), of("engagement_score", Op::less, 0.1)}));
    CHECK_FALSE(provably_empty({of("avg_order_value", Op::greater_equal, 5), of("avg_order_value", Op::less_equal, 5)}));
    CHECK(provably_empty({of("avg_order_value", Op::greater, 5), of("avg_order_value", Op::less_equal, 5)}));
    // Adjacent doubles leave no value between them.
    CHECK(provably_empty({of("avg_order_value", Op::greater, 1.0), of("avg_order_value", Op::less, std::nextafter(1.0, 2.0))}));
    CHECK_FALSE(provably_empty({}));
}

TEST_CASE("property: provably_empty is never wrong and finds every empty one-feature conjunction") {
    std::mt19937_64 rng(31);
    const Op ops[] = {Op::less, Op::less_equal, Op::greater, Op::greater_equal, Op::equal};
    for (int trial = 0; trial < 3000; ++trial) {
        const char* feature = trial % 2 ? "avg_order_value" : "days_since_last_order";
        std::vector<Expr> terms;
        for (int k = std::uniform_int_distribution<int>(1, 4)(rng); k > 0; --k) {
            Expr e = of(feature, ops[rng() % 5], double(rng() % 7));
            if (rng() % 3 == 0) e = Expr::negate(Expr::all({std::move(e), of(feature, ops[rng() % 5], double(rng() % 7))}));
            else if (rng() % 2 == 0) e = Expr::negate(std::move(e));
            terms.push_back(std::move(e));
        }
        // Every truth pattern of these terms shows at some value of the grid: the
        // thresholds 0..6, a value between each two, the ends, and missing.
        bool satisfiable = false;
        for (double x = -1; x <= 7 && !satisfiable; x += 0.5) satisfiable = holds_all(terms, feature, x);
        if (trial % 2 == 0) satisfiable = satisfiable || holds_all(terms, feature, std::numeric_limits<double>::quiet_NaN());
        CAPTURE(trial);
        CHECK(mece::detail::provably_empty(terms) == !satisfiable);
    }
}
