#pragma once
/// \file report.hpp
/// `ReportWriter`: the strategy as pictures. Writes the four charts of `mece/plot.hpp`
/// (`scores.svg`, `bubbles.svg`, `tree.svg`, `sizes.svg`) and `report.html`, one
/// self-contained page: run metadata, thresholds, the ranked strategy table (click a
/// column header to sort), the charts, each segment's rule and action, the MECE checks,
/// the constraint log and the scoring. The page loads nothing: its styles, charts and
/// the few lines of script that sort the table are inline, and its content security
/// policy forbids every fetch. Not part of the umbrella `mece/mece.hpp`.
///
/// \code
/// const mece::Strategy strategy{solution, scores, stats, check, universe, {.input = "carts.csv"}};
/// mece::StrategyWriter{"mece-out"}.write(strategy);
/// mece::ReportWriter{"mece-out"}.write(strategy);
/// \endcode

#include <array>
#include <cmath>
#include <cstdint>
#include <variant>
#include <filesystem>
#include <string>
#include <string_view>

#include <mece/detail/compiled.hpp>
#include <mece/error.hpp>
#include <mece/plot.hpp>
#include <mece/plot/matrix.hpp>
#include <mece/ranked.hpp>
#include <mece/io/output.hpp>
#include <mece/io/text.hpp>
#include <mece/strategy.hpp>
#include <mece/version.hpp>

namespace mece {

namespace detail {

/// The page's style sheet.
inline constexpr std::string_view report_css = R"css(
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5f6368; --line: #d9d9d9; --band: #f4f6f8; --bad: #b03a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
p.lead { color: var(--muted); margin: 0 0 16px; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 16px; margin: 0; }
dl.meta div { background: var(--band); border-radius: 6px; padding: 8px 10px; }
dl.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
dl.meta dd { margin: 2px 0 0; font-weight: bold; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { background: var(--band); position: sticky; top: 0; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th::after { content: ' \2195'; color: #aaa; font-weight: normal; }
table.sortable thead th[aria-sort=ascending]::after { content: ' \2191'; color: var(--ink); }
table.sortable thead th[aria-sort=descending]::after { content: ' \2193'; color: var(--ink); }
tbody tr:nth-child(even) { background: #fafafa; }
.scroll { overflow-x: auto; }
.tier { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; white-space: nowrap; }
.ok { color: #00704f; font-weight: bold; }
.bad { color: var(--bad); font-weight: bold; }
figure { margin: 0 0 24px; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
td.name { min-width: 16em; }
td.name b { display: block; }
td.name span { color: var(--muted); font-size: 12px; }
.segment { border: 1px solid var(--line); border-left: 6px solid var(--tier); border-radius: 6px; padding: 10px 12px; margin: 0 0 10px; }
.segment code { display: block; white-space: pre-wrap; overflow-wrap: anywhere; background: var(--band); padding: 6px 8px; border-radius: 4px; font-size: 12px; margin: 6px 0; }
.segment .facts { color: var(--muted); font-size: 12px; }
ul.log li { margin: 0 0 4px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
)css";

/// Sorts a `table.sortable` by the clicked column: numbers by their `data-value`,
/// text by locale. Written without `<` and `&`, so the page is also well-formed XML.
inline constexpr std::string_view report_script = R"js(//<![CDATA[
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, column) {
    th.tabIndex = 0;
    var sort = function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var order = x.hasAttribute('data-value')
          ? Number(x.getAttribute('data-value')) - Number(y.getAttribute('data-value'))
          : x.textContent.localeCompare(y.textContent);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(); }
    });
  });
});
//]]>)js";

/// An SVG document as an inline element of the page: without its XML namespace
/// declaration, which HTML implies.
inline std::string inline_svg(std::string document) {
    constexpr std::string_view declaration = " xmlns=\"http://www.w3.org/2000/svg\"";
    if (const auto at = document.find(declaration); at != std::string::npos) document.erase(at, declaration.size());
    return document;
}

}  // namespace detail

