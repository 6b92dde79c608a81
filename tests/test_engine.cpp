#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

#include <mece/detail/parallel.hpp>
#include <mece/detail/search.hpp>
#include <mece/engine/passes.hpp>
#include <mece/engine/quantiles.hpp>
#include <mece/engine/threshold_index.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

#include "support.hpp"

using mece::Op;
using mece::Predicate;
namespace engine = mece::engine;

namespace {

bool reference_compare(double x, Op op, double t) {
    switch (op) {
        case Op::less: return x < t;
        case Op::less_equal: return x <= t;
        case Op::greater: return x > t;
        case Op::greater_equal: return x >= t;
        case Op::equal: return x == t;
        case Op::between: return false;
    }
    return false;
}

bool bit(const engine::Mask& mask, Eigen::Index i) { return (mask[std::size_t(i / 64)] >> (i % 64)) & 1; }

}  // namespace

TEST_CASE("compare: one bit per row, NaN matches nothing, no bit past the last row") {
    std::mt19937_64 rng(3);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (Eigen::Index count : {Eigen::Index{0}, Eigen::Index{1}, Eigen::Index{63}, Eigen::Index{64}, Eigen::Index{65},
                               Eigen::Index{1000}, engine::block_rows}) {
        std::vector<double> values(std::size_t(engine::block_rows));
        std::vector<float> narrow(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i] = rng() % 7 == 0 ? nan : double(rng() % 9);
            narrow[i] = float(values[i]);
        }
        for (Op op : {Op::less, Op::less_equal, Op::greater, Op::greater_equal, Op::equal}) {
            for (double threshold : {-1.0, 0.0, 4.0, 4.5, 8.0, nan}) {
                engine::Mask wide{}, small{};
                engine::compare(values.data(), count, op, threshold, wide);
                engine::compare(narrow.data(), count, op, threshold, small);
                CAPTURE(count);
                CAPTURE(threshold);
                for (Eigen::Index i = 0; i < engine::block_rows; ++i) {
                    const bool expected = i < count && reference_compare(values[std::size_t(i)], op, threshold);
                    REQUIRE(bit(wide, i) == expected);
                    REQUIRE(bit(small, i) == expected);
                }
            }
        }
    }
}

TEST_CASE("compiled rules: each distinct predicate and sub-expression once") {
    engine::CompiledRules compiled;
    const Predicate a{"avg_order_value", Op::greater_equal, 100, "p75"};
    const Predicate a_again{"avg_order_value", Op::greater_equal, 100, ""};  // the same test, other text
    const Predicate b{"engagement_score", Op::less, 0.5, ""};
    const Predicate c{"engagement_score", Op::less, 0.25, ""};
    CHECK(compiled.predicate(a) == compiled.predicate(a_again));
    CHECK(compiled.predicate(a) != compiled.predicate(b));
    CHECK(compiled.features().size() == 2);

    using mece::Expr;
    // Two later segments that repeat "not (a) and not (b)" share that prefix as one node.
    const Expr first = Expr::all({Expr::of(c), Expr::negate(Expr::of(a)), Expr::negate(Expr::of(b))});
    const Expr second = Expr::all({Expr::negate(Expr::of(a)), Expr::of(b), Expr::negate(Expr::of(b))});
    const int one = first.compile(compiled);
    const auto nodes_after_first = compiled.nodes().size();
    const int two = second.compile(compiled);
    CHECK(one != two);
    // The second adds only its own last step: predicate b's node exists, "not a and not b" too.
    CHECK(compiled.nodes().size() == nodes_after_first + 1);
    CHECK(first.compile(compiled) == one);  // compiling again adds nothing
    CHECK(compiled.nodes().size() == nodes_after_first + 1);
}

TEST_CASE("chunks: every chunk once, on any number of threads; a failure stops them and is rethrown") {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
        std::vector<std::atomic<int>> visits(37);
        mece::detail::for_each_task(37, threads, [&](Eigen::Index c) { ++visits[std::size_t(c)]; });
        for (const auto& v : visits) CHECK(v == 1);
        std::atomic<int> after{0};
        CHECK_THROWS_WITH_AS(mece::detail::for_each_task(1000, threads,
                                                    [&](Eigen::Index c) {
                                                        if (c == 5) throw mece::Error("chunk 5");
                                                        if (c > 500) ++after;
                                                    }),
                             "chunk 5", mece::Error);
        CHECK(after < 500);  // the others stopped soon after
    }
}

