#pragma once
/// \file plot/lift.hpp
/// `lift_chart`: each segment's measured lift in conversion rate with its 95% interval,
/// the zero line, significant segments marked, as a standalone SVG document (`lift.svg`).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <mece/lift_report.hpp>
#include <mece/plot/svg.hpp>

namespace mece::plot {

/// One row per segment by id, then the total: a dot at `lift_abs` (filled when the
/// q-value is below 0.05), a bar over `lift_abs_ci`, the lift in percentage points at the
/// right; segments with little data or a broken split are labelled so.
inline std::string lift_chart(const LiftReport& report) {
    constexpr double width = 760, margin = 16, row = 24, top = 92;
    constexpr std::string_view ink = "#1a1a1a", muted = "#5f6368", grid = "#d9d9d9", up = "#009E73", down = "#D55E00",
                               flat = "#0072B2";
    struct Row {
        std::string label;
        const LiftFigures* lift;
        bool total;
    };
    std::vector<Row> rows;
    for (const SegmentLift& s : report.segments) rows.push_back({std::to_string(s.id) + ". " + s.name, &s.lift, false});
    rows.push_back({"All segments", &report.total, true});
    if (report.global) rows.push_back({"Treated vs global control", &*report.global, true});

    double low = 0, high = 0, widest = 0;
    for (const Row& r : rows) {
        for (double v : {r.lift->lift_abs, r.lift->lift_abs_ci.low, r.lift->lift_abs_ci.high})
            if (std::isfinite(v)) low = std::min(low, v * 100), high = std::max(high, v * 100);
        widest = std::max(widest, text_width(r.label, 12));
    }
    const double labels = std::clamp(widest + 12, 140.0, 300.0), left = margin + labels, right = width - margin - 150;
    const double bottom = top + double(rows.size()) * row + 8;
    const Axis axis = Axis::nice(low, high, left, right);
    Svg svg(width, bottom + 58, "Measured lift by segment",
            "Each segment's lift in conversion rate, treatment minus control, with its 95% interval; filled dots are "
            "significant after the Benjamini-Hochberg correction.");
    svg.text(margin, 26, "Measured lift by segment", {{"font-size", 16}, {"font-weight", "bold"}, {"fill", ink}});
    const std::string subtitle = "Treatment minus control conversion rate, percentage points, 95% interval (Newcombe); " +
                                 count_text(report.users) + " users, intent to treat";
    svg.text(margin, 44, fit_text(subtitle, width - 2 * margin, 11), {{"font-size", 11}, {"fill", muted}}, subtitle);
    // The key.
    double x = margin;
    for (const auto& [fill, label] : {std::pair{std::string(up), std::string("significant (q < 0.05)")},
                                      std::pair{std::string("#ffffff"), std::string("not significant")}}) {
        svg.element("circle", {{"cx", x + 6}, {"cy", 62}, {"r", 5}, {"fill", fill}, {"stroke", ink}, {"stroke-width", 1.2}});
        svg.text(x + 16, 66, label, {{"font-size", 11}, {"fill", ink}});
        x += 30 + text_width(label, 11);
    }
    for (const auto& [colour, label] : {std::pair{up, "interval above 0"}, std::pair{flat, "spans 0"}, std::pair{down, "below 0"}}) {
        svg.line(x, 62, x + 18, 62, colour, 2.5);
        svg.text(x + 24, 66, label, {{"font-size", 11}, {"fill", ink}});
        x += 38 + text_width(label, 11);
    }
    for (double tick : axis.ticks()) {
        const double tx = axis(tick);
        svg.line(tx, top - 6, tx, bottom, grid);
        svg.text(tx, bottom + 14, tick_text(tick), {{"font-size", 10}, {"fill", muted}, {"text-anchor", "middle"}});
    }
    svg.text((left + right) / 2, bottom + 32, "lift in conversion rate (percentage points)",
             {{"font-size", 11}, {"fill", ink}, {"text-anchor", "middle"}});
    svg.line(axis(0), top - 10, axis(0), bottom, ink, 1.5);

    double y = top;
    for (const Row& r : rows) {
        const LiftFigures& f = *r.lift;
        const double cy = y + row / 2;
        if (r.total) svg.line(margin, y, width - margin, y, grid);
        svg.text(left - 8, cy + 4, fit_text(r.label, labels - 8, 12),
                 {{"font-size", 12}, {"fill", ink}, {"text-anchor", "end"}, {"font-weight", r.total ? "bold" : "normal"}}, r.label);
        std::string note;
        if (std::isfinite(f.lift_abs)) {
            const std::string_view colour = f.lift_abs_ci.known() && f.lift_abs_ci.low > 0    ? up
                                            : f.lift_abs_ci.known() && f.lift_abs_ci.high < 0 ? down
                                                                                              : flat;
            if (f.lift_abs_ci.known())
                svg.line(axis(f.lift_abs_ci.low * 100), cy, axis(f.lift_abs_ci.high * 100), cy, colour, 2.5);
            svg.open("circle", {{"class", f.significant ? "lift significant" : "lift"}, {"cx", axis(f.lift_abs * 100)}, {"cy", cy},
                                {"r", 5.5}, {"fill", f.significant ? colour : std::string_view("#ffffff")}, {"stroke", colour},
                                {"stroke-width", 2}, {"data-value", format_number(f.lift_abs)}});
            svg.element("title", {},
                        r.label + ": " + number_text(f.lift_abs * 100, 2) + " pp" +
                            (f.lift_abs_ci.known() ? " [" + number_text(f.lift_abs_ci.low * 100, 2) + ", " +
                                                         number_text(f.lift_abs_ci.high * 100, 2) + "]"
                                                   : std::string()) +
                            ", " + count_text(f.n_treatment) + " treated, " + count_text(f.n_control) + " control");
            svg.close("circle");
            note = (f.lift_abs >= 0 ? "+" : "") + number_text(f.lift_abs * 100, 2) + " pp";
        } else {
            note = "no control";
        }
        if (f.srm) note += "  split broken";
        else if (f.low_data) note += "  little data";
        svg.text(right + 12, cy + 4, note, {{"font-size", 11}, {"fill", f.srm ? down : ink}});
        y += row;
    }
    return svg.finish();
}

}  // namespace mece::plot
