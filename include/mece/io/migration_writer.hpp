#pragma once
/// \file io/migration_writer.hpp
/// Writes a `Migration` (SPEC section 8.5) into a directory: `delta.csv`
/// (`user_id,old_segment,new_segment,change`, the users whose segment changed, by user
/// id), `migration.csv` (the transition matrix), `migration.json` (the matrix and each
/// segment's stayed, entered and left) and `migration.svg` (the matrix as a heatmap);
/// and `migration_text`, the summary a terminal shows.

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/io/output.hpp>
#include <mece/io/text.hpp>
#include <mece/migration.hpp>
#include <mece/plot/matrix.hpp>

namespace mece {

/// What the matrix calls a user outside a run's universe.
inline constexpr std::string_view not_in_universe = "(not in universe)";

/// Writes the files of a migration; with an `OutputBatch` they appear together or not at all.
class MigrationWriter {
public:
    explicit MigrationWriter(OutputBatch& batch) : batch_(&batch) {}

    /// `old_run` and `new_run` name the two runs in `migration.json`.
    void write(const Migration& m, const std::string& old_run, const std::string& new_run) const {
        const std::filesystem::path dir = batch_->directory();
        detail::emit(batch_, dir / "delta.csv", [&](std::ostream& out) { write_delta(m, out); });
        detail::emit(batch_, dir / "migration.csv", [&](std::ostream& out) {
            out << "old_segment";
            for (int column : m.new_columns) out << ',' << detail::csv_cell(m.names[std::size_t(column)]);
            out << ',' << not_in_universe << '\n';
            for (std::size_t i = 0; i <= m.old_rows.size(); ++i) {
                out << (i < m.old_rows.size() ? detail::csv_cell(m.names[std::size_t(m.old_rows[i])]) : std::string(not_in_universe));
                for (std::size_t j = 0; j < m.columns(); ++j) out << ',' << m.at(i, j);
                out << '\n';
            }
        });
        detail::emit(batch_, dir / "migration.json", [&](std::ostream& out) { out << json(m, old_run, new_run).dump(2) << '\n'; });
        detail::emit(batch_, dir / "migration.svg", [&](std::ostream& out) { out << chart(m); });
    }

    /// `migration.json`: schema 1, see `docs/migration.md`.
    static nlohmann::ordered_json json(const Migration& m, const std::string& old_run, const std::string& new_run) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array(), columns = nlohmann::ordered_json::array(),
                               matrix = nlohmann::ordered_json::array(), segments = nlohmann::ordered_json::array();
        for (int r : m.old_rows) rows.push_back(m.names[std::size_t(r)]);
        rows.push_back(not_in_universe);
        for (int c : m.new_columns) columns.push_back(m.names[std::size_t(c)]);
        columns.push_back(not_in_universe);
        for (std::size_t i = 0; i <= m.old_rows.size(); ++i) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (std::size_t j = 0; j < m.columns(); ++j) row.push_back(m.at(i, j));
            matrix.push_back(std::move(row));
        }
        for (const SegmentMigration& s : m.segments)
            segments.push_back({{"name", s.name}, {"old_size", s.old_size}, {"new_size", s.new_size}, {"stayed", s.stayed},
                                {"entered", s.entered}, {"left", s.left}});
        return {{"schema_version", 1},
                {"old_run", old_run},
                {"new_run", new_run},
                {"old_users", m.old_users},
                {"new_users", m.new_users},
                {"shared_users", m.shared_users},
                {"stayed", m.stayed()},
                {"moved", m.moved},
                {"entered", m.entered},
                {"left", m.left},
                {"delta_rows", m.delta.size()},
                {"rows", std::move(rows)},
                {"columns", std::move(columns)},
                {"matrix", std::move(matrix)},
                {"segments", std::move(segments)}};
    }

    /// The matrix as a heatmap: each cell shaded by its share of the old segment's users.
    static std::string chart(const Migration& m) {
        plot::MatrixChart c{.title = "Migration between runs",
                            .subtitle = plot::count_text(m.old_users) + " users before, " + plot::count_text(m.new_users) +
                                        " after, " + plot::count_text(m.shared_users) + " in both; shade: share of the row's users",
                            .description = "A heatmap of users by segment in the old run (rows) and the new run (columns).",
                            .row_axis = "old segment",
                            .column_axis = "new segment, by number"};
        for (int r : m.old_rows) c.rows.push_back(m.names[std::size_t(r)]);
        c.rows.emplace_back(not_in_universe);
        for (int col : m.new_columns) c.columns.push_back(m.names[std::size_t(col)]);
        c.columns.emplace_back(not_in_universe);
        for (std::size_t i = 0; i <= m.old_rows.size(); ++i) {
            std::int64_t total = 0;
            for (std::size_t j = 0; j < m.columns(); ++j) total += m.at(i, j);
            for (std::size_t j = 0; j < m.columns(); ++j) {
                c.counts.push_back(m.at(i, j));
                c.shares.push_back(total > 0 ? double(m.at(i, j)) / double(total) : 0.0);
            }
        }
        return plot::matrix_chart(c);
    }

    /// The summary: the users of each run, how many stayed, moved, entered and left, and
    /// per segment its sizes and flows.
    static std::string migration_text(const Migration& m) {
        std::string t;
        char line[512];
        std::snprintf(line, sizeof line, "users      %lld before, %lld after, %lld in both\n", static_cast<long long>(m.old_users),
                      static_cast<long long>(m.new_users), static_cast<long long>(m.shared_users));
        t += line;
        std::snprintf(line, sizeof line, "changes    %lld stayed, %lld moved, %lld entered, %lld left: %zu rows to sync\n\n",
                      static_cast<long long>(m.stayed()), static_cast<long long>(m.moved), static_cast<long long>(m.entered),
                      static_cast<long long>(m.left), m.delta.size());
        t += line;
        int width = 7;
        for (const SegmentMigration& s : m.segments) width = std::max(width, int(s.name.size()));
        std::snprintf(line, sizeof line, "  %-*s %10s %10s %10s %10s %10s\n", width, "segment", "before", "after", "stayed", "entered", "left");
        t += line;
        for (const SegmentMigration& s : m.segments) {
            std::snprintf(line, sizeof line, "  %-*s %10lld %10lld %10lld %10lld %10lld\n", width, s.name.c_str(),
                          static_cast<long long>(s.old_size), static_cast<long long>(s.new_size), static_cast<long long>(s.stayed),
                          static_cast<long long>(s.entered), static_cast<long long>(s.left));
            t += line;
        }
        return t;
    }

private:
    static void write_delta(const Migration& m, std::ostream& out) {
        out << "user_id,old_segment,new_segment,change\n";
        std::vector<std::string> cells;
        for (const std::string& name : m.names) cells.push_back(detail::csv_cell(name));
        std::string buffer;
        buffer.reserve(std::size_t{1} << 20);
        for (const DeltaRow& d : m.delta) {
            char digits[24];
            buffer.append(digits, std::to_chars(digits, digits + sizeof digits, d.user_id).ptr);
            buffer += ',';
            if (d.old_segment >= 0) buffer += cells[std::size_t(d.old_segment)];
            buffer += ',';
            if (d.new_segment >= 0) buffer += cells[std::size_t(d.new_segment)];
            buffer += ',';
            buffer += to_string(d.change);
            buffer += '\n';
            if (buffer.size() > (std::size_t{1} << 20) - 1024) {
                out.write(buffer.data(), std::streamsize(buffer.size()));
                buffer.clear();
            }
        }
        out.write(buffer.data(), std::streamsize(buffer.size()));
    }

    OutputBatch* batch_;
};

}  // namespace mece
