#include <algorithm>
#include <cstdint>
#include <utility>
#include <cmath>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include <mece/rule_tree/presets.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>

#include "support.hpp"

TEST_CASE("sums, counts and means per segment match a row-by-row reference") {
    std::mt19937_64 rng(31);
    const auto data = mece::test::random_dataset(rng, 2000, 20772, 9);
    const mece::Universe universe{data, {.as_of = 20772}};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, assignment);
    REQUIRE(stats.segments() == rules.segments().size());
    CHECK(stats.universe_size() == universe.size());
    for (const auto& feature : mece::test::features) {
        for (const auto& segment : rules.segments()) {
            double sum = 0, count = 0;
            Eigen::Index size = 0;
            for (Eigen::Index i = 0; i < universe.size(); ++i) {
                if (assignment.segment_ids[i] != segment.id) continue;
                ++size;
                const double v = mece::test::value_of(data, universe.as_of(), universe.rows()[i], feature);
                if (std::isnan(v)) continue;
                sum += v;
                ++count;
            }
            CAPTURE(feature);
            CHECK(stats.size(segment.id) == size);
            CHECK(stats.count(segment.id, feature) == count);
            CHECK(stats.sum(segment.id, feature) == doctest::Approx(sum).epsilon(1e-12));
            if (count == 0) CHECK(std::isnan(stats.mean(segment.id, feature)));
        }
    }
}

TEST_CASE("aov_percentile_rank is the average rank over the universe size, as pandas rank(pct=True)") {
    // AOVs 10, 20, 20, 30: ranks 1, 2.5, 2.5, 4 of 4.
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 10, 1, 1, 0.1, 0.5},
                                                {2, "2026-11-15", nullptr, 20, 1, 1, 0.9, 0.5},
                                                {3, "2026-11-15", nullptr, 20, 1, 1, 0.1, 0.5},
                                                {4, "2026-11-15", nullptr, 30, 1, 1, 0.9, 0.5}});
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"Engaged", {mece::feature("engagement_score") > 0.5}});
    const auto rules = tree.resolve(data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, rules.assign(data, universe));
    CHECK(stats.sum(1, "aov_percentile_rank") == (2.5 + 4) / 4);
    CHECK(stats.mean(2, "aov_percentile_rank") == (1 + 2.5) / 4 / 2);
}

TEST_CASE("statistics of shards merge into the statistics of the whole") {
    std::mt19937_64 rng(32);
    const auto whole = mece::test::random_dataset(rng, 1000, 20772, 7);
    rng.seed(32);
    const auto first = mece::test::random_dataset(rng, 600, 20772, 7);
    const auto second = mece::test::random_dataset(rng, 400, 20772, 7);
    mece::RuleTree tree;
    tree.add({"A", {mece::feature("avg_order_value") >= 300}}).add({"B", {mece::feature("days_since_last_order") <= 20}});
    const auto stats_of = [&](const mece::Dataset<double>& data) {
        const mece::Universe universe{data, {.as_of = 20772}};
        return mece::SegmentStats::compute(data, universe, tree.resolve(data, universe).assign(data, universe));
    };
    auto merged = stats_of(first);
    merged.merge(stats_of(second));
    const auto reference = stats_of(whole);
    CHECK(merged.universe_size() == reference.universe_size());
    for (int id = 1; id <= 3; ++id) {
        CHECK(merged.size(id) == reference.size(id));
        for (const auto& feature : mece::test::features) {
            CHECK(merged.count(id, feature) == reference.count(id, feature));
            CHECK(merged.sum(id, feature) == doctest::Approx(reference.sum(id, feature)).epsilon(1e-12));
        }
    }
    mece::SegmentStats other({"x"}, 3);
    CHECK_THROWS_WITH_AS(merged.merge(other), "segment statistics: cannot merge statistics of different segments, features or windows",
                         mece::Error);
    // Shards of windows of different lengths measure recency differently: not one statistic.
    const mece::Universe longer{second, {.as_of = 20772, .window_days = 10}};
    const auto ten_days = mece::SegmentStats::compute(second, longer, tree.resolve(second, longer).assign(second, longer));
    CHECK(ten_days.window_days() == 10);
    CHECK(reference.window_days() == 7);
    CHECK_THROWS_WITH_AS(merged.merge(ten_days),
                         "segment statistics: cannot merge statistics of different segments, features or windows", mece::Error);
}