/// Writes the charts and `report.html` of a run into one directory, each file
/// atomically (temporary name, then rename).
class ReportWriter {
public:
    /// The files `write` produces, in order.
    static constexpr std::array<std::string_view, 5> files = {"scores.svg", "bubbles.svg", "tree.svg", "sizes.svg",
                                                              "report.html"};

    /// Creates `directory` if needed. With `batch`, files are staged in it and appear
    /// when it commits; without, each file appears (atomically) as it is written.
    explicit ReportWriter(std::filesystem::path directory, OutputBatch* batch = nullptr)
        : directory_(std::move(directory)), batch_(batch) {
        if (batch_ && batch_->directory().lexically_normal() != directory_.lexically_normal())
            detail::raise<Error>(directory_.string() + ": not the directory of the output batch, " + batch_->directory().string());
        detail::create_output_directory(directory_);
    }
    /// Stages every file in `batch`, in its directory.
    explicit ReportWriter(OutputBatch& batch) : ReportWriter(batch.directory(), &batch) {}

    const std::filesystem::path& directory() const noexcept { return directory_; }

    /// Writes the four charts and `report.html`.
    void write(const Strategy& s) const;

    /// The page, with the charts drawn for it.
    static std::string html(const Strategy& s);

    /// The four charts, in the order of `files`.
    static std::array<std::string, 4> draw_charts(const Strategy& s);

    /// The page around charts already drawn: scores, bubbles, tree, sizes.
    static std::string html(const Strategy& s, const std::array<std::string, 4>& charts);

private:
    std::filesystem::path directory_;
    OutputBatch* batch_ = nullptr;
};

#if MECE_HEADER_DEFINITIONS

MECE_INLINE void ReportWriter::write(const Strategy& s) const {
    const std::array<std::string, 4> charts = draw_charts(s);
    for (std::size_t i = 0; i < charts.size(); ++i)
        detail::emit(batch_, directory_ / files[i], [&](std::ostream& out) { out << charts[i]; });
    const std::string page = html(s, charts);
    detail::emit(batch_, directory_ / files[4], [&](std::ostream& out) { out << page; });
}

MECE_INLINE std::string ReportWriter::html(const Strategy& s) {
    return html(s, draw_charts(s));
}

MECE_INLINE std::array<std::string, 4> ReportWriter::draw_charts(const Strategy& s) {
    return {plot::scores_chart(s), plot::bubbles_chart(s), plot::tree_chart(s), plot::sizes_chart(s)};
}

