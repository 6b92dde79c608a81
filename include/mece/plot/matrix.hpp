#pragma once
/// \file plot/matrix.hpp
/// `matrix_chart`: a table of counts as a heatmap (rows named on the left, columns by
/// number), each cell shaded by a share the caller gives: the overlap of the top-level
/// rules in `report.html`, the transition matrix of `migration.svg`.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <mece/plot/svg.hpp>
#include <mece/rule_tree.hpp>

namespace mece::plot {

/// What `matrix_chart` draws.
struct MatrixChart {
    std::string title{};
    std::string subtitle{};
    /// For screen readers: what a cell means.
    std::string description{};
    std::vector<std::string> rows{};
    std::vector<std::string> columns{};
    /// `counts[i * columns.size() + j]`.
    std::vector<std::int64_t> counts{};
    /// The shade of each cell, in [0, 1] (NaN: drawn neutral, as the diagonal of an overlap).
    std::vector<double> shares{};
    std::string row_axis{};
    std::string column_axis{};
};

/// The heatmap as a standalone SVG document: the columns are numbered, and a key under
/// the chart names each number (unless the columns are the rows, numbered beside them);
/// a cell's tooltip gives its row, column and count.
inline std::string matrix_chart(const MatrixChart& m) {
    constexpr double margin = 16, top = 84;
    constexpr std::string_view ink = "#1a1a1a", muted = "#5f6368", grid = "#ffffff";
    const std::size_t n_rows = m.rows.size(), n_columns = m.columns.size();
    const double cell_w = std::clamp(900.0 / double(std::max<std::size_t>(n_columns, 1)), 24.0, 72.0);
    const double cell_h = n_rows > 40 ? 16 : 26;
    double widest = 0;
    for (std::size_t i = 0; i < n_rows; ++i) widest = std::max(widest, text_width(std::to_string(i + 1) + ". " + m.rows[i], 11));
    const double labels = std::clamp(widest + 10, 120.0, 320.0), left = margin + labels;
    const double width = std::max(720.0, left + cell_w * double(n_columns) + margin);
    const double bottom = top + cell_h * double(n_rows);
    // The key names the numbered columns, unless they are the rows (numbered there too).
    const bool key = m.columns != m.rows;
    const double key_line = 15, key_top = bottom + 34;
    const double height = key ? key_top + key_line * double(n_columns) + margin : bottom + margin;
    Svg svg(width, height, m.title, m.description);
    svg.text(margin, 26, m.title, {{"font-size", 16}, {"font-weight", "bold"}, {"fill", ink}});
    svg.text(margin, 44, fit_text(m.subtitle, width - 2 * margin, 11), {{"font-size", 11}, {"fill", muted}}, m.subtitle);
    svg.text(left, top - 22, m.column_axis, {{"font-size", 11}, {"fill", ink}});
    svg.text(margin, top - 8, m.row_axis, {{"font-size", 11}, {"fill", ink}});
    const bool numbers = cell_w >= 40 && cell_h >= 20;
    for (std::size_t j = 0; j < n_columns; ++j)
        svg.text(left + cell_w * (double(j) + 0.5), top - 6, std::to_string(j + 1),
                 {{"font-size", 10}, {"fill", muted}, {"text-anchor", "middle"}}, m.columns[j]);
    for (std::size_t i = 0; i < n_rows; ++i) {
        const double y = top + cell_h * double(i);
        const std::string label = std::to_string(i + 1) + ". " + m.rows[i];
        svg.text(left - 6, y + cell_h / 2 + 4, fit_text(label, labels - 6, 11), {{"font-size", 11}, {"fill", ink}, {"text-anchor", "end"}},
                 label);
        for (std::size_t j = 0; j < n_columns; ++j) {
            const std::size_t k = i * n_columns + j;
            const std::int64_t count = m.counts.at(k);
            const double share = m.shares.at(k);
            // Light to dark blue with the share; neutral grey where there is no share.
            std::string fill = "#e8e8e8";
            bool dark = false;
            if (std::isfinite(share)) {
                const double t = std::clamp(share, 0.0, 1.0);
                const auto channel = [&](double light, double deep) { return int(std::lround(light + (deep - light) * t)); };
                char colour[8];
                std::snprintf(colour, sizeof colour, "#%02x%02x%02x", channel(0xf4, 0x08), channel(0xf8, 0x40), channel(0xfb, 0x8a));
                fill = count == 0 ? "#fbfbfb" : colour;
                dark = t > 0.55;
            }
            const double x = left + cell_w * double(j);
            svg.open("g");
            svg.element("title", {}, m.rows[i] + " / " + m.columns[j] + ": " + count_text(count));
            svg.element("rect", {{"x", x}, {"y", y}, {"width", cell_w}, {"height", cell_h}, {"fill", fill}, {"stroke", grid}});
            if (numbers && count > 0)
                svg.text(x + cell_w / 2, y + cell_h / 2 + 4, fit_text(count_text(count), cell_w - 4, 10),
                         {{"font-size", 10}, {"fill", dark ? "#ffffff" : std::string(ink)}, {"text-anchor", "middle"}});
            svg.close("g");
        }
    }
    if (key) svg.text(margin, key_top - 10, "Columns", {{"font-size", 11}, {"font-weight", "bold"}, {"fill", ink}});
    for (std::size_t j = 0; key && j < n_columns; ++j) {
        const std::string label = std::to_string(j + 1) + ". " + m.columns[j];
        svg.text(margin, key_top + key_line * double(j) + 4, fit_text(label, width - 2 * margin, 11), {{"font-size", 11}, {"fill", ink}}, label);
    }
    return svg.finish();
}

/// The overlap of the top-level rules as written (SPEC section 8.6): each cell the users
/// matching both rules, shaded by the share of the smaller rule's users that the pair
/// holds; the diagonal, each rule's own users, grey.
inline std::string overlap_chart(const RuleOverlap& o) {
    MatrixChart m{.title = "Rule overlap before first match",
                  .subtitle = "Users matching both rules as written; the earlier rule takes them. Shade: their share of the "
                              "smaller rule's users.",
                  .description = "A heatmap of the users matching each pair of top-level rules; the diagonal is each rule's own users.",
                  .rows = o.rules,
                  .columns = o.rules,
                  .row_axis = "rule",
                  .column_axis = "rule, by number"};
    const std::size_t n = o.rules.size();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            m.counts.push_back(o.at(i, j));
            const double smaller = double(std::min(o.at(i, i), o.at(j, j)));
            m.shares.push_back(i == j ? std::nan("") : smaller > 0 ? double(o.at(i, j)) / smaller : 0.0);
        }
    return matrix_chart(m);
}

}  // namespace mece::plot
