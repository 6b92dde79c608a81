// mece-simulate: a campaign's outcomes for a run of mece-segment on the synthetic
// dataset, from a planted lift per archetype (mece/simulate.hpp), so that the campaign
// loop can be tried end to end: segment -> simulate -> measure -> re-rank.
//
// Exit status: 0 on success, 1 on an input error, 2 on a usage error.

#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <mece/io/campaign.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/output.hpp>
#include <mece/io/text.hpp>
#include <mece/simulate.hpp>

#include "cli_options.hpp"

namespace {

struct Options {
    std::string run;
    std::string out = "outcomes.csv";
    std::string truth;
    std::uint64_t seed = 1;
    bool no_lift = false;
};

int run(const Options& options) {
    const std::filesystem::path directory = options.run;
    const std::string input = mece::read_run_input(directory / "strategy.json");
    const auto synthetic = mece::parse_synthetic_source(input);
    if (!synthetic)
        throw mece::InputError((directory / "strategy.json").string() + ": input: \"" + input +
                               "\" is not the synthetic dataset; mece-simulate plants lifts by the synthetic users' archetypes");
    const mece::Assignments assignments = mece::read_assignments(directory / "assignments.csv");
    std::vector<std::uint8_t> archetype;
    const auto data = mece::generate<double>(*synthetic, &archetype);
    mece::CampaignOptions campaign{.seed = options.seed};
    if (options.no_lift)
        for (auto& e : campaign.effects) e.lift = 0;
    const mece::Outcomes outcomes = mece::simulate_campaign(data, archetype, assignments, campaign);
    mece::write_outcomes(options.out, outcomes);
    std::printf("planted    ");
    for (std::size_t a = 0; a < mece::archetypes.size(); ++a)
        std::printf("%s%s %.1f%% %+.1f pp", a ? ", " : "", mece::archetypes[a].name, campaign.effects[a].baseline * 100,
                    campaign.effects[a].lift * 100);
    std::printf("\nwrote      %s: %zu converters of %zu users\n", options.out.c_str(), outcomes.rows.size(), assignments.users.size());
    if (!options.truth.empty()) {
        const std::vector<double> planted = mece::planted_lift(data, archetype, assignments, campaign);
        mece::write_file_atomically(options.truth, [&](std::ostream& out) {
            out << "segment_id,segment_name,planted_lift\n";
            for (std::size_t k = 0; k < planted.size(); ++k)
                out << k + 1 << ',' << mece::detail::csv_cell(assignments.names[k]) << ',' << mece::format_number(planted[k]) << '\n';
        });
        std::printf("           %s: the planted lift of each segment\n", options.truth.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Simulates a campaign's outcomes for a run on the synthetic dataset, from planted lifts.", "mece-simulate"};
    Options options;
    app.add_option("--run", options.run, "A run's output directory (strategy.json and assignments.csv, with holdout groups)")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--out", options.out, "The outcomes CSV to write (user_id,converted,revenue; converters only)")
        ->default_val("outcomes.csv");
    app.add_option("--truth", options.truth, "Also write each segment's planted lift to this CSV");
    app.add_option("--seed", options.seed, "Seed of the campaign's draws")
        ->default_val(1)
        ->check(mece::cli::whole_number(0, std::numeric_limits<long long>::max()));
    app.add_flag("--no-lift", options.no_lift, "Plant no lift at all (every campaign adds nothing)");
    if (const auto stop = mece::cli::parse(app, argc, argv)) return *stop;
    return mece::cli::report_errors("mece-simulate", [&] { return run(options); });
}