MECE_INLINE std::string ReportWriter::html(const Strategy& s, const std::array<std::string, 4>& charts) {
    using plot::count_text;
    using plot::number_text;
    const auto e = plot::xml_escape;
    const RankedSegments rows(s);
    const ConstraintOptions& bounds = s.solution.options;
    const auto tier_chip = [&](int id) {
        const std::string_view colour = plot::detail::colour_of(s.scores, id);
        return "<span class=\"tier\" style=\"background:" + std::string(colour) +
               (plot::light_colour(colour) ? ";color:#000" : "") + "\">" +
               e(s.scores.of(id).tier) + "</span>";
    };
    const auto check_cell = [&](bool ok) {
        return ok ? std::string("<span class=\"ok\">pass</span>") : std::string("<span class=\"bad\">FAIL</span>");
    };

    std::string t;
    t.reserve(1 << 16);
    t += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
         "<meta name=\"generator\" content=\"mece " + std::string(version) + "\"/>\n";
    t += "<title>Cart abandoner strategy, " + format_date(s.universe.as_of()) + "</title>\n<style>";
    t += detail::report_css;
    t += "</style>\n</head>\n<body>\n<main>\n<h1>Cart abandoner strategy</h1>\n";
    t += "<p class=\"lead\">" + std::to_string(rows.size()) + " segments for the " + count_text(s.universe.size()) +
         " users who abandoned a cart from " + format_date(s.universe.first_day()) + " to " +
         format_date(s.universe.as_of()) + "; every user is in exactly one segment.</p>\n";
    if (!s.run.warnings.empty()) {
        t += "<ul class=\"warnings\">\n";
        for (const auto& w : s.run.warnings) t += "<li><span class=\"bad\">warning</span> " + e(w) + "</li>\n";
        t += "</ul>\n";
    }

    const auto fact = [&](std::string_view name, const std::string& value_html) {
        t += "<div><dt>" + e(name) + "</dt><dd>" + value_html + "</dd></div>\n";
    };
    t += "<section id=\"run\">\n<h2>Run</h2>\n<dl class=\"meta\">\n";
    fact("input", e(s.run.input.empty() ? "(not given)" : s.run.input));
    fact("as of", format_date(s.universe.as_of()));
    fact("window", std::to_string(s.universe.window_days()) + " days, from " + format_date(s.universe.first_day()));
    fact("universe", count_text(s.universe.size()) + " users");
    fact("rejected input rows", count_text(std::int64_t(s.run.rejected_rows)));
    fact("segment size bounds", count_text(bounds.min_size) + " to " + count_text(bounds.max_size) +
                                    (s.run.constraints_applied ? "" : " (not applied)"));
    fact("constraint actions", std::to_string(s.solution.log.size()));
    if (s.holdout) fact("holdout", e(holdout_text(s.holdout->options)));
    if (s.lift) fact("measured lift", e(s.lift->source));
    fact("MECE checks", s.check.ok() ? "<span class=\"ok\">all pass</span>" : "<span class=\"bad\">FAILED</span>");
    fact("library", "mece " + std::string(version));
    t += "</dl>\n";
    t += "<h3 style=\"margin-top:16px\">Thresholds</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>feature</th>"
         "<th>threshold</th><th class=\"num\">quantile value</th><th class=\"num\">value used</th></tr></thead>\n<tbody>\n";
    for (const ResolvedThreshold& r : s.solution.rules.thresholds()) {
        const bool quantile = r.threshold.is_quantile();
        t += "<tr><td>" + e(r.feature) + "</td><td>" +
             e(quantile ? r.threshold.symbol(r.quantile_value) : std::string("fixed")) + "</td><td class=\"num\">" +
             (quantile ? e(format_number(r.quantile_value)) : std::string("")) + "</td><td class=\"num\">" +
             e(format_number(r.value)) + "</td></tr>\n";
    }
    if (s.solution.rules.thresholds().empty()) t += "<tr><td colspan=\"4\">no thresholds</td></tr>\n";
    t += "</tbody></table></div>\n</section>\n";

    t += "<section id=\"strategy\">\n<h2>Segments by overall score</h2>\n"
         "<p class=\"lead\">Click a column header to sort.</p>\n<div class=\"scroll\">"
         "<table class=\"sortable\" id=\"strategy-table\">\n<thead><tr><th class=\"num\" aria-sort=\"ascending\">rank</th>"
         "<th>segment and action</th><th class=\"num\">size</th><th class=\"num\">share</th>";
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k) {
        // `conversion_<wbr/>potential`: a long name may wrap after an underscore.
        std::string header = e(s.scores.dimensions[k]);
        for (std::size_t at = header.find('_'); at != std::string::npos; at = header.find('_', at + 7)) header.insert(at + 1, "<wbr/>");
        t += "<th class=\"num\">" + header + (s.scores.estimated[k] ? "*" : "") + "</th>";
    }
    t += "<th class=\"num\">overall</th>";
    const std::vector<std::size_t> figures = rows.people_figures();
    for (std::size_t k : figures)
        t += "<th class=\"num\" title=\"" + e(rows.figure_columns()[k].description) + "\">" + e(rows.figure_columns()[k].label) +
             "</th>";
    t += "<th>tier</th><th>valid</th></tr></thead>\n<tbody>\n";
    for (const RankedSegment& row : rows) {
        const auto number = [&](double value, const std::string& text) {
            return "<td class=\"num\" data-value=\"" + format_number(value) + "\">" + text + "</td>";
        };
        t += "<tr>" + number(row.rank, std::to_string(row.rank)) + "<td class=\"name\"><b>" + e(row.name()) + "</b><span>" +
             e(row.action()) + "</span></td>" + number(double(row.size), count_text(row.size)) +
             number(row.share, number_text(row.share * 100, 1) + "%");
        for (double v : row.score->scores) t += number(v, number_text(v, 3));
        t += number(row.score->overall, "<b>" + number_text(row.score->overall, 3) + "</b>");
        for (std::size_t k : figures) {
            // Numbers sort by value (one that cannot be computed first), text by text.
            const Figure& figure = row.figures[k];
            const std::string text = e(detail::figure_text(figure, rows.figure_columns()[k].kind));
            if (const auto* count = std::get_if<std::int64_t>(&figure)) t += number(double(*count), text);
            else if (const auto* value = std::get_if<double>(&figure)) t += number(std::isfinite(*value) ? *value : -1e300, text);
            else t += "<td>" + text + "</td>";
        }
        t += "<td>" + tier_chip(row.id) + "</td><td>" +
             (row.valid() ? std::string("yes") : "<span class=\"bad\" title=\"" + e(row.invalid_reason()) + "\">no</span>") +
             "</td></tr>\n";
    }
    t += "</tbody></table></div>\n";
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k)
        if (s.scores.estimated[k])
            t += "<p class=\"lead\">* " + e(s.scores.dimensions[k]) + ": " + e(s.scores.descriptions[k]) + "</p>\n";
    for (std::size_t k : figures)
        t += "<p class=\"lead\">" + e(rows.figure_columns()[k].label) + ": " + e(rows.figure_columns()[k].description) + ".</p>\n";
    t += "</section>\n";

    t += "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n";
    const std::array<std::string_view, 4> captions = {"Overall score by segment", "Profitability vs engagement",
                                                      "Rule tree", "Segment sizes against the bounds"};
    for (std::size_t i : {std::size_t{0}, std::size_t{3}, std::size_t{1}, std::size_t{2}})
        t += "<figure id=\"chart-" + std::string(files[i].substr(0, files[i].find('.'))) + "\" aria-label=\"" +
             std::string(captions[i]) + "\">\n" + detail::inline_svg(charts[i]) + "</figure>\n";
    t += "</div>\n</section>\n";

    if (s.overlap.rules.size() >= 2) {
        t += "<section id=\"overlap\">\n<h2>Rule overlap</h2>\n<p class=\"lead\">How many users each pair of top-level rules "
             "would both take, as written; the rule order gives them to the earlier rule.</p>\n"
             "<figure id=\"chart-overlap\" aria-label=\"Rule overlap\">\n" +
             detail::inline_svg(plot::overlap_chart(s.overlap)) + "</figure>\n</section>\n";
    }

    t += "<section id=\"segments\">\n<h2>Rules and actions</h2>\n<p class=\"lead\">Each rule, evaluated on the universe, "
         "selects exactly its segment.</p>\n";
    for (const RankedSegment& row : rows) {
        t += "<div class=\"segment\" style=\"--tier:" + std::string(plot::detail::colour_of(s.scores, row.id)) + "\">\n<h3>" +
             std::to_string(row.rank) + ". " + e(row.name()) + "</h3>\n<div class=\"facts\">id " + std::to_string(row.id) +
             " \xC2\xB7 " + count_text(row.size) + " users \xC2\xB7 overall " + number_text(row.score->overall, 3) +
             " \xC2\xB7 " + e(row.tier());
        if (!row.parent_path.empty()) t += " \xC2\xB7 under " + e(row.parent_path);
        t += "</div>\n<code>" + e(row.rules_applied) + "</code>\n<div><b>Action:</b> " + e(row.action()) + "</div>\n";
        if (!row.valid()) t += "<div class=\"bad\">Out of bounds: " + e(row.invalid_reason()) + "</div>\n";
        if (row.lift) {
            const LiftBlend& b = *row.lift;
            t += "<div class=\"lift\"><b>Lift:</b> " + e(detail::figure_text(b.lift_used, FigureColumn::Kind::rate)) + " used (" +
                 e(std::string(to_string(b.source)));
            if (b.measured && b.ignored.empty())
                t += ", weight " + number_text(b.weight, 2) + "; measured " +
                     e(detail::figure_text(b.measured->lift_abs, FigureColumn::Kind::rate)) + ", 95% interval " +
                     e(detail::figure_text(b.measured->ci_low, FigureColumn::Kind::rate)) + " to " +
                     e(detail::figure_text(b.measured->ci_high, FigureColumn::Kind::rate)) +
                     (b.measured_as == row.name() ? "" : ", of " + e(b.measured_as));
            else if (!b.ignored.empty())
                t += "; the measurement of " + e(b.measured_as) + " is not used: " + e(b.ignored);
            t += ")</div>\n";
        }
        t += "</div>\n";
    }
    t += "</section>\n";

    t += "<section id=\"checks\">\n<h2>MECE checks</h2>\n<table>\n<thead><tr><th>check</th><th>result</th><th>detail</th>"
         "</tr></thead>\n<tbody>\n";
    const auto check_row = [&](std::string_view name, bool ok, const std::string& detail) {
        t += "<tr><td>" + std::string(name) + "</td><td>" + check_cell(ok) + "</td><td>" + detail + "</td></tr>\n";
    };
    check_row("count", s.check.count_ok(), "sum of segment sizes " + count_text(s.check.assigned_total) + ", universe " +
                                               count_text(s.check.universe_size));
    check_row("overlap", s.check.overlap_ok(), count_text(s.check.overlapping) + " users match more than one segment rule");
    check_row("coverage", s.check.coverage_ok(), count_text(s.check.uncovered) + " users match no segment rule");
    check_row("rules", s.check.membership_ok(), count_text(s.check.misassigned) + " users outside the rule of their segment");
    t += "</tbody></table>\n</section>\n";

    t += "<section id=\"log\">\n<h2>Constraint log</h2>\n";
    if (s.solution.log.empty())
        t += std::string("<p>") + (s.run.constraints_applied ? "No segment needed a change." : "Constraints were not applied.") +
             "</p>\n";
    else
        t += "<ul class=\"log\">\n";
    for (const ConstraintEvent& ev : s.solution.log) {
        t += "<li><b>" + std::string(to_string(ev.action)) + "</b> " + e(ev.segment) + " (" + count_text(ev.size) +
             " users): " + e(ev.reason);
        if (!ev.feature.empty()) t += "; cut on " + e(ev.feature);
        if (!ev.users.empty()) {
            t += ev.action == ConstraintEvent::Action::split ? "; parts: " : "; users went to: ";
            for (std::size_t i = 0; i < ev.users.size(); ++i)
                t += (i ? ", " : "") + e(ev.users[i].first) + " (" + count_text(ev.users[i].second) + ")";
        }
        t += "</li>\n";
    }
    if (!s.solution.log.empty()) t += "</ul>\n";
    t += "</section>\n";

    t += "<section id=\"scoring\">\n<h2>Scoring</h2>\n<table>\n<thead><tr><th>dimension</th><th class=\"num\">weight</th>"
         "<th>how it is computed</th></tr></thead>\n<tbody>\n";
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k)
        t += "<tr><td>" + e(s.scores.dimensions[k]) + (s.scores.estimated[k] ? " (estimated)" : "") +
             "</td><td class=\"num\">" + number_text(s.scores.weights[k], 3) + "</td><td>" + e(s.scores.descriptions[k]) +
             "</td></tr>\n";
    t += "</tbody></table>\n<h3 style=\"margin-top:16px\">Tiers</h3>\n<table>\n<thead><tr><th>tier</th>"
         "<th class=\"num\">from overall score</th><th>recommended action</th></tr></thead>\n<tbody>\n";
    for (const Tier& tier : s.scores.tiers)
        t += "<tr><td>" + e(tier.name) + "</td><td class=\"num\">" + number_text(tier.min_score, 3) + "</td><td>" +
             e(tier.action) + "</td></tr>\n";
    t += "</tbody></table>\n</section>\n<footer>Written by mece " + std::string(version) +
         ". The charts are also in this folder as SVG files.</footer>\n</main>\n<script>";
    t += detail::report_script;
    t += "</script>\n</body>\n</html>\n";
    return t;
}

#endif  // MECE_HEADER_DEFINITIONS

}  // namespace mece
