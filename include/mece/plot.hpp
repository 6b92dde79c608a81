#pragma once
/// \file plot.hpp
/// Charts of a run as standalone SVG documents: overall scores (`scores_chart`),
/// profitability against engagement (`bubbles_chart`), the rule tree as the solver left
/// it (`tree_chart`) and segment sizes against the size bounds (`sizes_chart`). Each is
/// a string; `mece/report.hpp` writes them to files and into `report.html`. Not part of
/// the umbrella `mece/mece.hpp`.
///
/// \code
/// const mece::Strategy strategy{solution, scores, stats, check, universe, {}};
/// std::ofstream("scores.svg") << mece::plot::scores_chart(strategy);
/// \endcode

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <mece/constraint_solver.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/plot/svg.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree.hpp>
#include <mece/scorer.hpp>
#include <mece/strategy.hpp>

namespace mece::plot {

/// Overall score per segment, by rank, as horizontal bars coloured by tier over the
/// tiers' score bands.
MECE_INLINE std::string scores_chart(const Strategy& s);

/// Mean profitability score against mean engagement score per segment; bubble area is
/// proportional to the segment's size, colour is its tier, the number its rank.
MECE_INLINE std::string bubbles_chart(const Strategy& s);

/// The rule tree as the constraint solver left it: each rule with its conditions and
/// resolved thresholds, each segment with its size, rank, score and tier; rules
/// dissolved (below `min_size`) drawn dashed where they were, catch-alls merged into
/// another segment dashed in blue where they stand, naming it, rules split (above
/// `max_size`) outlined in orange with the feature cut, segments out of bounds
/// outlined in vermillion.
MECE_INLINE std::string tree_chart(const Strategy& s);

/// Segment sizes by rank against the `min_size`..`max_size` band; segments out of
/// bounds are drawn in vermillion with a cross, their reasons listed under the chart.
MECE_INLINE std::string sizes_chart(const Strategy& s);

#if MECE_HEADER_DEFINITIONS

namespace detail {

inline constexpr double chart_width = 760;
inline constexpr double margin = 16;
inline constexpr std::string_view ink = "#1a1a1a", muted = "#5f6368", grid = "#d9d9d9";
inline constexpr std::string_view out_of_bounds = "#D55E00";

/// Index of `tier` in `scores.tiers` (highest first); past the end if unknown.
inline std::size_t tier_index(const Scores& scores, std::string_view tier) {
    for (std::size_t i = 0; i < scores.tiers.size(); ++i)
        if (scores.tiers[i].name == tier) return i;
    return scores.tiers.size();
}

inline std::string_view colour_of(const Scores& scores, int id) {
    const std::size_t index = tier_index(scores, scores.of(id).tier);
    return index < scores.tiers.size() ? tier_colour(index) : std::string_view("#999999");
}

/// Where the content under a chart's heading starts: its legend.
inline constexpr double below_heading = 56;

/// A chart's title and the line under it, above `below_heading`.
inline void heading(Svg& svg, std::string_view title, std::string_view subtitle) {
    svg.text(margin, 26, title, {{"font-size", 16}, {"font-weight", "bold"}, {"fill", ink}});
    svg.text(margin, 44, fit_text(subtitle, chart_width - 2 * margin, 11), {{"font-size", 11}, {"fill", muted}}, subtitle);
}

/// A legend entry: a swatch filled with `fill`, outlined with `stroke` (dashed with
/// `dash`) when given, and its label.
struct LegendEntry {
    std::string fill{};
    std::string label{};
    std::string stroke = {};
    std::string dash = {};
};

/// Swatches with labels in rows from (`x`, `y`) to `right`; returns the y below them.
inline double legend(Svg& svg, double x, double y, double right, const std::vector<LegendEntry>& entries) {
    double at = x;
    for (const LegendEntry& entry : entries) {
        const double swatch = entry.stroke.empty() ? 12 : 22;
        const double width = swatch + 6 + text_width(entry.label, 11) + 14;
        if (at > x && at + width > right) at = x, y += 18;
        if (entry.stroke.empty())
            svg.element("rect", {{"x", at}, {"y", y}, {"width", swatch}, {"height", 12}, {"rx", 2}, {"fill", entry.fill}});
        else
            svg.element("rect", {{"x", at + 1}, {"y", y + 1}, {"width", swatch - 2}, {"height", 10}, {"rx", 2},
                                 {"fill", entry.fill}, {"stroke", entry.stroke}, {"stroke-width", 2},
                                 {"stroke-dasharray", entry.dash.empty() ? "none" : entry.dash}});
        svg.text(at + swatch + 5, y + 10, entry.label, {{"font-size", 11}, {"fill", ink}});
        at += width;
    }
    return y + 18;
}

/// The y below a legend drawn from `y`, without drawing it.
inline double legend_bottom(double y, double right, const std::vector<LegendEntry>& entries) {
    Svg scratch(1, 1, "");
    return legend(scratch, margin, y, right, entries);
}

inline std::vector<LegendEntry> tier_legend(const Scores& scores) {
    std::vector<LegendEntry> entries;
    for (std::size_t i = 0; i < scores.tiers.size(); ++i)
        entries.push_back({std::string(tier_colour(i)), scores.tiers[i].name + " (>= " + number_text(scores.tiers[i].min_score) + ")"});
    return entries;
}

/// `3. High AOV Premium`: the label of a segment in rank order.
inline std::string ranked_name(const RankedSegment& row) { return std::to_string(row.rank) + ". " + row.name(); }

/// Width of the label column for segment names: the longest, within limits.
inline double label_width(const RankedSegments& rows) {
    double widest = 0;
    for (const RankedSegment& row : rows) widest = std::max(widest, text_width(ranked_name(row), 12));
    return std::clamp(widest + 8, 120.0, 300.0);
}

/// Vertical grid lines with tick labels under the rows, and the axis title.
inline void x_axis(Svg& svg, const Axis& axis, double top, double bottom, std::string_view title, double centre) {
    for (double tick : axis.ticks()) {
        const double x = axis(tick);
        svg.line(x, top, x, bottom, grid);
        svg.text(x, bottom + 14, tick_text(tick), {{"font-size", 10}, {"fill", muted}, {"text-anchor", "middle"}});
    }
    svg.text(centre, bottom + 32, title, {{"font-size", 11}, {"fill", ink}, {"text-anchor", "middle"}});
}

}  // namespace detail

/// Overall score per segment, by rank, as horizontal bars coloured by tier over the
/// tiers' score bands.
MECE_INLINE std::string scores_chart(const Strategy& s) {
    using namespace detail;
    const Scores& scores = s.scores;
    const RankedSegments rows(s);
    const double row = 22, labels = label_width(rows);
    const auto n = double(rows.size());
    const double top = legend_bottom(below_heading, chart_width - margin, tier_legend(scores)) + 26;
    const double bottom = top + std::max(n, 1.0) * row + 6;
    Svg svg(chart_width, bottom + 44, "Overall score by segment",
            "Segments ranked by overall score, a weighted sum of the dimensions; bars coloured by tier.");
    heading(svg, "Overall score by segment",
            "Ranked; overall score = weighted sum of " + std::to_string(scores.dimensions.size()) +
                " dimension scores, each in [0, 1]; bars coloured by tier");
    legend(svg, margin, below_heading, chart_width - margin, tier_legend(scores));
    const double left = margin + labels, right = chart_width - margin - 44;
    const Axis axis(0, 1, left, right);
    double upper = 1;
    for (std::size_t t = 0; t < scores.tiers.size(); ++t) {
        const double low = std::clamp(scores.tiers[t].min_score, 0.0, upper);
        const double x0 = axis(low), x1 = axis(upper);
        if (x1 - x0 >= 1) {
            svg.open("rect", {{"x", x0}, {"y", top - 18}, {"width", x1 - x0}, {"height", bottom - top + 18},
                              {"fill", tier_colour(t)}, {"fill-opacity", 0.09}});
            svg.element("title", {}, scores.tiers[t].name);
            svg.close("rect");
            // The band's name where it fits; the legend names every band by colour.
            if (text_width(scores.tiers[t].name, 10) <= x1 - x0 - 4)
                svg.text((x0 + x1) / 2, top - 6, scores.tiers[t].name,
                         {{"font-size", 10}, {"fill", muted}, {"text-anchor", "middle"}});
        }
        upper = low;
    }
    x_axis(svg, axis, top, bottom, "overall score", (left + right) / 2);
    double y = top + 4;
    for (const RankedSegment& segment : rows) {
        const SegmentScore& score = *segment.score;
        const std::string label = ranked_name(segment);
        svg.text(left - 8, y + 12, fit_text(label, labels - 8, 12), {{"font-size", 12}, {"fill", ink}, {"text-anchor", "end"}},
                 label);
        svg.open("rect", {{"class", "bar"}, {"data-segment", segment.id}, {"data-value", format_number(score.overall)}, {"x", left},
                          {"y", y + 2}, {"width", std::max(axis(score.overall) - left, 0.0)}, {"height", row - 8},
                          {"fill", colour_of(scores, segment.id)}});
        svg.element("title", {}, label + ": " + number_text(score.overall, 3) + " (" + score.tier + ")");
        svg.close("rect");
        svg.text(axis(score.overall) + 4, y + 12, number_text(score.overall, 3),
                 {{"font-size", 11}, {"fill", ink}, {"stroke", "#ffffff"}, {"stroke-width", 3}, {"paint-order", "stroke"}});
        y += row;
    }
    svg.line(left, top, left, bottom, ink);
    return svg.finish();
}

/// Mean profitability score against mean engagement score per segment; bubble area is
/// proportional to the segment's size, colour is its tier, the number its rank.
MECE_INLINE std::string bubbles_chart(const Strategy& s) {
    using namespace detail;
    const Scores& scores = s.scores;
    const RankedSegments rows(s);
    const std::size_t n = rows.size();
    struct Bubble {
        const RankedSegment* segment{};
        double x{}, y{}, size{};
    };
    std::vector<Bubble> bubbles;
    double largest = 0;
    for (const RankedSegment& row : rows) {
        bubbles.push_back({&row, s.stats.mean(row.id, "engagement_score"), s.stats.mean(row.id, "profitability_score"),
                           double(row.size)});
        largest = std::max(largest, double(row.size));
    }
    const double biggest_radius = n <= 10 ? 42 : n <= 40 ? 28 : 18;
    const auto radius = [&](double size) { return largest > 0 ? std::max(3.0, biggest_radius * std::sqrt(size / largest)) : 3.0; };

    const double top = legend_bottom(below_heading, chart_width - margin, tier_legend(scores)) + 10;
    const double plot_height = 400, left = 64, right = chart_width - margin - 8, bottom = top + plot_height;
    // The key: rank, name and size in columns under the plot, as wide as the longest.
    const auto key_label = [](const RankedSegment& row) { return ranked_name(row) + " (" + count_text(row.size) + ")"; };
    double widest_key = 0;
    for (const RankedSegment& row : rows) widest_key = std::max(widest_key, text_width(key_label(row), 11));
    const double key_column = std::clamp(widest_key + 24, 180.0, chart_width - 2 * margin), key_top = bottom + 50;
    const auto key_columns = std::size_t(std::max(1.0, std::floor((chart_width - 2 * margin) / key_column)));
    const std::size_t key_rows = (n + key_columns - 1) / key_columns;
    Svg svg(chart_width, key_top + double(key_rows) * 16 + 12, "Profitability against engagement",
            "Each segment's mean profitability score against its mean engagement score; bubble area is proportional to size.");
    heading(svg, "Profitability vs engagement",
            "Segment means; bubble area proportional to users (largest " + count_text(std::int64_t(largest)) +
                "); colour = tier, number = rank");
    legend(svg, margin, below_heading, chart_width - margin, tier_legend(scores));

    const auto domain = [&](auto member, double pixels) {
        double low = 1, high = 0;
        for (const Bubble& b : bubbles)
            if (std::isfinite(b.*member)) low = std::min(low, b.*member), high = std::max(high, b.*member);
        if (low > high) low = 0, high = 1;
        const double span = std::max(high - low, 0.05);
        const double pad = span * (biggest_radius + 6) / std::max(pixels - 2 * (biggest_radius + 6), 1.0);
        return std::pair{low - pad, high + pad};
    };
    const auto [x_low, x_high] = domain(&Bubble::x, right - left);
    const auto [y_low, y_high] = domain(&Bubble::y, plot_height);
    const Axis x_axis = Axis::nice(x_low, x_high, left, right), y_axis = Axis::nice(y_low, y_high, bottom, top);
    for (double tick : y_axis.ticks()) {
        const double y = y_axis(tick);
        svg.line(left, y, right, y, grid);
        svg.text(left - 6, y + 4, tick_text(tick), {{"font-size", 10}, {"fill", muted}, {"text-anchor", "end"}});
    }
    detail::x_axis(svg, x_axis, top, bottom, "mean engagement score", (left + right) / 2);
    svg.text(16, (top + bottom) / 2, "mean profitability score",
             {{"font-size", 11}, {"fill", ink}, {"text-anchor", "middle"},
              {"transform", "rotate(-90 16 " + number_text((top + bottom) / 2) + ")"}});
    svg.element("rect", {{"x", left}, {"y", top}, {"width", right - left}, {"height", plot_height}, {"fill", "none"},
                         {"stroke", ink}});

    std::vector<Bubble> by_size = bubbles;  // the largest first, so no bubble hides a smaller one
    std::stable_sort(by_size.begin(), by_size.end(), [](const Bubble& a, const Bubble& b) { return a.size > b.size; });
    for (const Bubble& b : by_size) {
        const double cx = x_axis(std::isfinite(b.x) ? b.x : x_axis.low()), cy = y_axis(std::isfinite(b.y) ? b.y : y_axis.low());
        const double r = radius(b.size);
        const int id = b.segment->id;
        const std::string rank = std::to_string(b.segment->rank);
        svg.open("circle", {{"class", "bubble"}, {"data-segment", id}, {"data-value", b.size}, {"cx", cx}, {"cy", cy}, {"r", r},
                            {"fill", colour_of(scores, id)}, {"fill-opacity", 0.55},
                            {"stroke", colour_of(scores, id)}, {"stroke-width", 1.5}});
        svg.element("title", {}, ranked_name(*b.segment) + ": " + count_text(std::int64_t(b.size)) + " users, engagement " +
                                      number_text(b.x, 3) + ", profitability " + number_text(b.y, 3));
        svg.close("circle");
        if (r >= 9)
            svg.text(cx, cy + 4, rank, {{"font-size", 11}, {"font-weight", "bold"}, {"fill", ink}, {"text-anchor", "middle"}});
        else
            svg.text(cx + r + 2, cy + 4, rank, {{"font-size", 10}, {"fill", ink}});
    }
    for (std::size_t i = 0; i < n; ++i) {
        const RankedSegment& row = rows[i];
        const double x = margin + double(i / key_rows) * key_column, y = key_top + double(i % key_rows) * 16;
        svg.element("circle", {{"cx", x + 5}, {"cy", y - 4}, {"r", 5}, {"fill", colour_of(scores, row.id)}, {"fill-opacity", 0.8}});
        const std::string label = key_label(row);
        svg.text(x + 14, y, fit_text(label, key_column - 20, 11), {{"font-size", 11}, {"fill", ink}}, label);
    }
    return svg.finish();
}

/// Segment sizes by rank against the `min_size`..`max_size` band; segments out of
/// bounds are drawn in vermillion with a cross, their reasons listed under the chart.
MECE_INLINE std::string sizes_chart(const Strategy& s) {
    using namespace detail;
    const ConstraintOptions& bounds = s.solution.options;
    const RankedSegments rows(s);
    const double row = 22, labels = label_width(rows) + 14;
    double largest = double(bounds.max_size), smallest = double(std::max<Eigen::Index>(bounds.min_size, 1));
    std::vector<std::string> reasons;
    for (const RankedSegment& segment : rows) {
        largest = std::max(largest, double(segment.size));
        if (segment.size > 0) smallest = std::min(smallest, double(segment.size));
        if (!segment.valid()) reasons.push_back(ranked_name(segment) + ": " + segment.invalid_reason());
    }
    const bool logarithmic = largest / smallest > 50;
    const auto n = double(rows.size());
    const double top = below_heading + 18 + 24, bottom = top + std::max(n, 1.0) * row + 6;
    const double notes_top = bottom + 56;
    Svg svg(chart_width, notes_top + double(reasons.size()) * 16 + (reasons.empty() ? 0 : 10), "Segment sizes against the size bounds",
            "Users per segment, by rank, against the band from min_size to max_size; segments out of bounds are marked.");
    heading(svg, "Segment sizes against the bounds",
            "Users per segment, by rank; the band is " + count_text(bounds.min_size) + " to " + count_text(bounds.max_size) +
                " users" + (s.run.constraints_applied ? "" : " (constraints not applied)") +
                (logarithmic ? "; logarithmic scale" : ""));
    legend(svg, margin, below_heading, chart_width - margin,
           {{"#0072B2", "within bounds"}, {std::string(out_of_bounds), "out of bounds (invalid)"}, {"#d2ede4", "size band"}});
    const double left = margin + labels, right = chart_width - margin - 56;
    const Axis axis = logarithmic ? Axis(std::pow(10.0, std::floor(std::log10(smallest * 0.8))),
                                         std::pow(10.0, std::ceil(std::log10(largest * 1.05))), left, right, true)
                                  : Axis::nice(0, largest * 1.05, left, right);
    const double band_low = axis(double(bounds.min_size)), band_high = axis(double(bounds.max_size));
    svg.element("rect", {{"x", band_low}, {"y", top - 6}, {"width", std::max(band_high - band_low, 0.0)},
                         {"height", bottom - top + 6}, {"fill", "#009E73"}, {"fill-opacity", 0.16}});
    x_axis(svg, axis, top, bottom, logarithmic ? "users (log scale)" : "users", (left + right) / 2);
    for (const auto& [x, label, anchor] : {std::tuple{band_low, "min " + count_text(bounds.min_size), "end"},
                                           std::tuple{band_high, "max " + count_text(bounds.max_size), "start"}}) {
        svg.line(x, top - 14, x, bottom, "#009E73", 1.5, "5 3");
        svg.text(x + (std::string_view(anchor) == "end" ? -4 : 4), top - 6, label,
                 {{"font-size", 10}, {"fill", "#00654a"}, {"text-anchor", anchor}});
    }
    double y = top + 4;
    for (const RankedSegment& segment : rows) {
        const bool valid = segment.valid();
        const int id = segment.id;
        const auto size = segment.size;
        const std::string label = ranked_name(segment);
        svg.text(left - 8, y + 12, fit_text(label, labels - 22, 12), {{"font-size", 12}, {"fill", ink}, {"text-anchor", "end"}},
                 label);
        if (!valid)
            svg.text(left - labels + 2, y + 12, "\xE2\x9C\x95", {{"font-size", 12}, {"font-weight", "bold"}, {"fill", out_of_bounds}},
                     "out of bounds");
        const double end = size > 0 ? axis(double(size)) : left;
        svg.open("rect", {{"class", valid ? "bar" : "bar invalid"}, {"data-segment", id}, {"data-value", size}, {"x", left},
                          {"y", y + 2}, {"width", std::max(end - left, 0.0)}, {"height", row - 8},
                          {"fill", valid ? std::string_view("#0072B2") : out_of_bounds}});
        svg.element("title", {}, label + ": " + count_text(size) + " users" + (valid ? "" : " (out of bounds)"));
        svg.close("rect");
        svg.text(end + 4, y + 12, count_text(size), {{"font-size", 11}, {"fill", valid ? ink : out_of_bounds}, {"stroke", "#ffffff"},
                                                     {"stroke-width", 3}, {"paint-order", "stroke"}});
        y += row;
    }
    svg.line(left, top, left, bottom, ink);
    y = notes_top;
    for (const std::string& reason : reasons) {
        const std::string note = "\xE2\x9C\x95 " + reason;
        svg.text(margin, y, fit_text(note, chart_width - 2 * margin, 11), {{"font-size", 11}, {"fill", out_of_bounds}}, note);
        y += 16;
    }
    return svg.finish();
}

namespace detail {

/// A box of the tree chart.
struct TreeBox {
    enum class Kind { root, rule, segment, dissolved, merged } kind = Kind::rule;
    std::string name = {};
    /// Lines under the name: the rule (wrapped), then facts.
    std::vector<std::string> lines = {};
    /// Everything, for the tooltip.
    std::string tooltip = {};
    int segment_id = 0;
    bool split = false, invalid = false;
    std::size_t depth = 0;
    double y = 0;
    std::vector<std::size_t> children = {};
};

/// The own conditions of a node, with their resolved thresholds.
inline std::string own_rule(const RuleNode& node) {
    if (node.catch_all) return node.remainder ? node.remainder->text() : "everyone else";
    return node.predicates.empty() ? "everyone" : Expr::all_of(node.predicates).text();
}

/// `text` in at most `count` lines of `width` pixels, broken at spaces; the last line
/// cut with an ellipsis when the text does not fit.
inline std::vector<std::string> wrap_text(std::string_view text, double width, double font_size, std::size_t count) {
    std::vector<std::string> lines;
    while (!text.empty() && lines.size() + 1 < count && text_width(text, font_size) > width) {
        std::size_t cut = std::string_view::npos;
        for (std::size_t at = text.find(' '); at != std::string_view::npos; at = text.find(' ', at + 1)) {
            if (text_width(text.substr(0, at), font_size) > width) break;
            cut = at;
        }
        if (cut == std::string_view::npos) break;
        lines.emplace_back(text.substr(0, cut));
        text.remove_prefix(cut + 1);
    }
    if (!text.empty()) lines.push_back(fit_text(text, width, font_size));
    return lines;
}

}  // namespace detail

/// The rule tree as the constraint solver left it: each rule with its conditions and
/// resolved thresholds, each segment with its size, rank, score and tier; rules
/// dissolved (below `min_size`) drawn dashed where they were, catch-alls merged into
/// another segment dashed in blue where they stand, naming it, rules split (above
/// `max_size`) outlined in orange with the feature cut, segments out of bounds
/// outlined in vermillion.
MECE_INLINE std::string tree_chart(const Strategy& s) {
    using namespace detail;
    using Kind = TreeBox::Kind;
    // `bold`: bold text is this much wider than the estimate for regular text.
    constexpr double name_size = 12, line_size = 10.5, line_height = 14, max_column = 380, bold = 1.1;
    const RankedSegments rows(s);
    std::vector<TreeBox> boxes;
    std::map<std::vector<std::string>, const ConstraintEvent*> splits;                  // by the rule's path
    std::map<std::vector<std::string>, std::vector<const ConstraintEvent*>> dissolved;  // by the parent's path
    for (const ConstraintEvent& e : s.solution.log) {
        std::vector<std::string> path = e.parents;
        if (e.action == ConstraintEvent::Action::dissolve) dissolved[path].push_back(&e);
        path.push_back(e.segment);
        if (e.action == ConstraintEvent::Action::split) splits[path] = &e;
    }
    TreeBox root{Kind::root, "All users in the window",
                 {count_text(s.universe.size()) + " users who abandoned a cart",
                  format_date(s.universe.first_day()) + " to " + format_date(s.universe.as_of())}};
    boxes.push_back(std::move(root));
    const double text_room = max_column - 20;
    // The dissolved rules under `parent` that stood before its rule number `before`.
    const auto add_dissolved = [&](std::size_t parent, const std::vector<std::string>& path, std::size_t before) {
        const auto found = dissolved.find(path);
        if (found == dissolved.end()) return;
        auto& events = found->second;
        for (auto it = events.begin(); it != events.end();) {
            const ConstraintEvent& e = **it;
            if (e.position > before) {
                ++it;
                continue;
            }
            std::string went = e.users.empty() ? "no users to move" : "users to ";
            for (std::size_t i = 0; i < e.users.size(); ++i)
                went += (i ? ", " : "") + e.users[i].first + " (" + count_text(e.users[i].second) + ")";
            TreeBox box{Kind::dissolved, e.segment, {"dissolved: " + count_text(e.size) + " < min " + count_text(s.solution.options.min_size)}};
            for (auto& l : wrap_text(went, text_room, line_size, 2)) box.lines.push_back(std::move(l));
            box.tooltip = e.segment + "\n" + e.reason + "\n" + went;
            box.depth = boxes[parent].depth + 1;
            boxes.push_back(std::move(box));
            boxes[parent].children.push_back(boxes.size() - 1);
            it = events.erase(it);
        }
        if (events.empty()) dissolved.erase(found);
    };
    int next_id = 1;
    // Depth first, so that segments meet their ids in order.
    const auto walk = [&](const auto& self, const RuleNode& node, std::size_t at, std::vector<std::string>& path) -> void {
        for (std::size_t c = 0; c < node.children.size(); ++c) {
            add_dissolved(at, path, c);
            const RuleNode& child = node.children[c];
            path.push_back(child.name);
            TreeBox box;
            box.depth = boxes[at].depth + 1;
            box.name = child.name;
            const std::string rule = own_rule(child);
            box.tooltip = child.name + "\n" + rule;
            box.lines = wrap_text(rule, text_room, line_size, 2);
            if (const auto split = splits.find(path); split != splits.end()) {
                box.split = true;
                box.lines.push_back("\xE2\x9C\x82 split on " + split->second->feature + " into " +
                                    std::to_string(split->second->users.size()) + " parts");
            }
            if (child.children.empty() && !child.merged_into.empty()) {
                // A merged catch-all stays where it stood, pointing at the segment that took it.
                box.kind = Kind::merged;
                const auto event = std::find_if(s.solution.log.begin(), s.solution.log.end(), [&](const ConstraintEvent& e) {
                    return (e.action == ConstraintEvent::Action::merge || e.action == ConstraintEvent::Action::drop) &&
                           e.segment == child.name;
                });
                // A part of a merged catch-all, split with the segment it joined, has no event of its own.
                const bool logged = event != s.solution.log.end();
                box.lines.push_back(!logged            ? "\xE2\x86\x92 its rule joins " + child.merged_into
                                    : event->size == 0 ? "\xE2\x86\x92 empty: its rule joins " + child.merged_into
                                                       : "\xE2\x86\x92 " + count_text(event->size) + " users merged into " + child.merged_into);
                if (logged) box.tooltip += "\n" + event->reason;
            } else if (child.children.empty()) {
                box.kind = Kind::segment;
                box.segment_id = next_id++;
                const RankedSegment& segment = rows.of(box.segment_id);
                box.invalid = !segment.valid();
                box.lines.push_back(count_text(segment.size) + " users \xC2\xB7 #" + std::to_string(segment.rank) +
                                    " \xC2\xB7 score " + number_text(segment.score->overall, 3) + " \xC2\xB7 " + segment.tier());
                if (!segment.valid()) {
                    // The reason's first clause, `below min_size (3031 < 3400)`; all of it in the tooltip.
                    const std::string& reason = segment.invalid_reason();
                    box.lines.push_back("\xE2\x9C\x95 " + reason.substr(0, reason.find(':')));
                    box.tooltip += "\n" + reason;
                }
            }
            boxes.push_back(std::move(box));
            const std::size_t index = boxes.size() - 1;
            boxes[at].children.push_back(index);
            self(self, child, index, path);
            path.pop_back();
        }
        add_dissolved(at, path, std::numeric_limits<std::size_t>::max());
    };
    std::vector<std::string> path;
    walk(walk, s.solution.rules.root(), 0, path);
    while (!dissolved.empty())  // under a rule no longer in the tree
        add_dissolved(0, std::vector<std::string>(dissolved.begin()->first), std::numeric_limits<std::size_t>::max());

    // Layout: a row per leaf, each parent centred on its children, a column per depth.
    std::size_t most_lines = 1;
    std::vector<double> column_width;
    for (TreeBox& box : boxes) {
        if (box.tooltip.empty()) box.tooltip = box.name;
        most_lines = std::max(most_lines, box.lines.size());
        if (column_width.size() <= box.depth) column_width.resize(box.depth + 1, 150);
        double widest = text_width(box.name, name_size) * bold;
        for (const auto& l : box.lines) widest = std::max(widest, text_width(l, line_size));
        column_width[box.depth] = std::clamp(widest + 20, column_width[box.depth], max_column);
    }
    const double box_height = 22 + double(most_lines) * line_height, row = box_height + 10, gap = 36;
    std::vector<double> column_x{margin};
    for (double w : column_width) column_x.push_back(column_x.back() + w + gap);
    const double width = std::max(chart_width, column_x.back() - gap + margin);
    const std::vector<LegendEntry> key = [&] {
        std::vector<LegendEntry> entries{{"#ffffff", "rule or segment (bar = tier)", "#7a7a7a"},
                                         {"#ffffff", "split above max_size", "#E69F00"},
                                         {"#f6f6f6", "dissolved below min_size", "#9e9e9e", "5 3"},
                                         {"#f6f6f6", "catch-all merged into a segment", "#56B4E9", "5 3"},
                                         {"#ffffff", "out of bounds (invalid)", std::string(out_of_bounds)}};
        for (auto& tier : tier_legend(s.scores)) entries.push_back(std::move(tier));
        return entries;
    }();
    const double top = legend_bottom(below_heading, width - margin, key) + 12;
    double next_row = 0;
    const auto place = [&](const auto& self, std::size_t at) -> void {
        if (boxes[at].children.empty()) {
            boxes[at].y = top + next_row++ * row;
            return;
        }
        for (std::size_t child : boxes[at].children) self(self, child);
        boxes[at].y = (boxes[boxes[at].children.front()].y + boxes[boxes[at].children.back()].y) / 2;
    };
    place(place, 0);
    const double bottom = top + std::max(next_row, 1.0) * row;

    Svg svg(width, bottom + 8, "Rule tree with segment sizes",
            "The rules as the constraint solver left them: each rule with its resolved thresholds, each segment with its size, "
            "rank, score and tier; dissolved rules and merged catch-alls dashed, split rules marked.");
    heading(svg, "Rule tree", "Rules in order, first match wins; each segment with its size, rank, overall score and tier");
    legend(svg, margin, below_heading, width - margin, key);
    for (const TreeBox& box : boxes)
        for (std::size_t child : box.children) {
            const TreeBox& to = boxes[child];
            const double x0 = column_x[box.depth] + column_width[box.depth], x1 = column_x[to.depth];
            const double mid = x0 + gap / 2, y0 = box.y + box_height / 2, y1 = to.y + box_height / 2;
            const bool ghost = to.kind == Kind::dissolved || to.kind == Kind::merged;
            // Appended piece by piece: GCC 12 misreads `"lit" + std::string&&` here (-Wrestrict).
            std::string d;
            for (const auto& [command, value] : {std::pair{"M", x0}, {" ", y0}, {" H", mid}, {" V", y1}, {" H", x1}}) {
                d += command;
                d += number_text(value);
            }
            svg.element("path", {{"d", d},
                                 {"fill", "none"}, {"stroke", ghost ? "#b0b0b0" : "#7a7a7a"}, {"stroke-width", 1.2},
                                 {"stroke-dasharray", ghost ? "4 3" : "none"}});
        }
    for (const TreeBox& box : boxes) {
        const double x = column_x[box.depth], w = column_width[box.depth];
        const bool merged = box.kind == Kind::merged;
        const bool ghost = box.kind == Kind::dissolved || merged, segment = box.kind == Kind::segment;
        const std::string_view stroke = merged ? "#56B4E9" : ghost ? "#9e9e9e" : box.invalid ? out_of_bounds : box.split ? "#E69F00" : "#7a7a7a";
        static constexpr std::array<std::string_view, 5> kinds = {"root", "rule", "segment", "dissolved", "merged"};
        const std::string kind = std::string(kinds[std::size_t(box.kind)]) + (box.split ? " split" : "") + (box.invalid ? " invalid" : "");
        if (segment)
            svg.open("g", {{"class", kind}, {"data-segment", box.segment_id}});
        else
            svg.open("g", {{"class", kind}});
        svg.element("title", {}, box.tooltip);
        svg.element("rect", {{"x", x}, {"y", box.y}, {"width", w}, {"height", box_height}, {"rx", 4},
                             {"fill", ghost ? "#f6f6f6" : segment ? "#ffffff" : "#eef3f8"}, {"stroke", stroke},
                             {"stroke-width", box.invalid || box.split ? 2 : 1}, {"stroke-dasharray", ghost ? "5 3" : "none"}});
        if (segment)
            svg.element("rect", {{"x", x}, {"y", box.y}, {"width", 6}, {"height", box_height}, {"rx", 2},
                                 {"fill", colour_of(s.scores, box.segment_id)}});
        const double text_x = x + (segment ? 12 : 8), room = w - (text_x - x) - 6;
        svg.text(text_x, box.y + 16, fit_text(box.name, room / bold, name_size),
                 {{"font-size", name_size}, {"font-weight", "bold"}, {"fill", ghost ? muted : ink},
                  {"text-decoration", ghost && !merged ? "line-through" : "none"}});
        for (std::size_t i = 0; i < box.lines.size(); ++i) {
            const bool facts = segment && i + (box.invalid ? 2 : 1) >= box.lines.size();
            svg.text(text_x, box.y + 16 + double(i + 1) * line_height, fit_text(box.lines[i], room, line_size),
                     {{"font-size", line_size}, {"fill", ghost ? muted : (facts && box.invalid) ? out_of_bounds : "#3c4043"},
                      {"font-weight", facts ? "bold" : "normal"}});
        }
        svg.close("g");
    }
    return svg.finish();
}

#endif  // MECE_HEADER_DEFINITIONS

}  // namespace mece::plot
