// mece-segment-mpi: mece-segment over MPI ranks (`mpirun -np N mece-segment-mpi ...`),
// with its options. Each rank generates its share of the synthetic users (the N-rank
// data is the 1-rank data) or reads its byte range of the CSV file; the pipeline runs
// sharded (mece/mpi/run.hpp); rank 0 prints the strategy and writes the strategy files
// and the report, every rank its lines of assignments.csv with MPI-IO. Every output
// equals mece-segment's, byte for byte, for any number of ranks.
//
// Exit status as mece-segment's, the same on every rank: a failure on one rank (bad
// input in its range) stops all of them with one message, printed once, and replaces
// no output.

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <mece/io/generator.hpp>
#include <mece/io/text.hpp>
#include <mece/mpi.hpp>
#include <mece/mpi/csv.hpp>
#include <mece/mpi/outputs.hpp>
#include <mece/mpi/run.hpp>

#include "segment_options.hpp"

namespace {

using mece::cli::SegmentOptions;
using mece::mpi::agree;

int run(const SegmentOptions& options, const mece::mpi::Communicator& comm) {
    const bool root = comm.rank() == 0;
    const mece::mpi::Ranks ranks(comm);
    // Rank 0 locks the output directory before anything is read, as mece-segment does.
    std::optional<mece::OutputBatch> outputs;
    agree(comm, [&] {
        if (!root) return;
        outputs.emplace(options.out);
        mece::cli::protect_inputs(*outputs, options);
    });
    mece::Config config = agree(comm, [&] { return mece::cli::segment_config(options); });
    const unsigned threads = mece::detail::thread_count(options.threads);
    // Each stage's seconds and what its collectives moved (rounds, and the bytes this rank gave).
    std::vector<mece::cli::StageTime> stages;
    mece::cli::Stopwatch clock;
    mece::mpi::Traffic mark = comm.traffic();
    const auto lap = [&](const char* name) {
        const mece::mpi::Traffic now = comm.traffic();
        stages.push_back({name, clock.lap(), (now - mark).rounds, (now - mark).bytes});
        mark = now;
    };

    mece::Dataset<double> data;
    if (!options.input.empty()) {
        auto load = mece::mpi::read_csv<double>(comm, options.input, {.lenient = options.lenient, .threads = threads});
        data = std::move(load.data);
        config.input = options.input;
        config.rejected_rows = load.report.rejected;
        if (root) mece::cli::print_load(options.input, load.report);
    } else {
        // Rank r's share: rows [r n / N, (r + 1) n / N) of the dataset one process generates.
        const Eigen::Index n = options.synthetic, first = n * comm.rank() / comm.size(), end = n * (comm.rank() + 1) / comm.size();
        const mece::SyntheticOptions synthetic{.rows = n, .seed = options.seed, .threads = threads, .first = first, .count = end - first};
        data = agree(comm, [&] { return mece::generate<double>(synthetic); });
        config.input = mece::synthetic_source(synthetic);
        if (root)
            std::printf("input      synthetic dataset: %lld users, seed %llu\n", static_cast<long long>(n),
                        static_cast<unsigned long long>(options.seed));
    }
    lap("load");

    config.threads = threads;
    const mece::mpi::ShardedResult<double> result = mece::mpi::run(ranks, data, config.rules, config);
    const mece::Strategy& strategy = result.strategy;
    lap("segment");

    if (root) mece::cli::print_strategy("mece-segment-mpi", strategy);
    mece::mpi::write_run(comm, root ? &*outputs : nullptr, result, !options.no_report);
    if (root) mece::cli::print_written("mece-segment-mpi", options, result.ok());
    lap("write");
    if (options.timings) {
        // The slowest rank's seconds, and the most bytes a rank gave, of each stage.
        std::vector<double> seconds;
        std::vector<std::int64_t> bytes;
        for (const auto& s : stages) seconds.push_back(s.seconds), bytes.push_back(s.bytes);
        comm.max(seconds);
        comm.max(bytes);
        for (std::size_t k = 0; k < stages.size(); ++k) stages[k].seconds = seconds[k], stages[k].bytes = bytes[k];
        if (root)
            std::fprintf(stderr, "%s\n", mece::cli::timings_line(stages, {{"ranks", comm.size()}, {"threads", threads}}).c_str());
    }
    return result.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int status = 0;
    {
        CLI::App app{"Segments cart abandoners into MECE audience segments over MPI ranks and writes the strategy.", "mece-segment-mpi"};
        SegmentOptions options;
        mece::cli::add_segment_options(app, options,
                                       "Threads per rank for generating the data and for every in-memory stage (default: all cores); "
                                       "the outputs are the same for any number");
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (const auto stop = mece::cli::parse(app, argc, argv, [&] { mece::cli::check_segment_options(options); }, rank != 0)) {
            status = *stop;
        } else {
            const mece::mpi::Communicator comm;
            // Every rank has the same error (agree); rank 0 prints it. A failure on one rank
            // alone ends the job (abort_unless_agreed), so that no rank waits for it forever.
            status = mece::cli::report_errors(
                "mece-segment-mpi", [&] { return mece::mpi::abort_unless_agreed(comm, "mece-segment-mpi", [&] { return run(options, comm); }); },
                rank != 0);
        }
    }
    MPI_Finalize();
    return status;
}
