// The frozen strategy: a run's strategy.json read back assigns as the run did, on its
// own data and on any other, one user at a time or a dataset at once; and a file that
// is malformed, newer or edited by hand is refused with its key named.

#include <cmath>
#include <cstdlib>
#include <new>
#include <span>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <mece/frozen.hpp>
#include <mece/io/frozen.hpp>
#include <mece/io/generator.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/run.hpp>
#include <mece/strategy_writer.hpp>

#include "support.hpp"

// Every allocation of this test program is counted while `counting` is set (on this
// thread), to show that assigning one user allocates nothing.
namespace {
thread_local bool counting = false;
thread_local long long allocations = 0;
}  // namespace

// Every form of new and delete but the aligned ones (whose pair stays the library's), so
// that no block passes from one allocator to the other. Not inlined: where GCC sees both
// sides it takes new[] calling new, or free() on what new returned, for a mismatch
// (-Wmismatched-new-delete), hundreds of times.
[[gnu::noinline]] void* operator new(std::size_t size) {
    if (counting) ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) { return operator new(size); }
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    if (counting) ++allocations;
    return std::malloc(size ? size : 1);
}
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

/// The strategy.json of a run, as a reader sees it (dumped and parsed again).
nlohmann::json written(const mece::Strategy& strategy) {
    return nlohmann::json::parse(mece::StrategyWriter::strategy_json(strategy).dump());
}