TEST_CASE("property: the engine's first match and expressions equal a row-by-row reading, on any number of threads") {
    std::mt19937_64 rng(77);
    for (int trial = 0; trial < 8; ++trial) {
        const Eigen::Index n = std::uniform_int_distribution<Eigen::Index>(0, 3 * engine::chunk_rows)(rng);
        const auto data = mece::test::random_dataset(rng, n, 20772, 6);
        const mece::Universe universe{data, {.as_of = 20772}};
        const auto features = mece::test::features;
        std::uniform_int_distribution<int> pick_feature(0, int(features.size()) - 1), pick_op(0, 4), pick_value(-1, 6);
        const auto random_predicate = [&] {
            const auto& f = features[std::size_t(pick_feature(rng))];
            const double scale = f == "engagement_score" || f == "profitability_score" ? 1.0 / 6 : f == "avg_order_value" ? 100 : 1;
            return Predicate{f, Op(pick_op(rng)), pick_value(rng) * scale * (f.rfind("days", 0) == 0 ? 10 : 1), ""};
        };
        engine::CompiledRules compiled;
        std::vector<std::vector<Predicate>> conjunctions(5);
        std::vector<int> ids;
        for (auto& conjunction : conjunctions) {
            for (int k = std::uniform_int_distribution<int>(0, 3)(rng); k > 0; --k) conjunction.push_back(random_predicate());
            ids.push_back(compiled.conjunction(conjunction));
        }
        mece::Expr expression = mece::Expr::any(
            {mece::Expr::all_of(conjunctions[0]), mece::Expr::negate(mece::Expr::all_of(conjunctions[1])),
             mece::Expr::all({mece::Expr::of(random_predicate()), mece::Expr::negate(mece::Expr::of(random_predicate()))})});
        const int root = expression.compile(compiled);

        const auto reference_value = [&](const Predicate& p, mece::RowIndex row) {
            return mece::test::value_of(data, universe.as_of(), row, p.feature);
        };
        const auto holds = [&](const std::vector<Predicate>& conjunction, mece::RowIndex row) {
            for (const auto& p : conjunction)
                if (!reference_compare(reference_value(p, row), p.op, p.value)) return false;
            return true;
        };
        std::vector<engine::Matches> runs;
        std::vector<mece::Column<bool>> masks;
        for (unsigned threads : {1u, 2u, 3u}) {
            const mece::Scope scope{data, universe, {.threads = threads}};
            runs.push_back(engine::first_match(scope, engine::all_rows(scope), compiled, ids));
            masks.push_back(engine::evaluate(scope, engine::all_rows(scope), compiled, root));
        }
        CAPTURE(trial);
        for (Eigen::Index i = 0; i < universe.size(); ++i) {
            const mece::RowIndex row = universe.rows()[i];
            int expected = -1;
            for (std::size_t k = 0; k < conjunctions.size() && expected < 0; ++k)
                if (holds(conjunctions[k], row)) expected = int(k);
            REQUIRE(runs[0].index[i] == expected);
            const auto& terms = expression.children()[2].children();
            const bool expected_mask = holds(conjunctions[0], row) || !holds(conjunctions[1], row) ||
                                       (holds({terms[0].predicate()}, row) && !holds({terms[1].children()[0].predicate()}, row));
            REQUIRE(masks[0][i] == expected_mask);
        }
        for (std::size_t r = 1; r < runs.size(); ++r) {
            CHECK((runs[r].index == runs[0].index).all());
            CHECK(runs[r].counts == runs[0].counts);
            CHECK((masks[r] == masks[0]).all());
        }
    }
}

