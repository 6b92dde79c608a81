// mece-generate: writes the synthetic dataset as CSV, so other tools can read the same data.

#include <limits>
#include <string>

#include <CLI/CLI.hpp>

#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/output.hpp>

#include "cli_options.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Writes the synthetic cart-abandoner dataset as CSV.", "mece-generate"};
    mece::SyntheticOptions options;
    std::string as_of = mece::format_date(options.as_of);
    std::string out;
    app.add_option("--rows", options.rows, "Number of users")->default_val(options.rows)->check(mece::cli::whole_number(0, 1LL << 40));
    app.add_option("--seed", options.seed, "Seed")
        ->default_val(options.seed)
        ->check(mece::cli::whole_number(0, std::numeric_limits<long long>::max()));
    app.add_option("--as-of", as_of, "Last abandonment date, YYYY-MM-DD")->default_val(as_of);
    app.add_option("--history-days", options.history_days, "Days of abandonment dates")
        ->default_val(options.history_days)
        ->check(mece::cli::whole_number(1, 100000));
    app.add_option("--out", out, "CSV file to write")->required();
    CLI11_PARSE(app, argc, argv);
    return mece::cli::report_errors("mece-generate", [&] {
        const auto date = mece::parse_date(as_of);
        if (!date) throw mece::ConfigError("--as-of: expected a valid date YYYY-MM-DD, got \"" + as_of + "\"");
        options.as_of = *date;
        const auto data = mece::generate<double>(options);
        // Written atomically: a full disk leaves no truncated file for a later run to read.
        mece::write_file_atomically(out, [&](std::ostream& file) { mece::write_csv(data, file); });
        return 0;
    });
}
