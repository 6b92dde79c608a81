// mece-assign: assigns users to the segments of an earlier run, with its frozen
// thresholds (SPEC section 8.4). Reads the run's strategy.json and a CSV of users (or the
// synthetic dataset), takes those whose cart lies in the window (the run's, or the one
// ending at --as-of) and writes assignments.csv as the run would have: on the run's own
// data it is the run's file, byte for byte.
//
// Exit status: 0 on success, 1 on an input error (the message names the file and the
// key or line), 2 on a usage error.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <mece/frozen.hpp>
#include <mece/io/frozen.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/output.hpp>
#include <mece/strategy_writer.hpp>

#include "cli_options.hpp"

namespace {

struct Options {
    std::string strategy;
    std::string input;
    std::optional<Eigen::Index> synthetic;
    std::uint64_t seed = 42;
    std::string as_of;
    std::string out = "mece-assigned";
    bool lenient = false;
    bool timings = false;
    unsigned threads = 0;
};

int run(const Options& options) {
    mece::OutputBatch outputs{options.out};
    outputs.protect(options.strategy);
    if (!options.input.empty()) outputs.protect(options.input);
    const mece::FrozenStrategy frozen = mece::read_frozen_strategy(options.strategy);
    const unsigned threads = mece::detail::thread_count(options.threads);
    mece::cli::Stopwatch clock;

    mece::Dataset<double> data;
    if (!options.input.empty()) {
        data = mece::cli::read_input(options.input, options.lenient, threads).data;
    } else {
        data = mece::generate<double>({.rows = *options.synthetic, .seed = options.seed, .threads = threads});
        std::printf("input      synthetic dataset: %lld users, seed %llu\n", static_cast<long long>(data.rows()),
                    static_cast<unsigned long long>(options.seed));
    }
    const double load_s = clock.lap();

    const std::optional<mece::Days> as_of = options.as_of.empty() ? std::nullopt : mece::parse_date(options.as_of);
    const mece::Universe universe = frozen.universe(data, as_of, threads);
    const mece::Scope<double> scope(data, universe, {.threads = threads});
    const mece::Assignment assignment = frozen.assign(scope);
    const double assign_s = clock.lap();

    std::printf("strategy   %s: %zu segments, thresholds as of %s\n", options.strategy.c_str(), frozen.rules().segments().size(),
                mece::format_date(frozen.as_of()).c_str());
    std::printf("window     %s to %s (%d days%s): %lld of %lld users\n", mece::format_date(universe.first_day()).c_str(),
                mece::format_date(universe.as_of()).c_str(), universe.window_days(), as_of ? ", from --as-of" : ", the run's",
                static_cast<long long>(universe.size()), static_cast<long long>(data.rows()));
    if (universe.after_as_of() > 0)
        std::fprintf(stderr, "mece-assign: warning: %lld carts are dated after %s, outside the window (pass --as-of to assign them)\n",
                     static_cast<long long>(universe.after_as_of()), mece::format_date(universe.as_of()).c_str());
    int width = 0;
    for (const mece::SegmentDefinition& s : frozen.rules().segments()) width = std::max(width, int(s.name.size()));
    for (const mece::SegmentDefinition& s : frozen.rules().segments())
        std::printf("  %4d  %-*s %10lld\n", s.id, width, s.name.c_str(), static_cast<long long>(assignment.sizes[std::size_t(s.id - 1)]));

    const mece::StrategyWriter writer{outputs};
    std::optional<mece::Holdout> holdout;
    if (frozen.holdout()) holdout = *frozen.holdout();
    const std::size_t rows = writer.write_assignments(scope, frozen.rules(), assignment, holdout);
    if (rows != std::size_t(universe.size()))
        throw mece::Error("users lost: assignments.csv has " + std::to_string(rows) + " rows for " + std::to_string(universe.size()) +
                          " users; nothing was written over the previous outputs");
    outputs.commit();
    const double write_s = clock.lap();
    std::printf("wrote      %s/assignments.csv (%zu users%s)\n", options.out.c_str(), rows, holdout ? ", with their holdout group" : "");
    std::fflush(stdout);
    if (options.timings) {
        const double total = load_s + assign_s + write_s;
        std::fprintf(stderr,
                     "{\"load_s\": %.6f, \"assign_s\": %.6f, \"write_s\": %.6f, \"total_s\": %.6f, \"rows\": %lld, \"users\": %lld, "
                     "\"rows_per_s\": %.0f, \"threads\": %u}\n",
                     load_s, assign_s, write_s, total, static_cast<long long>(data.rows()), static_cast<long long>(universe.size()),
                     total > 0 ? double(data.rows()) / total : 0.0, threads);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Assigns users to the segments of an earlier run, with its frozen thresholds.", "mece-assign"};
    Options options;
    app.add_option("--strategy", options.strategy, "The run's strategy.json (schema 5 or later)")->required()->check(CLI::ExistingFile);
    mece::cli::add_data_options(app, options.input, options.synthetic, options.seed, "CSV file of users to assign",
                                "Assign N synthetic users instead");
    app.add_option("--as-of", options.as_of,
                   "Last day of the window, YYYY-MM-DD, from which days_since_* are counted (default: the run's as_of)")
        ->check(mece::cli::date());
    app.add_option("--out", options.out, "Output directory")->default_val("mece-assigned");
    app.add_flag("--lenient", options.lenient, "Set bad rows aside instead of stopping at the first");
    app.add_flag("--timings", options.timings, "Print the seconds of each stage as one JSON object, the last line on stderr");
    app.add_option("--threads", options.threads, "Threads for loading and assigning (default: all cores); the output is the same for any number")
        ->check(mece::cli::whole_number(1, 1024));
    if (const auto stop = mece::cli::parse(app, argc, argv, [&] {
        if (options.input.empty() && !options.synthetic) throw CLI::RequiredError("--input or --synthetic");
    }))
        return *stop;
    return mece::cli::report_errors("mece-assign", [&] { return run(options); });
}
