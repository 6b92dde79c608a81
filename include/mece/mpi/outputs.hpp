#pragma once
/// \file mpi/outputs.hpp
/// The outputs of a sharded run, the files `mece::write_run` writes for one process, the
/// same bytes: rank 0 writes the strategy files and the report from the strategy every
/// rank holds; `assignments.csv` is written by every rank at once with MPI-IO, each its
/// users' lines at their place in universe order; nothing replaces the previous outputs
/// until all of it is written and checked.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/io/output.hpp>
#include <mece/io/run_outputs.hpp>
#include <mece/mpi/communicator.hpp>
#include <mece/mpi/run.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

namespace mece::mpi {

/// Writes `assignments.csv` of a sharded run into the file at `path` (which exists; the
/// output batch's reservation) with MPI-IO: the header by rank 0, then each rank's lines
/// at the offset the lines of the ranks before it end. Returns the rows of every rank.
/// Collective; a failure on any rank (formatting, opening, writing) is the same error on
/// every rank.
template <class Scalar>
std::int64_t write_assignments(const Communicator& comm, const std::string& path, const ShardedResult<Scalar>& result) {
    const Scope<Scalar> scope = result.scope();
    // This rank's text, formatted in blocks on its threads.
    const std::vector<std::string> parts = agree(comm, [&] {
        const auto& holdout = result.strategy.holdout;
        const mece::detail::AssignmentLines<Scalar> lines(scope, result.strategy.solution.rules, result.strategy.solution.assignment,
                                                          holdout ? std::optional<Holdout>(std::in_place, holdout->options) : std::nullopt);
        constexpr Eigen::Index block_rows = 32768;
        const Eigen::Index blocks = (scope.size() + block_rows - 1) / block_rows;
        std::vector<std::string> text(std::size_t(blocks) + 1);
        if (comm.rank() == 0) text[0] = lines.header();
        mece::detail::for_each_task(blocks, scope.threads(), [&](Eigen::Index b) {
            lines.append(b * block_rows, std::min(scope.size(), (b + 1) * block_rows), text[std::size_t(b) + 1]);
        });
        return text;
    });
    std::size_t length = 0;
    for (const auto& part : parts) length += part.size();
    const std::vector<std::int64_t> lengths = comm.all_gather(std::int64_t(length));
    MPI_Offset offset = 0;
    for (int r = 0; r < comm.rank(); ++r) offset += MPI_Offset(lengths[std::size_t(r)]);

    // Each MPI call's outcome is agreed on before the next collective, so that a rank
    // that failed never leaves the others waiting in one.
    MPI_File file{};
    const int opened = MPI_File_open(comm.get(), path.c_str(), MPI_MODE_WRONLY, MPI_INFO_NULL, &file);
    agree(comm, [&] { detail::check(opened, ("MPI_File_open " + path).c_str()); });
    int failed = MPI_SUCCESS;
    for (const std::string& part : parts)
        for (std::size_t at = 0; at < part.size() && failed == MPI_SUCCESS;) {
            const std::size_t piece = std::min<std::size_t>(part.size() - at, std::size_t{1} << 30);
            failed = MPI_File_write_at(file, offset, part.data() + at, int(piece), MPI_CHAR, MPI_STATUS_IGNORE);
            offset += MPI_Offset(piece);
            at += piece;
        }
    const int synced = MPI_File_sync(file);
    const int closed = MPI_File_close(&file);
    agree(comm, [&] {
        detail::check(failed, ("MPI_File_write_at " + path).c_str());
        detail::check(synced, ("MPI_File_sync " + path).c_str());
        detail::check(closed, ("MPI_File_close " + path).c_str());
    });
    return comm.sum(std::int64_t(scope.size()));
}

/// Every output of a sharded run in one batch, which rank 0 holds (`batch`; null on the
/// other ranks): the files of `mece::write_run`, with the report unless `report` is
/// false, committed together once nothing is found lost. Collective: a failure on any
/// rank is the same error on every rank, and the previous outputs stay.
template <class Scalar>
void write_run(const Communicator& comm, OutputBatch* batch, const ShardedResult<Scalar>& result, bool report = true) {
    const bool root = comm.rank() == 0;
    std::string reserved = agree(comm, [&] {
        if (root != (batch != nullptr)) mece::detail::raise<Error>("mpi: write_run: rank 0, and only rank 0, holds the output batch");
        if (!root) return std::string();
        const StrategyWriter writer{*batch};
        writer.write(result.strategy);
        if (report) ReportWriter{*batch}.write(result.strategy);
        return batch->reserve(batch->directory() / "assignments.csv").string();
    });
    reserved = comm.broadcast(std::move(reserved), 0);
    const std::int64_t rows = write_assignments(comm, reserved, result);
    const std::int64_t assigned = comm.sum(std::int64_t(result.strategy.solution.assignment.segment_ids.size()));
    agree(comm, [&] {
        if (!root) return;
        check_nothing_lost(result.strategy.universe, result.strategy.solution, std::size_t(rows), Eigen::Index(assigned));
        batch->commit();
    });
}

}  // namespace mece::mpi
