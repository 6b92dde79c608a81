// mece-segment: segments cart abandoners from a CSV file or the synthetic dataset, keeps
// the segments within the size bounds, scores and ranks them, prints the strategy and
// the MECE checks, and writes strategy.csv, strategy.json, strategy.md, assignments.csv,
// the charts (scores.svg, bubbles.svg, tree.svg, sizes.svg) and report.html.
//
// Exit status: 0 on success, 1 on an input or configuration error (the message names
// the place), 2 on a usage error.

#include <algorithm>
#include <charconv>
#include <limits>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <mece/io/campaign.hpp>
#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/output.hpp>
#include <mece/io/run_outputs.hpp>
#include <mece/io/text.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

#include "cli_options.hpp"
#include "segment_options.hpp"

namespace {

using Options = mece::cli::SegmentOptions;

int run(const Options& options) {
    // The output directory is locked before anything is read: a second run on it is
    // refused at once, and no output may replace the input or the config.
    mece::OutputBatch outputs{options.out};
    mece::cli::protect_inputs(outputs, options);
    // The configuration first, so that a mistake in it is reported before a long load.
    mece::Config config = mece::cli::segment_config(options);
    mece::cli::Stopwatch clock;
    std::vector<mece::cli::StageTime> stages;
    mece::Dataset<double> data;
    const unsigned threads = mece::detail::thread_count(options.threads);
    if (!options.input.empty()) {
        auto [loaded, report] = mece::cli::read_input(options.input, options.lenient, threads);
        data = std::move(loaded);
        config.input = options.input;
        config.rejected_rows = report.rejected;
    } else {
        const mece::SyntheticOptions synthetic{.rows = options.synthetic, .seed = options.seed, .threads = threads};
        data = mece::generate<double>(synthetic);
        config.input = mece::synthetic_source(synthetic);
        std::printf("input      synthetic dataset: %lld users, seed %llu\n", static_cast<long long>(data.rows()),
                    static_cast<unsigned long long>(options.seed));
    }
    stages.push_back({"load", clock.lap()});

    // Everything in memory, from the universe to the scores: thresholds, assignment,
    // constraints, the MECE check and the statistics fused in as few passes as they allow.
    config.threads = threads;
    const mece::RunResult<double> result = mece::run(data, config.rules, config);
    stages.push_back({"segment", clock.lap()});
    mece::cli::print_strategy("mece-segment", result.strategy);

    // Every file is staged first and all are moved into place together once nothing is
    // found lost: a run that fails or is killed leaves the previous outputs as they were.
    mece::write_run(outputs, result, !options.no_report);
    mece::cli::print_written("mece-segment", options, result.ok());
    stages.push_back({"write", clock.lap()});
    if (options.timings) std::fprintf(stderr, "%s\n", mece::cli::timings_line(stages, {{"threads", threads}}).c_str());
    return result.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Segments cart abandoners into MECE audience segments and writes the strategy.", "mece-segment"};
    Options options;
    mece::cli::add_segment_options(app, options,
                                   "Threads for loading or generating the data and for every in-memory stage (default: all cores; never "
                                   "more than the cores this process may use, nor than the work has pieces); the outputs are the same for any number");
    if (const auto stop = mece::cli::parse(app, argc, argv, [&] { mece::cli::check_segment_options(options); }))
        return *stop;
    return mece::cli::report_errors("mece-segment", [&] { return run(options); });
}