std::string refusal(const nlohmann::json& j) {
    try {
        (void)mece::frozen_strategy(j, "strategy.json");
    } catch (const mece::InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("a frozen strategy assigns every user, on any data, to the one segment whose JSON rule selects it") {
    std::mt19937_64 rng(20261202);
    for (int trial = 0; trial < 150; ++trial) {
        CAPTURE(trial);
        auto [levels, data, universe, tree] = mece::test::random_case(rng, 10, 600);
        if (universe.size() == 0) continue;
        const auto min_size = std::uniform_int_distribution<Eigen::Index>(1, 60)(rng);
        mece::RunOptions options{.universe = {.as_of = 20772}};
        options.constraints.min_size = min_size;
        options.constraints.max_size = min_size * std::uniform_int_distribution<Eigen::Index>(2, 8)(rng);
        options.threads = 1;
        if (trial % 3 == 0) options.holdout.share = 0.2;
        const auto result = mece::run(data, tree, options);
        const nlohmann::json j = written(result.strategy);
        const mece::FrozenStrategy frozen = mece::frozen_strategy(j, "strategy.json");

        // The run's own universe: the engine's pass gives the run's assignment.
        const mece::Universe same = frozen.universe(data);
        REQUIRE(same.size() == result.universe.size());
        CHECK((same.rows() == result.universe.rows()).all());
        const mece::Assignment again = frozen.assign(mece::Scope<double>(data, same));
        CHECK((again.segment_ids == result.strategy.solution.assignment.segment_ids).all());

        // Every row of the data (in the window or not), with its recencies counted from a
        // later day: one user at a time, the segment whose JSON rule holds, and only it.
        const mece::Days later = 20772 + std::uniform_int_distribution<int>(0, 30)(rng);
        const mece::Universe moved = frozen.universe(data, later);
        const mece::Assignment batch = frozen.assign(mece::Scope<double>(data, moved));
        Eigen::Index in_window = 0;
        for (mece::RowIndex row = 0; row < data.rows(); ++row) {
            const int id = frozen.assign(mece::user_record(data, row), later);
            REQUIRE(id >= 1);
            int matching = 0;
            for (const auto& s : j["segments"]) {
                const bool selects = mece::test::evaluate_json(s["rule"], data, later, row);
                matching += selects;
                if (selects) CHECK(s["id"].get<int>() == id);
            }
            CHECK(matching == 1);
            if (frozen.in_window(data.cart_abandoned_date()[row], later)) {
                REQUIRE(moved.rows()[in_window] == row);
                CHECK(batch.segment_ids[in_window++] == id);
            }
            if (options.holdout.share > 0) CHECK(frozen.group(data.user_id()[row]) == mece::Holdout(options.holdout).group(data.user_id()[row]));
        }
        CHECK(in_window == moved.size());
        if (options.holdout.share == 0) CHECK(!frozen.group(1).has_value());
    }
}

TEST_CASE("a frozen preset strategy reproduces the run with the default bounds, and a span of features assigns as a record does") {
    const auto data = mece::generate<double>({.rows = 60'000, .seed = 7});
    for (const char* preset : {"seed000", "seed002", "seed003", "seed004"}) {
        CAPTURE(preset);
        mece::RunOptions options;
        options.constraints.min_size = 300;
        options.constraints.max_size = 2000;
        const auto result = mece::run(data, mece::presets::preset(preset), options);
        const mece::FrozenStrategy frozen = mece::frozen_strategy(written(result.strategy), "strategy.json");
        const mece::Universe universe = frozen.universe(data);
        const mece::Scope<double> scope(data, universe);
        CHECK((frozen.assign(scope).segment_ids == result.strategy.solution.assignment.segment_ids).all());

        std::vector<double> values(frozen.features().size());
        for (mece::RowIndex i = 0; i < std::min<Eigen::Index>(scope.size(), 5000); ++i) {
            const mece::RowIndex row = scope.universe().rows()[i];
            for (std::size_t f = 0; f < values.size(); ++f)
                values[f] = mece::test::value_of(data, frozen.as_of(), row, frozen.features()[f]);
            CHECK(frozen.assign(values) == result.strategy.solution.assignment.segment_ids[i]);
            CHECK(frozen.assign(mece::user_record(data, row), frozen.as_of()) == result.strategy.solution.assignment.segment_ids[i]);
        }
        CHECK_THROWS_AS(frozen.assign(std::span<const double>(values.data(), values.size() - 1)), mece::Error);
    }
}

TEST_CASE("a strategy.json that is newer, older, malformed or edited by hand is refused, naming the key") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 3});
    mece::RunOptions options;
    options.constraints.min_size = 200;
    options.constraints.max_size = 1500;
    const nlohmann::json good = written(mece::run(data, mece::presets::seed004(), options).strategy);
    CHECK(refusal(good) == "(accepted)");

    auto j = good;
    j["schema_version"] = 6;
    CHECK(refusal(j) == "strategy.json: schema_version: 6 is newer than this mece reads (5); use the mece that wrote it, or a newer one");
    j = good;
    j["schema_version"] = 4;
    j.erase("tree");
    CHECK(refusal(j).find("strategy.json: schema_version: 4 has no rule tree") == 0);
    j = good;
    j.erase("tree");
    CHECK(refusal(j) == "strategy.json: tree: missing");
    j = good;
    j["tree"][0]["when"][0]["op"] = "=>";
    CHECK(refusal(j) == "strategy.json: tree[0].when[0].op: expected one of <, <=, >, >=, ==");
    j = good;
    j["tree"][0]["when"][0]["value"] = "high";
    CHECK(refusal(j) == "strategy.json: tree[0].when[0].value: expected a number (or null, a quantile of no data)");
    j = good;
    j["tree"].erase(j["tree"].size() - 1);
    CHECK(refusal(j).find("the last rule of a level must be its catch-all") != std::string::npos);
    j = good;
    j["as_of"] = "2026-02-30";
    CHECK(refusal(j) == "strategy.json: as_of: expected a date YYYY-MM-DD");
    j = good;
    j["holdout"] = {{"share", 2}};
    CHECK(refusal(j) == "strategy.json: holdout.salt: expected a string");

    // A threshold changed in the tree and not in the segment's rule (or the other way).
    j = good;
    j["tree"][0]["when"][0]["value"] = j["tree"][0]["when"][0]["value"].get<double>() + 1;
    CHECK(refusal(j).find(".rule: not the definition the tree gives segment") != std::string::npos);
    j = good;
    j["segments"][0]["rule"] = {{"feature", "avg_order_value"}, {"op", ">="}, {"value", 1}};
    CHECK(refusal(j).find("strategy.json: segments[0].rule: not the definition the tree gives segment") == 0);
    j = good;
    j["segments"][1]["rule"] = {{"all", {{{"feature", "avg_order_value"}, {"op", "~"}, {"value", 1}}}}};
    CHECK(refusal(j) == "strategy.json: segments[1].rule.all[0].op: expected one of <, <=, >, >=, ==");
    j = good;
    j["segments"][0]["name"] = "Renamed";
    CHECK(refusal(j).find("strategy.json: segments[0].name: expected \"") == 0);
    j = good;
    nlohmann::json* leaf = &j["tree"][0];
    std::string at = "tree[0]";
    while (leaf->contains("rules")) leaf = &(*leaf)["rules"][0], at += ".rules[0]";
    (*leaf)["segment"] = 99;
    CHECK(refusal(j) == "strategy.json: " + at + ".segment: 99, but the tree makes this rule segment 1 (segments are numbered in rule order)");
    (*leaf)["rules"] = nlohmann::json::array();
    CHECK(refusal(j) == "strategy.json: " + at + ": expected either \"rules\" (its sub-rules) or \"segment\" (the id of its segment)");

    // Nesting without end is refused, not followed.
    j = good;
    nlohmann::json deep = true;
    for (int i = 0; i < 100; ++i) deep = {{"not", deep}};
    j["segments"][0]["rule"] = deep;
    CHECK(refusal(j).find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("assigning one user allocates nothing") {
    const auto data = mece::generate<double>({.rows = 200'000, .seed = 2});
    mece::RunOptions options;
    options.constraints = {.min_size = 100, .max_size = 1000};  // many segments, splits among them
    const auto result = mece::run(data, mece::presets::seed004(), options);
    const mece::FrozenStrategy frozen = mece::frozen_strategy(written(result.strategy), "strategy.json");
    REQUIRE(frozen.rules().segments().size() > 40);
    const mece::Universe& universe = result.universe;
    std::vector<mece::UserRecord> users;
    std::vector<double> values;
    for (Eigen::Index i = 0; i < std::min<Eigen::Index>(universe.size(), 3000); ++i) {
        users.push_back(mece::user_record(data, universe.rows()[i]));
        for (const auto& f : frozen.features()) values.push_back(mece::test::value_of(data, frozen.as_of(), universe.rows()[i], f));
    }
    const std::size_t per_user = frozen.features().size();
    long long sum = 0;
    allocations = 0;
    counting = true;
    for (std::size_t k = 0; k < users.size(); ++k) {
        sum += frozen.assign(users[k], frozen.as_of());
        sum += frozen.assign(std::span<const double>(values.data() + k * per_user, per_user));
        sum += frozen.in_window(users[k].cart_abandoned_date, frozen.as_of());
    }
    counting = false;
    CHECK(allocations == 0);
    CHECK(sum > 0);
}