TEST_CASE("the whole pipeline gives the same bits on 1, 2 and 3 threads, with splits and dissolves") {
    const auto data = mece::generate<double>({.rows = 900'000, .seed = 5});
    const mece::Universe universe{data};
    REQUIRE(engine::chunk_count(universe.size()) >= 3);
    const mece::ConstraintSolver solver{{.min_size = 5000, .max_size = 20'000}};
    struct Run {
        mece::Solution solution;
        mece::MeceCheck check;
        mece::SegmentStats stats;
    };
    std::vector<Run> runs;
    for (unsigned threads : {1u, 2u, 3u}) {
        const mece::Scope scope{data, universe, {.threads = threads}};
        const auto rules = mece::presets::seed004().resolve(scope);
        auto solution = solver.solve(rules, rules.assign(scope), scope);
        const auto check = mece::check_mece(solution.rules, solution.assignment, scope);
        auto stats = mece::SegmentStats::compute(scope, solution.assignment);
        runs.push_back({std::move(solution), check, std::move(stats)});
    }
    const Run& one = runs.front();
    CHECK(one.check.ok());
    bool split = false, dissolved = false;
    for (const auto& e : one.solution.log) {
        split = split || e.action == mece::ConstraintEvent::Action::split;
        dissolved = dissolved || e.action == mece::ConstraintEvent::Action::dissolve;
    }
    CHECK(split);
    CHECK(dissolved);
    for (const Run& other : runs) {
        CHECK((other.solution.assignment.segment_ids == one.solution.assignment.segment_ids).all());
        CHECK(other.solution.assignment.sizes == one.solution.assignment.sizes);
        CHECK(other.check.ok());
        for (const auto& segment : one.solution.rules.segments())
            for (const auto& feature : one.stats.features()) {
                // Bit for bit: sums are added in the same order whatever the threads.
                CHECK(other.stats.sum(segment.id, feature) == one.stats.sum(segment.id, feature));
                CHECK(other.stats.count(segment.id, feature) == one.stats.count(segment.id, feature));
            }
    }
}

TEST_CASE("threshold index: a range of codes, read off the codes or their cumulative masks, selects exactly what the comparison selects") {
    std::mt19937_64 rng(31);
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    std::vector<double> thresholds{-0.0, 0.0, 1.5, 1.5, 7.0, -3.0, 100.0};
    for (int k = 0; k < 40; ++k) thresholds.push_back(double(rng() % 200) / 4.0);
    const engine::ThresholdIndex index(thresholds);
    for (Eigen::Index count : {Eigen::Index{1}, Eigen::Index{7}, Eigen::Index{9}, Eigen::Index{64}, Eigen::Index{100}, engine::block_rows}) {
        std::vector<double> values(std::size_t(engine::block_rows));
        for (auto& v : values) {
            const auto kind = rng() % 10;
            v = kind == 0 ? nan : kind == 1 ? (rng() % 2 ? inf : -inf) : kind == 2 ? thresholds[rng() % thresholds.size()]
                                                                               : double(rng() % 1000) / 8.0 - 10.0;
        }
        std::vector<engine::ThresholdIndex::Code> codes(values.size());
        index.encode(values.data(), count, codes.data());
        std::vector<engine::Mask> at_most(std::size_t(index.top()) + 1);
        engine::codes_at_most(codes.data(), count, at_most.size(), at_most.data());
        for (double t : thresholds) {
            for (Op op : {Op::less, Op::less_equal, Op::greater, Op::greater_equal, Op::equal}) {
                const auto [first, last] = index.range(op, t);
                engine::Mask indexed{}, cumulative{}, direct{};
                engine::codes_in_range(codes.data(), count, first, last, indexed);
                engine::codes_in_range(at_most.data(), count, first, last, cumulative);
                engine::compare(values.data(), count, op, t, direct);
                CAPTURE(t);
                CAPTURE(count);
                REQUIRE(indexed == direct);
                REQUIRE(cumulative == direct);
            }
        }
    }
}

TEST_CASE("property: a feature with many cuts is indexed and assigns and evaluates as a row-by-row reading") {
    std::mt19937_64 rng(8);
    for (int trial = 0; trial < 6; ++trial) {
        const auto data = mece::test::random_dataset(rng, 20'000, 20772, 60);
        const mece::Universe universe{data, {.as_of = 20772}};
        engine::CompiledRules compiled;
        std::vector<std::vector<Predicate>> conjunctions;
        std::vector<int> ids;
        std::vector<mece::Expr> terms;
        for (int k = 0; k < 45; ++k) {  // ranges [100 k, 100 k + 150) of avg_order_value, some with a second feature
            std::vector<Predicate> conjunction{{"avg_order_value", Op::greater_equal, 100.0 * k, ""},
                                               {"avg_order_value", Op::less, 100.0 * k + 150, ""}};
            if (k % 3 == 0) conjunction.push_back({"engagement_score", Op::less_equal, double(rng() % 60) / 60, ""});
            ids.push_back(compiled.conjunction(conjunction));
            terms.push_back(mece::Expr::all_of(conjunction));
            conjunctions.push_back(std::move(conjunction));
        }
        const int root = mece::Expr::any(terms).compile(compiled);
        const mece::Scope scope{data, universe, {.threads = 2}};
        const auto matches = engine::first_match(scope, engine::all_rows(scope), compiled, ids);
        const auto mask = engine::evaluate(scope, engine::all_rows(scope), compiled, root);
        CAPTURE(trial);
        for (Eigen::Index i = 0; i < universe.size(); ++i) {
            const mece::RowIndex row = universe.rows()[i];
            int expected = -1;
            for (std::size_t k = 0; k < conjunctions.size() && expected < 0; ++k) {
                bool holds = true;
                for (const auto& p : conjunctions[k])
                    holds = holds && reference_compare(mece::test::value_of(data, universe.as_of(), row, p.feature), p.op, p.value);
                if (holds) expected = int(k);
            }
            REQUIRE(matches.index[i] == expected);
            REQUIRE(mask[i] == (expected >= 0));
        }
    }
}

TEST_CASE("property: quantiles in one pass equal the selection on the gathered values, for any data and thread count") {
    std::mt19937_64 rng(16384);
    const std::vector<std::string> features{"x", "avg_order_value", "sessions_last_30d", "days_since_last_order"};
    int windowed_features = 0;
    for (int trial = 0; trial < 10; ++trial) {
        CAPTURE(trial);
        const int n = std::uniform_int_distribution<int>(90000, 220000)(rng);
        mece::Dataset<double>::Columns c;
        c.resize(n);
        Eigen::ArrayXd x(n);
        std::lognormal_distribution<double> skewed(5.0, 1.5);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        const mece::Days as_of = 20000;
        for (int i = 0; i < n; ++i) {
            c.user_id[i] = i;
            c.cart_abandoned_date[i] = as_of - mece::Days(std::uniform_int_distribution<int>(0, 9)(rng));  // 70% in the window
            c.last_order_date[i] = unit(rng) < 0.2 ? mece::no_date : as_of - mece::Days(std::uniform_int_distribution<int>(0, 400)(rng));
            c.avg_order_value[i] = std::round(skewed(rng) * 100) / 100;
            c.sessions_last_30d[i] = std::uniform_int_distribution<int>(0, 30)(rng);
            c.num_cart_items[i] = std::uniform_int_distribution<int>(1, 9)(rng);
            c.engagement_score[i] = unit(rng);
            c.profitability_score[i] = unit(rng);
            const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
            switch (trial) {
                case 0: x[i] = skewed(rng); break;                                                   // a long tail
                case 1: x[i] = double(std::uniform_int_distribution<int>(0, 3)(rng)); break;       // four values
                case 2: x[i] = std::uniform_real_distribution<double>(-1e300, 1e300)(rng); break;  // a range past a double
                case 3: x[i] = unit(rng) < 0.01 ? nan : skewed(rng) - 400.0; break;                // some missing
                case 4: x[i] = double(i); break;                                                     // ascending with the rows
                case 5: x[i] = (i / 7) % 2 ? 1e6 + i : unit(rng); break;                            // a pattern in the rows
                case 6: x[i] = unit(rng) < 0.8 ? nan : unit(rng); break;                            // mostly missing
                case 7: x[i] = std::array<double, 5>{-inf, -0.0, 0.0, inf, unit(rng)}[std::size_t(i % 5)]; break;
                case 8: x[i] = 1.0 + double(std::uniform_int_distribution<int>(0, 1 << 20)(rng)) * 1e-15; break;  // close values
                default: x[i] = unit(rng) < 0.5 ? 7.0 : unit(rng); break;                           // one value half the users
            }
        }
        c.extra.emplace_back("x", x);
        const mece::Dataset<double> data{std::move(c)};
        const mece::Universe universe{data, {.as_of = as_of}};
        std::vector<std::vector<double>> probabilities;
        for (std::size_t f = 0; f < features.size(); ++f) {
            std::vector<double> ps{0.0, 0.001, 0.1, 0.4, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0};
            ps.push_back(unit(rng));
            probabilities.push_back(ps);
        }
        for (unsigned threads : {1u, 2u, 3u}) {
            CAPTURE(threads);
            const mece::Scope scope{data, universe, {.threads = threads}};
            std::vector<bool> windowed;
            const auto fast = engine::quantiles(scope, features, probabilities, &windowed);
            for (std::size_t f = 0; f < features.size(); ++f) {
                CAPTURE(features[f]);
                windowed_features += windowed[f] && threads == 1;
                auto values = engine::gather(scope, engine::all_rows(scope), features[f]);
                const auto full = mece::detail::bracketed_quantiles(values.data(), values.size(), probabilities[f]);
                REQUIRE(fast[f].size() == full.size());
                for (std::size_t k = 0; k < full.size(); ++k) {
                    CAPTURE(probabilities[f][k]);
                    const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
                    CHECK(same(fast[f][k].value, full[k].value));
                    CHECK(same(fast[f][k].below, full[k].below));
                    CHECK(same(fast[f][k].above, full[k].above));
                }
            }
        }
    }
    CHECK(windowed_features >= 30);  // of 40: the windows settle nearly every feature; a mostly missing one is gathered
}

TEST_CASE("workspace: arrays lent and given back are reused, grown only when too small, and a run gives the same bits with one") {
    engine::Workspace workspace;
    const double* first = nullptr;
    {
        const auto a = engine::Workspace::borrow<double>(&workspace, 1000);
        first = a.data();
        CHECK(a.size() == 1000);
        const auto b = engine::Workspace::borrow<double>(&workspace, 10);  // the first is lent: a second array
        CHECK(b.data() != a.data());
        CHECK(workspace.bytes_held() == 8000 + 80);
    }
    {
        const auto c = engine::Workspace::borrow<std::uint64_t>(&workspace, 500);  // the smallest that holds it: the first
        CHECK(static_cast<const void*>(c.data()) == static_cast<const void*>(first));
        auto d = engine::Workspace::borrow<double>(&workspace, 2000);  // the other is too small: grown in place of it
        CHECK(workspace.bytes_held() == 8000 + 16000);
        auto moved = std::move(d);  // a lease moves; the array is given back once
        CHECK(d.data() == nullptr);
        CHECK(moved.size() == 2000);
    }
    CHECK(workspace.bytes_held() == 8000 + 16000);
    const auto own = engine::Workspace::borrow<int>(nullptr, 7);  // no workspace: an array of the lease's own
    CHECK(own.size() == 7);
    CHECK_THROWS_AS(engine::Workspace::borrow<double>(&workspace, std::numeric_limits<std::size_t>::max() / 4), std::bad_alloc);

    const auto data = mece::generate<double>({.rows = 200'000, .seed = 11});
    mece::RunOptions options;
    options.threads = 2;
    const auto alone = mece::run(data, mece::presets::seed004(), options);
    options.workspace = &workspace;
    for (int again = 0; again < 2; ++again) {
        const auto with = mece::run(data, mece::presets::seed004(), options);
        const auto& a = alone.strategy.stats;
        const auto& b = with.strategy.stats;
        for (const auto& segment : alone.strategy.solution.rules.segments())
            for (const auto& f : a.features()) {
                CHECK(a.sum(segment.id, f) == b.sum(segment.id, f));
                CHECK(a.count(segment.id, f) == b.count(segment.id, f));
            }
    }
    CHECK(workspace.bytes_held() < std::size_t(200'000) * 8 * 4);  // a few arrays of the universe, not one per run
}

TEST_CASE("property: searches side by side find what one search finds, for any number of keys and of sorted values") {
    std::mt19937_64 rng(41);
    for (int trial = 0; trial < 400; ++trial) {
        std::vector<double> sorted(rng() % 70);
        for (auto& v : sorted) v = double(rng() % 40);  // repeats, as tied cut points have
        std::sort(sorted.begin(), sorted.end());
        std::vector<double> keys(rng() % 30);
        for (auto& k : keys) k = double(rng() % 44) - 2;
        const auto below = [](double s, double k) { return s < k; };
        const auto at_or_below = [](double s, double k) { return s <= k; };
        std::vector<std::size_t> strict(keys.size(), 99), loose(keys.size(), 99), order;
        mece::detail::count_before_each(sorted.data(), sorted.size(), keys.data(), keys.size(), below, [&](std::size_t i, std::size_t n) {
            order.push_back(i);
            strict[i] = n;
        });
        mece::detail::count_before_each(sorted.data(), sorted.size(), keys.data(), keys.size(), at_or_below,
                                        [&](std::size_t i, std::size_t n) { loose[i] = n; });
        REQUIRE(order.size() == keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            CAPTURE(trial);
            REQUIRE(order[i] == i);
            REQUIRE(strict[i] == std::size_t(std::lower_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin()));
            REQUIRE(loose[i] == std::size_t(std::upper_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin()));
        }
    }
}
