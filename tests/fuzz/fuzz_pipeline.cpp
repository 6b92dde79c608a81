// The whole pipeline on small fuzzed datasets and fuzzed rule trees: universe, thresholds,
// assignment, size constraints, statistics, scores; built as `fuzz_report`
// (MECE_FUZZ_REPORT), strategy.json, the charts and the report too.
// Checked inside the target: every universe user is in exactly one segment, the sizes
// add up, every segment's rule selects exactly its members (the MECE checks), only a
// catch-all is left below min_size, out-of-bounds segments say why, and every chart and
// the page are well-formed XML.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <mece/mece.hpp>
#include <mece/report.hpp>

#include "xml_check.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
    std::abort();
}

const std::vector<std::string> features = {"avg_order_value",    "sessions_last_30d",    "num_cart_items",   "engagement_score",
                                           "profitability_score", "days_since_last_order", "days_since_abandon", "user_id_hash"};

mece::Threshold threshold(FuzzedDataProvider& in) {
    const double fixed = double(in.ConsumeIntegralInRange<int>(-2, 40)) * (in.ConsumeBool() ? 0.05 : 10.0);
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: return fixed;
        case 1: return mece::quantile(in.ConsumeProbability<double>());
        case 2: return mece::quantile(in.ConsumeProbability<double>()).at_least(fixed);
        default: return mece::quantile(in.ConsumeProbability<double>()).at_most(fixed);
    }
}

std::vector<mece::Rule> rules(FuzzedDataProvider& in, int depth, int& counter) {
    std::vector<mece::Rule> out(in.ConsumeIntegralInRange<std::size_t>(depth == 2 ? 1 : 1, 4));
    for (auto& rule : out) {
        rule.name = "r" + std::to_string(++counter) + in.ConsumeRandomLengthString(6);
        for (int c = in.ConsumeIntegralInRange<int>(0, 3); c > 0; --c) {
            mece::Condition condition;
            condition.feature = features[in.ConsumeIntegralInRange<std::size_t>(0, features.size() - 1)];
            condition.op = mece::Op(in.ConsumeIntegralInRange<int>(0, 5));
            condition.threshold = threshold(in);
            if (condition.op == mece::Op::between) condition.upper = threshold(in);
            rule.conditions.push_back(condition);
        }
        if (depth > 0 && in.ConsumeIntegralInRange<int>(0, 3) == 0) rule.sub_rules = rules(in, depth - 1, counter);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    FuzzedDataProvider in(bytes, size);
    const auto n = in.ConsumeIntegralInRange<Eigen::Index>(0, 400);
    const int levels = in.ConsumeIntegralInRange<int>(1, 8);
    typename mece::Dataset<double>::Columns c;
    c.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto level = [&] { return in.ConsumeIntegralInRange<int>(0, levels - 1); };
        c.user_id[i] = 1000 + 7 * i;
        c.cart_abandoned_date[i] = 20772 - in.ConsumeIntegralInRange<int>(0, 9);
        c.last_order_date[i] = in.ConsumeBool() ? mece::no_date : 20772 - 10 * level();
        c.avg_order_value[i] = 25.0 * level();
        c.sessions_last_30d[i] = level();
        c.num_cart_items[i] = level();
        c.engagement_score[i] = double(level()) / levels;
        c.profitability_score[i] = double(level()) / levels;
    }
    const mece::Dataset<double> data(std::move(c));
    int counter = 0;
    mece::RuleTree tree;
    for (auto& rule : rules(in, 2, counter)) tree.add(std::move(rule));
    const auto min_size = in.ConsumeIntegralInRange<Eigen::Index>(0, 60);
    const mece::ConstraintOptions options{.min_size = min_size, .max_size = min_size + in.ConsumeIntegralInRange<Eigen::Index>(1, 150)};

    const mece::Universe universe{data, {.as_of = 20772, .window_days = in.ConsumeIntegralInRange<int>(1, 10)}};
    mece::ResolvedRules resolved = [&] {
        try {
            return tree.resolve(data, universe);
        } catch (const mece::ConfigError&) {  // e.g. a floor above a cap
            return mece::RuleTree{}.resolve(data, universe);
        }
    }();
    const auto solution = mece::ConstraintSolver{options}.solve(resolved, resolved.assign(data, universe), data, universe);
    const auto& segments = solution.rules.segments();
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    if (!check.ok()) fail("MECE checks failed");
    Eigen::Index total = 0;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto size = solution.assignment.sizes[s];
        total += size;
        const bool within = size >= options.min_size && size <= options.max_size;
        if (solution.status[s].valid != within) fail("validity of " + segments[s].name);
        if (!within && solution.status[s].reason.empty()) fail("no reason for " + segments[s].name);
        if (size < options.min_size && !segments[s].catch_all) fail("a rule below min_size was not dissolved");
    }
    if (total != universe.size() || solution.assignment.segment_ids.size() != universe.size()) fail("users lost or counted twice");
    const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
#if defined(MECE_FUZZ_REPORT)  // fuzz_report: strategy.json, the charts and the page too, far slower per input
    const mece::Strategy strategy{solution, scores, stats, check, universe, {}};
    const auto json = mece::StrategyWriter::strategy_json(strategy);
    if (json["segments"].size() != segments.size()) fail("strategy.json segments");
    const std::array<std::string, 4> charts = {mece::plot::scores_chart(strategy), mece::plot::bubbles_chart(strategy),
                                               mece::plot::tree_chart(strategy), mece::plot::sizes_chart(strategy)};
    for (const std::string& document : charts)
        if (const std::string problem = mece::test::xml_problem(document); !problem.empty()) fail("not well-formed: " + problem);
    if (const std::string problem = mece::test::xml_problem(mece::ReportWriter::html(strategy, charts)); !problem.empty())
        fail("report.html not well-formed: " + problem);
#endif
    return 0;
}
