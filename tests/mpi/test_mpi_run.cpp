// The pipeline over ranks: on uneven slices of the same synthetic data, the strategy of
// every rank equals, to the byte of its JSON, the strategy one process finds on all the
// data, and the ranks' segment ids, in rank order, are that run's.

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <mece/io/config.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/mpi.hpp>
#include <mece/mpi/run.hpp>
#include <mece/strategy_writer.hpp>

#include "support.hpp"

namespace {

using mece_test::rows_of;
using mece_test::world;

/// This rank's rows of `data`, cut at points drawn from `seed` (uneven; some ranks may get none).
mece::Dataset<double> slice(const mece::Dataset<double>& data, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<Eigen::Index> cuts{0, data.rows()};
    for (int r = 1; r < world().size(); ++r) cuts.push_back(std::uniform_int_distribution<Eigen::Index>(0, data.rows())(rng));
    std::sort(cuts.begin(), cuts.end());
    const auto r = std::size_t(world().rank());
    return rows_of(data, cuts[r], cuts[r + 1]);
}

/// Checks the sharded run against one process's; returns what the solver did (its log's actions).
std::set<std::string> check_sharded(const mece::Dataset<double>& data, const mece::RuleTree& rules, const mece::RunOptions& options,
                                    unsigned seed) {
    const mece::mpi::Ranks ranks(world());
    const auto expected = mece::run(data, rules, options);
    const mece::Dataset<double> mine = slice(data, seed);
    const auto got = mece::mpi::run(ranks, mine, rules, options);
    CHECK(mece::StrategyWriter::strategy_json(got.strategy).dump(1) == mece::StrategyWriter::strategy_json(expected.strategy).dump(1));
    CHECK(got.strategy.check.ok() == expected.strategy.check.ok());
    CHECK(got.first % mece::shard_alignment == 0);
    // Every rank's users and their segments, in rank order: the one run's, in universe order.
    std::vector<std::int64_t> ids, segments;
    for (Eigen::Index i = 0; i < got.data.rows(); ++i) {
        ids.push_back(got.data.user_id()[i]);
        segments.push_back(got.strategy.solution.assignment.segment_ids[i]);
    }
    const std::vector<std::int64_t> all_ids = world().all_gather(ids), all_segments = world().all_gather(segments);
    REQUIRE(all_ids.size() == std::size_t(expected.universe.size()));
    bool same = true;
    for (std::size_t i = 0; i < all_ids.size(); ++i) {
        same = same && all_ids[i] == expected.data.user_id()[expected.universe.rows()[Eigen::Index(i)]];
        same = same && all_segments[i] == expected.strategy.solution.assignment.segment_ids[Eigen::Index(i)];
    }
    CHECK(same);
    std::set<std::string> actions;
    for (const auto& event : expected.strategy.solution.log) actions.insert(std::string(mece::to_string(event.action)));
    return actions;
}

}  // namespace

TEST_CASE("a sharded run without size bounds is the run of one process, to the bit") {
    const mece::Dataset<double> data = mece::generate<double>({.rows = 700'000, .seed = 7, .threads = 1});
    for (const char* preset : {"seed004", "seed000", "seed002", "seed003"}) {
        INFO("preset " << preset << ", " << world().size() << " ranks");
        check_sharded(data, mece::presets::preset(preset), {.apply_constraints = false, .threads = 1}, 31);
    }
    SUBCASE("with a holdout, and every rank's share cut elsewhere") {
        check_sharded(data, mece::presets::seed004(), {.apply_constraints = false, .holdout = {.share = 0.1}, .threads = 2}, 32);
    }
    SUBCASE("a universe smaller than a chunk: the first rank holds it all") {
        const mece::Dataset<double> small = mece::generate<double>({.rows = 5000, .seed = 8, .threads = 1});
        check_sharded(small, mece::presets::seed004(), {.apply_constraints = false, .threads = 1}, 33);
    }
}

TEST_CASE("a sharded run with size bounds splits, dissolves and merges as one process does, to the bit") {
    const mece::Dataset<double> data = mece::generate<double>({.rows = 700'000, .seed = 9, .threads = 1});
    std::set<std::string> actions;
    for (const char* preset : {"seed004", "seed000", "seed002", "seed003"}) {
        INFO("preset " << preset << ", " << world().size() << " ranks");
        actions.merge(check_sharded(data, mece::presets::preset(preset), {.threads = 1}, 41));  // the default bounds
        actions.merge(check_sharded(data, mece::presets::preset(preset),
                                    {.constraints = {.min_size = 6000, .max_size = 25'000}, .threads = 2}, 42));
    }
    // Seed 003's code tree has sub-rules, whose catch-alls below min_size are merged or dropped.
    const mece::Config code = mece::read_config(MECE_SOURCE_DIR "/examples/configs/seed003-code.json");
    actions.merge(check_sharded(data, code.rules, {.constraints = {.min_size = 6000, .max_size = 25'000}, .threads = 1}, 43));
    actions.merge(check_sharded(data, code.rules, {.constraints = {.min_size = 2000, .max_size = 8000}, .threads = 2}, 44));
    for (const char* action : {"split", "dissolve", "merge", "collapse", "drop"}) {
        INFO("the solver must " << std::string(action) << " somewhere, or the test shows nothing of it");
        CHECK(actions.count(action) == 1);
    }
}
