// mece-segment: segments cart abandoners from a CSV file or the synthetic dataset,
// prints the segments and the MECE checks, and writes strategy.json and assignments.csv.
//
// Exit status: 0 on success, 1 on an input or configuration error (the message names
// the place), 2 on a usage error.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

namespace {

struct Options {
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
};

std::string percent(double share) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%", share * 100.0);
    return text;
}

void print_segments(const mece::ResolvedRules& rules, const mece::Assignment& assignment, const mece::Universe& universe) {
    std::size_t name_width = 7;
    for (const auto& s : rules.segments()) name_width = std::max(name_width, s.name.size());
    std::printf("\n%3s  %-*s  %9s  %6s  %s\n", "id", int(name_width), "segment", "size", "share", "rules applied");
    for (const auto& s : rules.segments()) {
        const auto size = assignment.sizes[std::size_t(s.id - 1)];
        const double share = universe.size() ? double(size) / double(universe.size()) : 0.0;
        std::printf("%3d  %-*s  %9lld  %6s  %s\n", s.id, int(name_width), s.name.c_str(), static_cast<long long>(size),
                    percent(share).c_str(), s.rules_applied().c_str());
    }
}

void print_checks(const mece::MeceCheck& check) {
    const auto mark = [](bool ok) { return ok ? "pass" : "FAIL"; };
    std::printf("\nMECE checks\n");
    std::printf("  count     %s  sum of segment sizes %lld, universe %lld\n", mark(check.count_ok()),
                static_cast<long long>(check.assigned_total), static_cast<long long>(check.universe_size));
    std::printf("  overlap   %s  %lld users match more than one segment rule\n", mark(check.overlap_ok()),
                static_cast<long long>(check.overlapping));
    std::printf("  coverage  %s  %lld users match no segment rule\n", mark(check.coverage_ok()),
                static_cast<long long>(check.uncovered));
    std::printf("  rules     %s  %lld users outside the rule of their segment\n", mark(check.membership_ok()),
                static_cast<long long>(check.misassigned));
}

int run(const Options& options) {
    mece::RunInfo info;
    mece::Dataset<double> data;
    if (!options.input.empty()) {
        auto [loaded, report] = mece::read_csv<double>(options.input, {.lenient = options.lenient});
        data = std::move(loaded);
        info.input = options.input;
        info.rejected_rows = report.rejected;
        std::printf("input      %s: %zu rows loaded, %zu rejected\n", options.input.c_str(), report.rows, report.rejected);
        for (const auto& r : report.rejections) std::fprintf(stderr, "rejected: %s\n", r.message.c_str());
        if (report.rejected > report.rejections.size())
            std::fprintf(stderr, "rejected: ... and %zu more\n", report.rejected - report.rejections.size());
    } else {
        data = mece::generate<double>({.rows = options.synthetic, .seed = options.seed});
        info.input = "synthetic:" + std::to_string(options.synthetic) + ":" + std::to_string(options.seed);
        std::printf("input      synthetic dataset: %lld users, seed %llu\n", static_cast<long long>(data.rows()),
                    static_cast<unsigned long long>(options.seed));
    }

    mece::Config config{mece::presets::preset(options.preset), {}};
    if (!options.config.empty()) config = mece::read_config(options.config);
    if (!options.as_of.empty()) config.universe.as_of = mece::parse_date(options.as_of);
    if (options.window_days > 0) config.universe.window_days = options.window_days;

    const mece::Universe universe{data, config.universe};
    const mece::ResolvedRules rules = config.rules.resolve(data, universe);
    const mece::Assignment assignment = rules.assign(data, universe);
    const mece::MeceCheck check = mece::check_mece(rules, assignment, data, universe);

    std::printf("universe   %lld users abandoned a cart from %s to %s (%d days)\n", static_cast<long long>(universe.size()),
                mece::format_date(universe.first_day()).c_str(), mece::format_date(universe.as_of()).c_str(),
                universe.window_days());
    print_segments(rules, assignment, universe);
    print_checks(check);

    const mece::StrategyWriter writer{options.out};
    writer.write_strategy_json(rules, assignment, check, universe, info);
    writer.write_assignments(data, universe, rules, assignment);
    std::printf("\nwrote      %s/strategy.json, %s/assignments.csv\n", options.out.c_str(), options.out.c_str());
    if (!check.ok()) {
        std::fprintf(stderr, "mece-segment: error: the MECE checks failed; the outputs are written for inspection\n");
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Segments cart abandoners into MECE audience segments and writes the strategy.", "mece-segment"};
    Options options;
    auto* input = app.add_option("--input", options.input, "CSV file of cart abandoners")->check(CLI::ExistingFile);
    auto* synthetic = app.add_option("--synthetic", options.synthetic, "Use N synthetic users (default 100000)")
                          ->check(CLI::Range(Eigen::Index{0}, Eigen::Index{1} << 40));
    app.add_option("--seed", options.seed, "Seed of the synthetic dataset")->needs(synthetic)->default_val(42);
    input->excludes(synthetic);
    auto* preset = app.add_option("--preset", options.preset, "Rule preset: seed000, seed002, seed003, seed004")
                       ->check(CLI::IsMember({"seed000", "seed002", "seed003", "seed004"}))
                       ->default_val("seed004");
    app.add_option("--config", options.config, "JSON configuration (rules, thresholds, universe)")
        ->check(CLI::ExistingFile)
        ->excludes(preset);
    app.add_option("--as-of", options.as_of, "Last day of the window, YYYY-MM-DD (default: latest abandonment date)")
        ->check([](const std::string& text) {
            return mece::parse_date(text) ? std::string() : "expected a valid date YYYY-MM-DD, got \"" + text + "\"";
        });
    app.add_option("--window", options.window_days, "Window length in days (default 7)")->check(CLI::Range(1, 100000));
    app.add_option("--out", options.out, "Output directory")->default_val("mece-out");
    app.add_flag("--lenient", options.lenient, "Set bad rows aside instead of stopping at the first");
    app.add_flag("--no-constraints", options.no_constraints, "Do not apply the segment size constraints");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    try {
        return run(options);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "mece-segment: error: %s\n", e.what());
        return 1;
    }
}
