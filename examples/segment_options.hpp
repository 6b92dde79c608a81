#pragma once
// The options of mece-segment, which mece-segment-mpi shares: one definition of what
// each means, how it is checked and how it sets the run's configuration.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <mece/io/config.hpp>
#include <mece/io/output.hpp>
#include <mece/io/text.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/strategy.hpp>

#include "cli_options.hpp"

namespace mece::cli {

struct SegmentOptions {
    std::string input;
    Eigen::Index synthetic = 100'000;
    std::uint64_t seed = 42;
    std::string preset = "seed004";
    std::string config;
    std::string as_of;
    int window_days = 0;
    std::string out = "mece-out";
    bool lenient = false;
    bool no_constraints = false;
    bool no_report = false;
    std::optional<Eigen::Index> min_size;
    std::optional<Eigen::Index> max_size;
    std::optional<double> holdout;
    std::optional<std::string> holdout_salt;
    std::string lift;
    bool timings = false;
    unsigned threads = 0;
};

/// Adds the options to `app`; `what` finishes the help of --threads.
inline void add_segment_options(CLI::App& app, SegmentOptions& options, const std::string& threads_help) {
    add_data_options(app, options.input, options.synthetic, options.seed, "CSV file of cart abandoners",
                     "Use N synthetic users (default 100000)");
    auto* preset = app.add_option("--preset", options.preset, "Rule preset: seed000, seed002, seed003, seed004")
                       ->check(CLI::IsMember({"seed000", "seed002", "seed003", "seed004"}))
                       ->default_val("seed004");
    app.add_option("--config", options.config, "JSON configuration (rules, thresholds, universe, constraints, scoring)")
        ->check(CLI::ExistingFile)
        ->excludes(preset);
    app.add_option("--as-of", options.as_of, "Last day of the window, YYYY-MM-DD (default: latest abandonment date)")->check(date());
    app.add_option("--window", options.window_days, "Window length in days (default 7)")->check(whole_number(1, 100000));
    app.add_option("--out", options.out, "Output directory")->default_val("mece-out");
    app.add_flag("--lenient", options.lenient, "Set bad rows aside instead of stopping at the first");
    app.add_option("--min-size", options.min_size, "Smallest segment size (default 500, or the config's)")
        ->check(whole_number(0, 1LL << 40));
    app.add_option("--max-size", options.max_size, "Largest segment size (default 20000, or the config's)")
        ->check(whole_number(1, 1LL << 40));
    app.add_option("--holdout", options.holdout,
                   "Share of each segment held out of its campaign as control, 0 to 0.5 (default 0: none, or the config's); "
                   "assignments.csv gets a group column")
        ->check(number_in(0, 0.5));
    app.add_option("--holdout-salt", options.holdout_salt, "Salt of the holdout hash (default \"mece\", or the config's)");
    app.add_option("--lift", options.lift,
                   "A lift.json of mece-measure: rank with each segment's measured lift, blended with the estimate by precision")
        ->check(CLI::ExistingFile);
    app.add_flag("--timings", options.timings, "Print the seconds of each stage as one JSON object, the last line on stderr");
    app.add_option("--threads", options.threads, threads_help)->check(whole_number(1, 1024));
    app.add_flag("--no-constraints", options.no_constraints,
                 "Keep the rules' segments as they are (no merge or split); validity is still reported");
    app.add_flag("--no-report", options.no_report, "Skip the charts and report.html");
}

/// The check of the options together, for `parse`.
inline void check_segment_options(const SegmentOptions& options) {
    if (options.min_size && options.max_size && *options.min_size > *options.max_size)
        throw CLI::ValidationError("--min-size", std::to_string(*options.min_size) + " is above --max-size " +
                                                     std::to_string(*options.max_size));
}

/// Refuses outputs over the run's own files.
inline void protect_inputs(OutputBatch& outputs, const SegmentOptions& options) {
    if (!options.input.empty()) outputs.protect(options.input);
    if (!options.lift.empty()) outputs.protect(options.lift);
    if (!options.config.empty()) outputs.protect(options.config);
}

/// The run's configuration: the preset or config, with the options over it.
inline Config segment_config(const SegmentOptions& options) {
    Config config;
    config.rules = presets::preset(options.preset);
    if (!options.config.empty()) config = read_config(options.config);
    ConfigOverrides overrides{.min_size = options.min_size,
                              .max_size = options.max_size,
                              .apply_constraints = !options.no_constraints,
                              .holdout = options.holdout,
                              .holdout_salt = options.holdout_salt,
                              .bounds_name = "--min-size/--max-size",
                              .holdout_name = "--holdout/--holdout-salt"};
    if (!options.as_of.empty()) overrides.as_of = parse_date(options.as_of);
    if (options.window_days > 0) overrides.window_days = options.window_days;
    if (!options.lift.empty()) overrides.lift = options.lift;
    apply_overrides(config, overrides);
    return config;
}

/// What the tool prints of a run's strategy: the universe, the warnings (on stderr, as
/// `tool: warning: ...`) and the strategy's text.
inline void print_strategy(const char* tool, const Strategy& strategy) {
    const UniverseSummary& universe = strategy.universe;
    std::printf("universe   %lld users abandoned a cart from %s to %s (%d days)\n", static_cast<long long>(universe.size()),
                format_date(universe.first_day()).c_str(), format_date(universe.as_of()).c_str(), universe.window_days());
    for (const auto& warning : strategy.run.warnings) std::fprintf(stderr, "%s: warning: %s\n", tool, warning.c_str());
    std::fputs(strategy_text(strategy).c_str(), stdout);
    std::fflush(stdout);
}

/// The files a run wrote, and how it ended when the MECE checks failed.
inline void print_written(const char* tool, const SegmentOptions& options, bool ok) {
    std::printf("\nwrote      %s/strategy.csv, strategy.json, strategy.md, assignments.csv\n", options.out.c_str());
    if (!options.no_report)
        std::printf("           %s/report.html, scores.svg, bubbles.svg, tree.svg, sizes.svg\n", options.out.c_str());
    std::fflush(stdout);
    if (!ok) std::fprintf(stderr, "%s: error: the MECE checks failed; the outputs are written for inspection\n", tool);
}

/// A stage for `--timings`: its seconds and, in a run over ranks, the rounds of its
/// collectives and the bytes they moved (negative: not a run over ranks).
struct StageTime {
    const char* name;
    double seconds;
    long long rounds = -1, bytes = -1;
};

/// The `--timings` line: `{"load_s": ..., [its rounds and bytes,] ..., "total_s": ...,`
/// then `counts` (`"threads": 2`).
inline std::string timings_line(const std::vector<StageTime>& stages, const std::vector<std::pair<const char*, long long>>& counts) {
    std::string line = "{";
    double total = 0;
    for (const StageTime& s : stages) {
        char text[192];
        std::snprintf(text, sizeof text, "\"%s_s\": %.6f, ", s.name, s.seconds);
        line += text;
        if (s.rounds >= 0) {
            std::snprintf(text, sizeof text, "\"%s_rounds\": %lld, \"%s_bytes\": %lld, ", s.name, s.rounds, s.name, s.bytes);
            line += text;
        }
        total += s.seconds;
    }
    char text[64];
    std::snprintf(text, sizeof text, "\"total_s\": %.6f", total);
    line += text;
    for (const auto& [name, value] : counts) line += ", \"" + std::string(name) + "\": " + std::to_string(value);
    return line + "}";
}

}  // namespace mece::cli
