// mece-measure: what each segment's campaign added. Reads a run's assignments.csv (with
// holdout groups) and a campaign's outcomes, prints each segment's measured lift and
// writes lift.json, lift.csv and lift.svg (SPEC section 8.2).
//
// Exit status: 0 on success, 1 on an input error (the message names the file, line and
// column), 2 on a usage error.

#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include <mece/io/campaign.hpp>
#include <mece/io/lift_writer.hpp>
#include <mece/io/output.hpp>
#include <mece/lift_report.hpp>

#include "cli_options.hpp"

namespace {

struct Options {
    std::string assignments;
    std::string outcomes;
    std::string strategy;
    std::string out = "mece-lift";
};

int run(const Options& options) {
    mece::OutputBatch outputs{options.out};
    const std::filesystem::path strategy =
        options.strategy.empty() ? std::filesystem::path(options.assignments).parent_path() / "strategy.json" : std::filesystem::path(options.strategy);
    for (const auto& input : {std::filesystem::path(options.assignments), std::filesystem::path(options.outcomes), strategy})
        outputs.protect(input);
    const mece::HoldoutOptions holdout = mece::read_run_holdout(strategy);
    const mece::Assignments assignments = mece::read_assignments(options.assignments);
    const mece::Outcomes outcomes = mece::read_outcomes(options.outcomes);
    mece::LiftReport report;
    try {
        report = mece::measure_lift(assignments, outcomes, holdout);
    } catch (const mece::InputError& e) {  // about the assignments as a whole: name the file
        throw mece::InputError(options.assignments + ": " + e.what());
    }
    std::fputs(mece::LiftWriter::lift_text(report).c_str(), stdout);
    mece::LiftWriter{outputs}.write(report, {options.assignments, options.outcomes});
    outputs.commit();
    std::printf("wrote      %s/lift.json, lift.csv, lift.svg\n", options.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Measures what each segment's campaign added, from its holdout's outcomes.", "mece-measure"};
    Options options;
    app.add_option("--assignments", options.assignments, "A run's assignments.csv, with the group column (mece-segment --holdout)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--outcomes", options.outcomes, "CSV of user_id,converted (0/1) and optionally revenue; users absent did not convert")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--strategy", options.strategy, "The run's strategy.json (default: the one beside the assignments)")
        ->check(CLI::ExistingFile);
    app.add_option("--out", options.out, "Output directory")->default_val("mece-lift");
    if (const auto stop = mece::cli::parse(app, argc, argv)) return *stop;
    return mece::cli::report_errors("mece-measure", [&] { return run(options); });
}
