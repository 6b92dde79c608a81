#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/frozen.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/lift_writer.hpp>
#include <mece/io/migration_writer.hpp>
#include <mece/io/output.hpp>
#include <mece/mece.hpp>
#include <mece/plot.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

// Every public header, the pipeline by its steps (double) and by mece::run (float),
// compiled against the installed or added library with the strictest warnings as errors.
int main() {
    const auto data = mece::generate<double>({.rows = 50000});
    const mece::Universe universe{data};
    const mece::Scope scope{data, universe};
    const auto rules = mece::presets::seed004().resolve(scope);
    const auto solution = mece::ConstraintSolver{{.min_size = 500, .max_size = 20'000}}.solve(rules, rules.assign(scope), scope);
    const auto stats = mece::SegmentStats::compute(scope, solution.assignment);
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    const mece::Strategy strategy{solution, scores, stats, check, universe, {}};
    const auto json = mece::StrategyWriter::strategy_json(strategy);
    const std::string page = mece::ReportWriter::html(strategy);

    const auto small = mece::generate<float>({.rows = 20000, .seed = 2});
    const auto result = mece::run(small, mece::presets::seed003(), {.constraints = {.min_size = 200}, .threads = 2});
    return check.ok() && result.ok() && json["segments"].size() == scores.ranking.size() &&
                   page.find("</html>") != std::string::npos
               ? 0
               : 1;
}
