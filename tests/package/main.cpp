#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>

// Every public header, the whole pipeline, compiled against the installed or added
// library with warnings as errors.
int main() {
    const auto data = mece::generate<double>({.rows = 50000});
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto solution = mece::ConstraintSolver{}.solve(rules, rules.assign(data, universe), data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    const mece::Strategy strategy{solution, scores, stats, check, universe, {}};
    const auto json = mece::StrategyWriter::strategy_json(strategy);
    const std::string page = mece::ReportWriter::html(strategy);
    return check.ok() && json["segments"].size() == scores.ranking.size() && page.find("</html>") != std::string::npos ? 0 : 1;
}
