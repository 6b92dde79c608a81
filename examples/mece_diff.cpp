// mece-diff: how users moved between two runs (SPEC section 8.5). Reads each run's
// assignments.csv, prints how many stayed, moved, entered and left each segment, and
// writes delta.csv (only the users whose segment changed: what an incremental CRM or CDP
// sync sends), migration.csv and migration.json (the transition matrix) and migration.svg.
//
// Exit status: 0 on success, 1 on an input error (the message names the file and line),
// 2 on a usage error.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include <mece/io/campaign.hpp>
#include <mece/io/migration_writer.hpp>
#include <mece/io/output.hpp>
#include <mece/migration.hpp>

#include "cli_options.hpp"

namespace {

struct Options {
    std::string old_run;
    std::string new_run;
    std::string out = "mece-diff";
    bool timings = false;
};

/// The assignments.csv of the run directory `run`; an error naming it when it holds none.
std::filesystem::path assignments_of(const std::string& run) {
    std::error_code error;
    if (!std::filesystem::is_directory(run, error))
        throw mece::InputError(run + ": not a run's output directory (" +
                               (std::filesystem::exists(run, error) ? std::string("a file") : std::string(std::strerror(ENOENT))) + ")");
    const std::filesystem::path path = std::filesystem::path(run) / "assignments.csv";
    if (!std::filesystem::exists(path, error))
        throw mece::InputError(run + ": no assignments.csv in this directory (is it a run's output directory?)");
    return path;
}

int run(const Options& options) {
    mece::OutputBatch outputs{options.out};
    const auto old_path = assignments_of(options.old_run), new_path = assignments_of(options.new_run);
    outputs.protect(old_path);
    outputs.protect(new_path);
    mece::cli::Stopwatch clock;
    const mece::Assignments before = mece::read_assignments(old_path);
    const mece::Assignments after = mece::read_assignments(new_path);
    const double read_s = clock.lap();
    const mece::Migration migration = mece::migrate(before, after);
    const double diff_s = clock.lap();
    std::fputs(mece::MigrationWriter::migration_text(migration).c_str(), stdout);
    if (migration.shared_users == 0)
        std::fprintf(stderr, "mece-diff: warning: %s and %s share no user: every user entered or left (runs of different audiences, or windows that do not overlap)\n",
                     old_path.c_str(), new_path.c_str());
    mece::MigrationWriter{outputs}.write(migration, options.old_run, options.new_run);
    outputs.commit();
    const double write_s = clock.lap();
    std::printf("\nwrote      %s/delta.csv (%zu users), migration.csv, migration.json, migration.svg\n", options.out.c_str(),
                migration.delta.size());
    std::fflush(stdout);
    if (options.timings)
        std::fprintf(stderr, "{\"read_s\": %.6f, \"diff_s\": %.6f, \"write_s\": %.6f, \"total_s\": %.6f, \"old_users\": %lld, \"new_users\": %lld}\n",
                     read_s, diff_s, write_s, read_s + diff_s + write_s, static_cast<long long>(migration.old_users),
                     static_cast<long long>(migration.new_users));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Compares two runs: who stayed, moved, entered and left each segment, and the delta to sync.", "mece-diff"};
    Options options;
    app.add_option("OLD_RUN", options.old_run, "The earlier run's output directory (with its assignments.csv)")->required();
    app.add_option("NEW_RUN", options.new_run, "The later run's output directory")->required();
    app.add_option("--out", options.out, "Output directory")->default_val("mece-diff");
    app.add_flag("--timings", options.timings, "Print the seconds of each stage as one JSON object, the last line on stderr");
    if (const auto stop = mece::cli::parse(app, argc, argv)) return *stop;
    return mece::cli::report_errors("mece-diff", [&] { return run(options); });
}
