#pragma once
/// \file strategy_writer.hpp
/// `StrategyWriter`: writes a run's results, `strategy.json` (the segments, their exact
/// rules, thresholds and checks) and `assignments.csv` (one row per universe user, what
/// a CRM imports). Every file is written to a temporary name and renamed into place, so
/// a crash never leaves half a file where a whole one was.

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/io/json.hpp>
#include <mece/rule_tree.hpp>
#include <mece/universe.hpp>
#include <mece/validation.hpp>
#include <mece/version.hpp>

namespace mece {

/// Version of the `strategy.json` layout; see `docs/strategy-json.md`.
inline constexpr int strategy_schema_version = 1;

/// Facts about a run that the components do not hold.
struct RunInfo {
    /// Where the data came from: a file name, or `synthetic:N:seed`.
    std::string input;
    /// Rows set aside while loading.
    std::size_t rejected_rows = 0;
};

namespace detail {

/// Writes `path` through `write`, atomically: a sibling temporary file, then a rename.
inline void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    std::filesystem::path temporary = path;
    temporary += ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) raise<Error>(temporary.string() + ": cannot open for writing");
        write(out);
        out.flush();
        if (!out) raise<Error>(temporary.string() + ": write failed");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) raise<Error>(path.string() + ": cannot move the finished file into place: " + error.message());
}

/// A CSV cell: quoted when it holds a comma, quote or line break, and prefixed with `'`
/// when it starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR).
inline std::string csv_cell(std::string_view text) {
    std::string cell;
    if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) cell = "'";
    cell += text;
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace detail

/// Writes a run's output files into one directory.
///
/// \code
/// mece::StrategyWriter writer{"mece-out"};
/// writer.write_strategy_json(resolved, assignment, check, universe, {.input = "carts.csv"});
/// writer.write_assignments(data, universe, resolved, assignment);
/// \endcode
class StrategyWriter {
public:
    /// Creates `directory` if needed.
    explicit StrategyWriter(std::filesystem::path directory) : directory_(std::move(directory)) {
        std::error_code error;
        std::filesystem::create_directories(directory_, error);
        if (error || !std::filesystem::is_directory(directory_))
            detail::raise<Error>(directory_.string() + ": cannot create the output directory" +
                                 (error ? ": " + error.message() : std::string()));
    }

    const std::filesystem::path& directory() const noexcept { return directory_; }

    /// The strategy as JSON: run metadata, thresholds, MECE checks and the segments.
    static nlohmann::ordered_json strategy_json(const ResolvedRules& rules, const Assignment& assignment, const MeceCheck& check,
                                        const Universe& universe, const RunInfo& run) {
        nlohmann::ordered_json segments = nlohmann::ordered_json::array();
        for (const SegmentDefinition& s : rules.segments()) {
            const auto size = assignment.sizes.at(std::size_t(s.id - 1));
            segments.push_back(nlohmann::ordered_json{{"id", s.id},
                                {"name", s.name},
                                {"parents", s.parents},
                                {"catch_all", s.catch_all},
                                {"size", size},
                                {"share", universe.size() ? double(size) / double(universe.size()) : 0.0},
                                {"rules_applied", s.rules_applied()},
                                {"rule", s.rule}});
        }
        return nlohmann::ordered_json{{"schema_version", strategy_schema_version},
                {"library_version", version},
                {"input", run.input},
                {"as_of", format_date(universe.as_of())},
                {"window_days", universe.window_days()},
                {"window_first_day", format_date(universe.first_day())},
                {"universe_size", universe.size()},
                {"rejected_rows", run.rejected_rows},
                {"thresholds", rules.thresholds()},
                {"mece", check},
                {"segments", std::move(segments)}};
    }

    /// Writes `strategy.json`.
    void write_strategy_json(const ResolvedRules& rules, const Assignment& assignment, const MeceCheck& check,
                             const Universe& universe, const RunInfo& run) const {
        const std::string text = strategy_json(rules, assignment, check, universe, run).dump(2) + "\n";
        detail::write_atomically(directory_ / "strategy.json", [&](std::ostream& out) { out << text; });
    }

    /// Writes `assignments.csv`: `user_id,segment_id,segment_name`, one row per universe
    /// user, in universe order.
    template <class Scalar>
    void write_assignments(const Dataset<Scalar>& data, const Universe& universe, const ResolvedRules& rules,
                           const Assignment& assignment) const {
        if (assignment.segment_ids.size() != universe.size())
            detail::raise<Error>("assignments: the assignment has " + std::to_string(assignment.segment_ids.size()) +
                                 " users, the universe " + std::to_string(universe.size()));
        std::vector<std::string> suffix;  // ",id,name\n" per segment
        for (const SegmentDefinition& s : rules.segments())
            suffix.push_back("," + std::to_string(s.id) + "," + detail::csv_cell(s.name) + "\n");
        detail::write_atomically(directory_ / "assignments.csv", [&](std::ostream& out) {
            out << "user_id,segment_id,segment_name\n";
            std::string buffer;
            buffer.reserve(std::size_t{1} << 20);
            const auto ids = data.user_id();
            for (Eigen::Index i = 0; i < universe.size(); ++i) {
                char digits[24];
                const auto end = std::to_chars(digits, digits + sizeof digits, ids[universe.rows()[i]]).ptr;
                buffer.append(digits, end);
                buffer += suffix.at(std::size_t(assignment.segment_ids[i] - 1));
                if (buffer.size() > (std::size_t{1} << 20) - 512) {
                    out.write(buffer.data(), std::streamsize(buffer.size()));
                    buffer.clear();
                }
            }
            out.write(buffer.data(), std::streamsize(buffer.size()));
        });
    }

private:
    std::filesystem::path directory_;
};

}  // namespace mece
