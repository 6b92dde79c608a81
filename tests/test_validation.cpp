#include <random>

#include <doctest/doctest.h>

#include <mece/rule_tree/presets.hpp>
#include <mece/validation.hpp>

#include "support.hpp"

using mece::Expr;
using mece::Op;
using mece::Predicate;

TEST_CASE("the MECE checks pass on a correct assignment and catch every kind of fault") {
    std::mt19937_64 rng(8);
    const auto data = mece::test::random_dataset(rng, 1000, 20772, 20);
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    auto assignment = rules.assign(data, universe);
    REQUIRE(universe.size() > 10);
    CHECK(mece::check_mece(rules, assignment, data, universe).ok());

    SUBCASE("a user moved to the wrong segment") {
        assignment.segment_ids[3] = assignment.segment_ids[3] == 1 ? 2 : 1;
        const auto check = mece::check_mece(rules, assignment, data, universe);
        CHECK(check.misassigned == 1);
        CHECK(check.count_ok());
        CHECK_FALSE(check.ok());
    }
    SUBCASE("sizes that do not add up") {
        assignment.sizes[0] += 1;
        const auto check = mece::check_mece(rules, assignment, data, universe);
        CHECK_FALSE(check.count_ok());
        CHECK(check.assigned_total == universe.size() + 1);
    }
}

namespace {

/// Three users in scope, with AOVs 100, 200 and 300.
mece::Dataset<double> three_users() {
    return mece::test::make_dataset({{1, "2026-11-15", nullptr, 100, 1, 1, 0.9, 0.5},
                                     {2, "2026-11-15", nullptr, 200, 1, 1, 0.1, 0.5},
                                     {3, "2026-11-15", nullptr, 300, 1, 1, 0.5, 0.5}});
}

mece::SegmentDefinition segment(int id, Expr rule) {
    mece::SegmentDefinition s;
    s.id = id;
    s.name = "s" + std::to_string(id);
    s.rule = std::move(rule);
    return s;
}

}  // namespace

TEST_CASE("overlapping and incomplete definitions are counted") {
    const auto data = three_users();
    const mece::Universe universe{data};
    // s1: aov >= 150 (users 2, 3); s2: aov <= 200 (users 1, 2): user 2 in both.
    const std::vector<mece::SegmentDefinition> overlapping{segment(1, Expr::of({"avg_order_value", Op::greater_equal, 150, ""})),
                                                           segment(2, Expr::of({"avg_order_value", Op::less_equal, 200, ""}))};
    const mece::Assignment assignment{(mece::Column<std::int32_t>(3) << 2, 1, 1).finished(), {2, 1}};
    auto check = mece::check_mece(overlapping, assignment, data, universe);
    CHECK(check.overlapping == 1);
    CHECK(check.uncovered == 0);
    // s1: aov > 250 only: users 1 and 2 in no segment.
    const std::vector<mece::SegmentDefinition> gaps{segment(1, Expr::of({"avg_order_value", Op::greater, 250, ""}))};
    check = mece::check_mece(gaps, mece::Assignment{mece::Column<std::int32_t>::Ones(3), {3}}, data, universe);
    CHECK(check.uncovered == 2);
    CHECK_FALSE(check.coverage_ok());
}

TEST_CASE("membership is checked for any segment ids, in a run or not, and an id no definition has is never right") {
    const auto data = three_users();
    const mece::Universe universe{data};
    const Predicate below{"avg_order_value", Op::less, 150, ""}, low{"avg_order_value", Op::greater_equal, 150, ""},
        high{"avg_order_value", Op::less, 250, ""}, top{"avg_order_value", Op::greater_equal, 250, ""};
    for (const std::vector<int>& ids : {std::vector<int>{30, 10, 50}, std::vector<int>{2, 1, 3}}) {
        const std::vector<mece::SegmentDefinition> segments{segment(ids[0], Expr::of(below)), segment(ids[1], Expr::all_of({low, high})),
                                                            segment(ids[2], Expr::of(top))};
        const auto assign = [&](int a, int b, int c) {
            return mece::Assignment{(mece::Column<std::int32_t>(3) << a, b, c).finished(), {1, 1, 1}};
        };
        CAPTURE(ids[0]);
        CHECK(mece::check_mece(segments, assign(ids[0], ids[1], ids[2]), data, universe).ok());
        CHECK(mece::check_mece(segments, assign(ids[1], ids[1], ids[2]), data, universe).misassigned == 1);
        CHECK(mece::check_mece(segments, assign(ids[0], ids[1], 7), data, universe).misassigned == 1);  // no definition has 7
        CHECK(mece::check_mece(segments, assign(ids[2], ids[0], ids[1]), data, universe).misassigned == 3);
    }
}

TEST_CASE("definitions and segment ids of different numbers are an error, not a read past either") {
    const auto data = three_users();
    const mece::Universe universe{data};
    const mece::Scope scope{data, universe};
    mece::engine::CompiledRules compiled;
    const std::vector<int> definitions{Expr::of({"avg_order_value", Op::less, 150, ""}).compile(compiled),
                                       Expr::of({"avg_order_value", Op::greater_equal, 150, ""}).compile(compiled)};
    const mece::Assignment assignment{(mece::Column<std::int32_t>(3) << 1, 2, 2).finished(), {1, 2}};
    CHECK(mece::check_mece(compiled, definitions, {1, 2}, assignment, scope).ok());
    CHECK_THROWS_WITH_AS(mece::check_mece(compiled, definitions, {1}, assignment, scope),
                         "MECE check: the definitions and their segment ids differ in number", mece::Error);
}