TEST_CASE("a mean is finite where the sum of finite values overflows, and plain where it does not") {
    const double big = 1.7e308;
    std::vector<mece::test::Row> rows;
    for (int i = 0; i < 6000; ++i)  // more than one block, so the overflow also spans blocks
        rows.push_back({i + 1, "2026-11-15", nullptr, i % 2 ? big : 0.5 * big, 1, 1, 0.5, 0.5});
    const auto data = mece::test::make_dataset(rows);
    const mece::Universe universe{data, {.as_of = *mece::parse_date("2026-11-15")}};
    mece::RuleTree tree;
    tree.catch_all("All");
    const auto rules = tree.resolve(data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, rules.assign(data, universe));
    CHECK(std::isinf(stats.sum(1, "avg_order_value")));
    CHECK(stats.mean(1, "avg_order_value") == doctest::Approx(0.75 * big).epsilon(1e-12));
    CHECK(stats.mean(1, "engagement_score") == 0.5);
    const auto one = mece::test::make_dataset({{1, "2026-11-15", nullptr, 1.7976931348623157e308, 1, 1, 0.5, 0.5},
                                               {2, "2026-11-15", nullptr, 1.7976931348623157e308, 1, 1, 0.5, 0.5}});
    const mece::Universe both{one, {.as_of = *mece::parse_date("2026-11-15")}};
    const auto all = tree.resolve(one, both);
    const auto extreme = mece::SegmentStats::compute(one, both, all.assign(one, both));
    CHECK(extreme.mean(1, "avg_order_value") == 1.7976931348623157e308);
}

TEST_CASE("a segment id outside the segments is an error that says ids start at 1") {
    const auto data = mece::test::make_dataset({{1, "2026-11-15", nullptr, 5, 1, 1, 0.5, 0.5}});
    const mece::Universe universe{data};
    mece::RuleTree tree;
    tree.add({"A", {mece::feature("avg_order_value") >= 1.0}});
    const auto rules = tree.resolve(data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, rules.assign(data, universe));
    CHECK_THROWS_WITH_AS(rules.segment(0), "rules: no segment 0 (segment ids start at 1; there are 2 segments)", mece::Error);
    CHECK_THROWS_WITH_AS(rules.segment(3), "rules: no segment 3 (segment ids start at 1; there are 2 segments)", mece::Error);
    CHECK_THROWS_WITH_AS(stats.size(0), "segment statistics: no segment 0 (segment ids start at 1; there are 2 segments)",
                         mece::Error);
    CHECK_THROWS_WITH_AS(stats.mean(-1, "avg_order_value"),
                         "segment statistics: no segment -1 (segment ids start at 1; there are 2 segments)", mece::Error);
    CHECK(rules.segment(1).name == "A");
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(rules, stats);
    CHECK_THROWS_WITH_AS(scores.of(0), "scores: no segment 0 (segment ids start at 1; there are 2 segments)", mece::Error);
}


