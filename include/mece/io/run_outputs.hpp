#pragma once
/// \file io/run_outputs.hpp
/// `write_run`: every output of a run in one batch, committed together once nothing is
/// found lost: what `mece-segment` and Python's `Result.write` both write.

#include <cstddef>
#include <string>

#include <mece/error.hpp>
#include <mece/io/output.hpp>
#include <mece/report.hpp>
#include <mece/run.hpp>
#include <mece/strategy_writer.hpp>

namespace mece {

/// The last check of a run's outputs: every universe user is in exactly one segment,
/// and `assignments.csv` has one row per universe user (`rows`). A violation is an
/// `Error`; nothing has replaced the previous outputs yet.
/// `assigned`: the users with a segment id (over every shard of a sharded run).
inline void check_nothing_lost(const UniverseSummary& universe, const Solution& solution, std::size_t rows, Eigen::Index assigned) {
    Eigen::Index total = 0;
    for (auto size : solution.assignment.sizes) total += size;
    const auto n = static_cast<long long>(universe.size());
    std::string problem;
    if (assigned != universe.size())
        problem = std::to_string(assigned) + " users assigned";
    else if (total != universe.size())
        problem = "segment sizes add up to " + std::to_string(total);
    else if (rows != std::size_t(universe.size()))
        problem = "assignments.csv has " + std::to_string(rows) + " rows";
    if (!problem.empty())
        detail::raise<Error>("users lost: " + problem + " for a universe of " + std::to_string(n) +
                             " users; nothing was written over the previous outputs");
}
inline void check_nothing_lost(const UniverseSummary& universe, const Solution& solution, std::size_t rows) {
    check_nothing_lost(universe, solution, rows, solution.assignment.segment_ids.size());
}

/// Stages `strategy.csv`, `strategy.json`, `strategy.md`, `assignments.csv` and, with
/// `report`, the charts and `report.html` in `batch`, checks that nothing was lost and
/// commits: the files appear together, or none replaces the previous ones.
template <class Scalar>
void write_run(OutputBatch& batch, const RunResult<Scalar>& result, bool report = true) {
    const StrategyWriter writer{batch};
    writer.write(result.strategy);
    const std::size_t rows = writer.write_assignments(result);
    if (report) ReportWriter{batch}.write(result.strategy);
    check_nothing_lost(result.strategy.universe, result.strategy.solution, rows);
    batch.commit();
}

}  // namespace mece
