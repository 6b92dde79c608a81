// The whole pipeline: synthetic data, the last 7 days, the seed004 rules, size
// constraints, scores, the strategy files, the charts and report.html.

#include <cstdio>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

int main() {
    const auto data = mece::generate<double>({.rows = 200'000, .seed = 7});  // or mece::read_csv<double>("carts.csv").data
    // The last 7 days up to the latest date, on every core; the options are checked first.
    const auto result = mece::run(data, mece::presets::seed004(),
                                  {.constraints = {.min_size = 500, .max_size = 20'000}, .input = "synthetic"});
    const mece::Strategy& strategy = result.strategy;  // owns the rules, assignment, checks, statistics, scores

    for (int id : strategy.scores.ranking)
        std::printf("%-52s %6lld  %.3f  %s\n", strategy.solution.rules.segment(id).name.c_str(),
                    static_cast<long long>(strategy.stats.size(id)), strategy.scores.of(id).overall,
                    strategy.scores.of(id).tier.c_str());
    mece::OutputBatch outputs{"pipeline-out"};  // a locked directory; the files appear together, or not at all
    const mece::StrategyWriter writer{outputs};
    writer.write(strategy);                     // strategy.csv, .json, .md
    writer.write_assignments(result);           // assignments.csv
    mece::ReportWriter{outputs}.write(strategy);  // the four SVG charts and report.html
    outputs.commit();
    return result.ok() ? 0 : 1;
}