TEST_CASE("property: the AOV rank sums equal a sort's average ranks, with ties or none, on any thread count and key width") {
    // Large enough that the ranks' merge runs in two key ranges side by side (one of them
    // empty when every AOV is the same), with few distinct values or nearly all distinct.
    const auto check = [](auto scalar, int levels, std::uint64_t seed) {
        using Scalar = decltype(scalar);
        std::mt19937_64 rng(seed);
        const auto data = mece::test::random_dataset<Scalar>(rng, 400'000, 20772, levels);
        const mece::Universe universe{data, {.as_of = 20772}};
        const auto rules = mece::presets::seed004().resolve(data, universe);
        const auto assignment = rules.assign(data, universe);
        // The reference: (AOV, segment) sorted, each group of equal AOVs sharing its mean rank.
        std::vector<std::pair<Scalar, int>> users;
        for (Eigen::Index i = 0; i < universe.size(); ++i)
            users.emplace_back(data.avg_order_value()[universe.rows()[i]], assignment.segment_ids[i]);
        std::sort(users.begin(), users.end());
        std::vector<std::uint64_t> twice(rules.segments().size() + 1, 0);
        for (std::size_t begin = 0; begin < users.size();) {
            std::size_t end = begin;
            while (end < users.size() && users[end].first == users[begin].first) ++end;
            for (std::size_t i = begin; i < end; ++i) twice[std::size_t(users[i].second)] += 2 * begin + (end - begin) + 1;
            begin = end;
        }
        for (unsigned threads : {1u, 2u}) {
            const mece::Scope scope{data, universe, {.threads = threads}};
            const auto stats = mece::SegmentStats::compute(scope, assignment);
            for (const auto& segment : rules.segments()) {
                CAPTURE(levels);
                CAPTURE(threads);
                CHECK(stats.sum(segment.id, "aov_percentile_rank") ==
                      double(twice[std::size_t(segment.id)]) / (2.0 * double(users.size())));
            }
        }
    };
    for (int levels : {1, 3, 60, 1'000'000}) {
        check(double{}, levels, std::uint64_t(levels));
        check(float{}, levels, std::uint64_t(levels) + 7);
    }
}

TEST_CASE("property: the AOV rank sums are exact for any spread of values and any number of segments") {
    // Spreads from a narrow band at full precision (keys that share their top bits) to
    // both signs and zero (keys over the whole range), clusters of values a rounding error
    // apart (runs the radix passes leave to sort again), segments from one to more than the
    // ranks can pack beside a key (2^16), each checked against a sort of (AOV, segment).
    const auto check = [](auto scalar, int spread, std::size_t segments, Eigen::Index users, std::uint64_t seed) {
        using Scalar = decltype(scalar);
        std::mt19937_64 rng(seed);
        typename mece::Dataset<Scalar>::Columns c;
        c.resize(users);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (Eigen::Index i = 0; i < users; ++i) {
            const double u = unit(rng);
            double aov = 0;
            const double v = unit(rng);
            switch (spread) {
                case 0: aov = 1000 + u * 1e-9; break;                                                // one magnitude, low bits differ
                case 1: aov = std::exp(5 + 2 * (u - 0.5)); break;                                     // a few magnitudes
                case 2: aov = u < 0.1 ? 0.0 : (u < 0.2 ? -1e300 * u : (u < 0.3 ? 1e300 * u : u)); break;  // every magnitude, both signs
                // Clusters of values a few units in the last place apart (as a value written
                // with 17 digits is from its rounding), of ~50 users and of thousands.
                case 3: aov = std::exp(std::floor(u * 3000) / 3000 * 14) * (1 + std::floor(v * 64) * 0x1p-50); break;
                case 4: aov = std::exp(std::floor(u * 10) / 10 * 14) * (1 + std::floor(v * 16384) * 0x1p-50); break;
                default: aov = std::floor(u * 3); break;                                              // three values
            }
            c.user_id[i] = i + 1;
            c.cart_abandoned_date[i] = 20772;
            c.last_order_date[i] = mece::no_date;
            c.avg_order_value[i] = Scalar(aov);
            c.sessions_last_30d[i] = 1;
            c.num_cart_items[i] = 1;
            c.engagement_score[i] = Scalar(0.5);
            c.profitability_score[i] = Scalar(0.5);
        }
        const mece::Dataset<Scalar> data(std::move(c));
        const mece::Universe universe{data, {.as_of = 20772}};
        mece::Assignment assignment;
        assignment.segment_ids.resize(universe.size());
        assignment.sizes.assign(segments, 0);
        std::uniform_int_distribution<std::size_t> pick(0, segments - 1);
        std::vector<std::pair<Scalar, std::size_t>> reference;
        for (Eigen::Index i = 0; i < universe.size(); ++i) {
            const std::size_t s = pick(rng);
            assignment.segment_ids[i] = std::int32_t(s + 1);
            ++assignment.sizes[s];
            reference.emplace_back(data.avg_order_value()[universe.rows()[i]], s);
        }
        std::sort(reference.begin(), reference.end());
        std::vector<std::uint64_t> twice(segments, 0);
        for (std::size_t begin = 0; begin < reference.size();) {
            std::size_t end = begin;
            while (end < reference.size() && reference[end].first == reference[begin].first) ++end;
            for (std::size_t i = begin; i < end; ++i) twice[reference[i].second] += 2 * begin + (end - begin) + 1;
            begin = end;
        }
        for (unsigned threads : {1u, 2u, 3u}) {
            const mece::Scope scope{data, universe, {.threads = threads}};
            const auto stats = mece::SegmentStats::compute(scope, assignment);
            std::size_t wrong = 0;
            for (std::size_t s = 0; s < segments; ++s)
                wrong += stats.sum(int(s + 1), "aov_percentile_rank") != double(twice[s]) / (2.0 * double(reference.size()));
            CAPTURE(sizeof(Scalar));
            CAPTURE(spread);
            CAPTURE(segments);
            CAPTURE(threads);
            CHECK(wrong == 0);
        }
    };
    std::uint64_t seed = 1;
    for (int spread : {0, 1, 2, 3, 4, 5})
        for (std::size_t segments : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{300}}) {
            check(double{}, spread, segments, 150'000, seed++);
            check(float{}, spread, segments, 150'000, seed++);
        }
    check(double{}, 2, 70'000, 200'000, seed++);  // beyond 2^16 segments: the pairs sorted
    check(float{}, 2, 70'000, 200'000, seed++);
}
