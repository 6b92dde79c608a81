#pragma once
/// \file text.hpp
/// A strategy as text: the cells of CSV and Markdown files (`csv_cell`, `markdown_text`)
/// and `strategy_text`, the summary `mece-segment` prints (the constraint log, the
/// ranked table, each segment's rule and the MECE checks).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>

#include <mece/constraints.hpp>
#include <mece/holdout.hpp>
#include <mece/ranked.hpp>
#include <mece/strategy.hpp>
#include <mece/validation.hpp>

namespace mece {

namespace detail {

/// A CSV cell: quoted when it holds a comma, quote or line break, and prefixed with `'`
/// when it starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR) or with `'`
/// itself, so the escaping can be undone (drop one leading `'`) and two names never
/// become one cell: `=VIP` is `'=VIP`, `'=VIP` is `''=VIP`.
inline std::string csv_cell(std::string_view text) {
    std::string cell;
    if (!text.empty() && std::string_view("=+-@\t\r'").find(text.front()) != std::string_view::npos) cell = "'";
    cell += text;
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

/// Text for a Markdown table cell or list item: characters that would start markup
/// escaped (`_` inside a word starts none), line breaks flattened.
inline std::string markdown_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|' || c == '\\' || c == '*' || c == '`' || c == '<' || c == '[') out += '\\';
        out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out;
}

/// `12.3%`.
inline std::string percent_text(double share) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", share * 100.0);
    return text;
}

/// `0.734`.
inline std::string score_text(double score) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", score);
    return text;
}

/// A figure in `strategy.csv`: a count in digits, a number in shortest round-trip form,
/// text as a cell; nothing for none or NaN.
inline std::string figure_csv(const Figure& figure) {
    if (const auto* count = std::get_if<std::int64_t>(&figure)) return std::to_string(*count);
    if (const auto* number = std::get_if<double>(&figure)) return std::isfinite(*number) ? format_number(*number) : "";
    if (const auto* text = std::get_if<std::string>(&figure)) return csv_cell(*text);
    return "";
}

/// A figure for people: a count in digits, a rate in percentage points (`1.23 pp`),
/// `n/a` for a number that cannot be computed.
inline std::string figure_text(const Figure& figure, FigureColumn::Kind kind) {
    if (const auto* count = std::get_if<std::int64_t>(&figure)) return std::to_string(*count);
    if (const auto* number = std::get_if<double>(&figure)) {
        if (!std::isfinite(*number)) return "n/a";
        char text[32];
        if (kind == FigureColumn::Kind::rate) std::snprintf(text, sizeof text, "%.2f pp", *number * 100.0);
        else if (kind == FigureColumn::Kind::count) std::snprintf(text, sizeof text, "%.0f", *number);
        else std::snprintf(text, sizeof text, "%.3f", *number);
        return text;
    }
    if (const auto* text = std::get_if<std::string>(&figure)) return *text;
    return "";
}

}  // namespace detail

/// The holdout in a sentence: `10% of each segment held out as control (salt "mece"),
/// after 5% of all users in a global control group (salt "mece-global")`.
inline std::string holdout_text(const HoldoutOptions& holdout) {
    std::string text;
    if (holdout.global_share > 0)
        text += detail::percent_text(holdout.global_share) + " of all users in a global control group (salt \"" +
                holdout.global_salt + "\")";
    if (holdout.share > 0)
        text += std::string(text.empty() ? "" : ", then ") + detail::percent_text(holdout.share) +
                " of each segment held out as control (salt \"" + holdout.salt + "\")";
    return text.empty() ? "none" : text;
}

/// The summary of a strategy for a terminal: the size bounds and the constraint log,
/// the segments by rank (size, share, each dimension's score, overall score, tier,
/// validity), each segment's rule, and the MECE checks.
inline std::string strategy_text(const Strategy& s) {
    const RankedSegments rows(s);
    std::string t;
    const auto add = [&t](const char* format, auto... values) {
        char line[512];
        const int length = std::snprintf(line, sizeof line, format, values...);
        t.append(line, std::size_t(std::clamp(length, 0, int(sizeof line) - 1)));
    };
    const Solution& solution = s.solution;
    add("\nConstraints: segment sizes %lld to %lld", static_cast<long long>(solution.options.min_size),
        static_cast<long long>(solution.options.max_size));
    if (!s.run.constraints_applied) {
        t += ", not applied (validity is still reported)\n";
    } else {
        add(", %zu action%s\n", solution.log.size(), solution.log.size() == 1 ? "" : "s");
        for (const ConstraintEvent& e : solution.log) {
            t += "  ";
            add("%-8s ", std::string(to_string(e.action)).c_str());
            t += e.segment;
            add(" (%lld users): ", static_cast<long long>(e.size));
            t += e.reason;
            if (!e.users.empty() && e.action != ConstraintEvent::Action::drop) {
                t += e.action == ConstraintEvent::Action::split ? "\n           parts:" : "\n           users to:";
                for (std::size_t i = 0; i < e.users.size(); ++i) {
                    t += (i ? ", " : " ") + e.users[i].first;
                    add(" (%lld)", static_cast<long long>(e.users[i].second));
                }
            }
            t += "\n";
        }
    }

    std::size_t name_width = 7, tier_width = 4;
    for (const RankedSegment& row : rows) {
        name_width = std::max(name_width, row.name().size());
        tier_width = std::max(tier_width, row.tier().size());
    }
    const auto padded = [](const std::string& text, std::size_t width) {
        return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
    };
    add("\n%4s  ", "rank");
    t += padded("segment", name_width);
    add("  %9s  %6s", "size", "share");
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k)
        add("  %9s", (dimension_label(s.scores.dimensions[k]) + (s.scores.estimated[k] ? "*" : "")).c_str());
    add("  %7s", "overall");
    const std::vector<std::size_t> figures = rows.people_figures();
    std::vector<int> widths;  // each figure's column: its widest value, at least 9
    for (std::size_t k : figures) {
        std::size_t width = std::max<std::size_t>(9, rows.figure_columns()[k].label.size());
        for (const RankedSegment& row : rows) width = std::max(width, detail::figure_text(row.figures[k], rows.figure_columns()[k].kind).size());
        widths.push_back(int(width));
    }
    for (std::size_t i = 0; i < figures.size(); ++i) add("  %*s", widths[i], rows.figure_columns()[figures[i]].label.c_str());
    t += "  " + padded("tier", tier_width) + "  valid\n";
    for (const RankedSegment& row : rows) {
        add("%4d  ", row.rank);
        t += padded(row.name(), name_width);
        add("  %9lld  %6s", static_cast<long long>(row.size), detail::percent_text(row.share).c_str());
        for (double v : row.score->scores) add("  %9.3f", v);
        add("  %7.3f", row.score->overall);
        for (std::size_t i = 0; i < figures.size(); ++i)
            add("  %*s", widths[i], detail::figure_text(row.figures[figures[i]], rows.figure_columns()[figures[i]].kind).c_str());
        t += "  " + padded(row.tier(), tier_width) + "  " + (row.valid() ? "yes" : "NO: " + row.invalid_reason()) + "\n";
    }
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k)
        if (s.scores.estimated[k]) t += "* " + s.scores.dimensions[k] + ": " + s.scores.descriptions[k] + "\n";
    if (s.holdout) t += "Holdout: " + holdout_text(s.holdout->options) + "\n";
    if (s.lift) t += "Lift: measured in " + s.lift->source + "\n";
    for (std::size_t k : figures) t += "  " + rows.figure_columns()[k].label + ": " + rows.figure_columns()[k].description + "\n";
    t += "\nRules applied (by rank)\n";
    for (const RankedSegment& row : rows) {
        add("%4d  ", row.rank);
        t += row.name() + ": " + row.rules_applied + "\n";
    }

    const MeceCheck& check = s.check;
    const auto mark = [](bool ok) { return ok ? "pass" : "FAIL"; };
    t += "\nMECE checks\n";
    add("  count     %s  sum of segment sizes %lld, universe %lld\n", mark(check.count_ok()),
        static_cast<long long>(check.assigned_total), static_cast<long long>(check.universe_size));
    add("  overlap   %s  %lld users match more than one segment rule\n", mark(check.overlap_ok()),
        static_cast<long long>(check.overlapping));
    add("  coverage  %s  %lld users match no segment rule\n", mark(check.coverage_ok()),
        static_cast<long long>(check.uncovered));
    add("  rules     %s  %lld users outside the rule of their segment\n", mark(check.membership_ok()),
        static_cast<long long>(check.misassigned));
    return t;
}

}  // namespace mece
