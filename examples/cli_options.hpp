#pragma once
// Option checks shared by the command-line tools.

#include <charconv>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <new>
#include <sstream>
#include <string>
#include <system_error>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/io/csv.hpp>

namespace mece::cli {

/// A check that an option is a whole number from `low` to `high`, said as such (CLI11's
/// own says "not in range" for `1e3` and wraps `-1` into 18446744073709551615).
inline CLI::Validator whole_number(long long low, long long high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            long long value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < low || value > high)
                return "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", got \"" +
                       mece::detail::shown_text(text) + "\"";
            return {};
        },
        "INT in [" + std::to_string(low) + " - " + std::to_string(high) + "]");
}

/// A check that an option is a number from `low` to `high` (decimal, finite).
inline CLI::Validator number_in(double low, double high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            double value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !(value >= low && value <= high))
                return "expected a number from " + mece::format_number(low) + " to " + mece::format_number(high) + ", got \"" +
                       mece::detail::shown_text(text) + "\"";
            return {};
        },
        "NUMBER in [" + mece::format_number(low) + " - " + mece::format_number(high) + "]");
}

/// A progress line on stderr while a large file loads, only when stderr is a terminal.
inline std::function<void(std::uintmax_t, std::uintmax_t)> progress_line(const std::string& name) {
    if (!isatty(STDERR_FILENO)) return {};
    return [name, last = -1](std::uintmax_t done, std::uintmax_t total) mutable {
        if (total < (std::uintmax_t{64} << 20)) return;  // small files load before anyone reads a line
        const int percent_done = int(std::min<std::uintmax_t>(100, done * 100 / total));
        if (percent_done == last) return;
        last = percent_done;
        std::fprintf(stderr, "\rreading %s: %3d%% (%ju of %ju MB)%s", name.c_str(), percent_done, done >> 20, total >> 20,
                     done >= total ? "\n" : "");
        std::fflush(stderr);
    };
}

/// Prints what a load of `path` did: `input  PATH: N rows loaded, R rejected` on
/// stdout and, in lenient mode, each row set aside on stderr.
inline void print_load(const std::string& path, const LoadReport& report) {
    std::printf("input      %s: %zu rows loaded, %zu rejected\n", path.c_str(), report.rows, report.rejected);
    for (const auto& r : report.rejections) std::fprintf(stderr, "rejected: %s\n", r.message.c_str());
    if (report.rejected > report.rejections.size())
        std::fprintf(stderr, "rejected: ... and %zu more\n", report.rejected - report.rejections.size());
}

/// The CSV file at `path`, read on `threads` threads, its load printed (`print_load`).
inline CsvLoad<double> read_input(const std::string& path, bool lenient, unsigned threads) {
    auto load = read_csv<double>(path, {.lenient = lenient, .progress = progress_line(path), .threads = threads});
    print_load(path, load.report);
    return load;
}

/// Wall-clock seconds of each stage, for `--timings`.
class Stopwatch {
public:
    double lap() {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        return seconds;
    }

private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/// A check that an option is a date `YYYY-MM-DD` that exists.
inline CLI::Validator date() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return parse_date(text) ? std::string() : "expected a valid date YYYY-MM-DD, got \"" + detail::shown_text(text) + "\"";
        },
        "DATE");
}

/// Parses the command line, then runs `check` (a tool's checks across options, which
/// throw `CLI::ParseError`). Returns the exit status when the tool should stop here: 0
/// after `--help`, 2 with the usage error printed; none to go on.
/// With `quiet` nothing is printed (the other ranks of an MPI tool, where rank 0 speaks).
inline std::optional<int> parse(CLI::App& app, int argc, char** argv, const std::function<void()>& check = {}, bool quiet = false) {
    std::ostringstream silent;
    try {
        app.parse(argc, argv);
        if (check) check();
    } catch (const CLI::Success& e) {
        return quiet ? app.exit(e, silent, silent) : app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (quiet) app.exit(e, silent, silent);
        else app.exit(e);
        return 2;
    }
    return std::nullopt;
}

/// `--input FILE`, or `--synthetic N` with `--seed S`: where a tool's users come from.
template <class Count>
void add_data_options(CLI::App& app, std::string& input, Count& synthetic, std::uint64_t& seed, const std::string& input_help,
                      const std::string& synthetic_help) {
    auto* file = app.add_option("--input", input, input_help)->check(CLI::ExistingFile);
    auto* rows = app.add_option("--synthetic", synthetic, synthetic_help)->check(whole_number(0, 1LL << 40));
    app.add_option("--seed", seed, "Seed of the synthetic dataset")
        ->needs(rows)
        ->default_val(42)
        ->check(whole_number(0, std::numeric_limits<long long>::max()));
    file->excludes(rows);
}

/// `run()`'s exit status; an exception it throws is printed on stderr as
/// `TOOL: error: MESSAGE` (after what stdout holds) and is exit status 1.
/// With `quiet` the error is not printed (the other ranks of an MPI tool).
inline int report_errors(const char* tool, const std::function<int()>& run, bool quiet = false) {
    try {
        return run();
    } catch (const std::bad_alloc&) {
        std::fflush(stdout);
        if (!quiet) std::fprintf(stderr, "%s: error: out of memory (the data or the outputs do not fit in this machine's memory)\n", tool);
        return 1;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        if (!quiet) std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
        return 1;
    }
}

}  // namespace mece::cli
