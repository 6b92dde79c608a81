#pragma once
// Option checks shared by the command-line tools.

#include <charconv>
#include <cstdio>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

#include <mece/error.hpp>

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

/// `run()`'s exit status; an exception it throws is printed on stderr as
/// `TOOL: error: MESSAGE` (after what stdout holds) and is exit status 1.
inline int report_errors(const char* tool, const std::function<int()>& run) {
    try {
        return run();
    } catch (const std::bad_alloc&) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s: error: out of memory (the data or the outputs do not fit in this machine's memory)\n", tool);
        return 1;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
        return 1;
    }
}

}  // namespace mece::cli
