// The whole pipeline: synthetic data, the last 7 days, the seed004 rules, size
// constraints, scores, the strategy files, the charts and report.html.

#include <cstdio>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>

int main() {
    const auto data = mece::generate<double>({.rows = 200'000, .seed = 7});
    const mece::Universe universe{data};      // abandoned in the 7 days up to the latest date
    const mece::Scope scope{data, universe};  // data and universe, checked to belong together; every core
    const auto [solution, check, stats] = mece::segment(scope, mece::presets::seed004(),
                                                        mece::ConstraintSolver{{.min_size = 500, .max_size = 20'000}});
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);

    for (int id : scores.ranking)
        std::printf("%-52s %6lld  %.3f  %s\n", solution.rules.segment(id).name.c_str(),
                    static_cast<long long>(solution.assignment.sizes[id - 1]), scores.of(id).overall,
                    scores.of(id).tier.c_str());
    const mece::Strategy strategy{solution, scores, stats, check, universe, {.input = "synthetic"}};
    const mece::StrategyWriter writer{"pipeline-out"};
    writer.write(strategy);                              // strategy.csv, .json, .md
    writer.write_assignments(scope, solution.rules, solution.assignment);
    mece::ReportWriter{"pipeline-out"}.write(strategy);  // the four SVG charts and report.html
    return check.ok() ? 0 : 1;
}
