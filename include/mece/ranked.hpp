#pragma once
/// \file ranked.hpp
/// `RankedSegment`: one segment of a strategy as every output presents it, and
/// `RankedSegments`, all of them in rank order. The facts are derived here once; the
/// CLI table, `strategy.csv`, `.json`, `.md`, `report.html` and the charts only format
/// them. `dimension_label`: a dimension's name in a narrow column.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include <mece/constraints.hpp>
#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/lift_blend.hpp>
#include <mece/rule_tree/definition.hpp>
#include <mece/scorer.hpp>
#include <mece/strategy.hpp>

namespace mece {

/// A column of figures the tables (the CLI's, `strategy.csv`, `strategy.md`,
/// `report.html`) show after their own when the strategy has them: the holdout's.
struct FigureColumn {
    enum class Kind {
        /// Users.
        count,
        /// A difference of rates, shown in percentage points.
        rate,
        /// A number, shown with three decimals.
        number,
        /// Text.
        text,
    };
    /// The name in `strategy.csv` and `strategy.json`: `n_control`.
    std::string key{};
    /// The header for people, at most nine characters: `control`.
    std::string label{};
    Kind kind = Kind::count;
    /// What it is, in a sentence.
    std::string description{};
    /// Shown in the tables for people (the terminal, `strategy.md`, `report.html`), and
    /// in `strategy.csv`.
    bool for_people = true;
    bool for_data = true;
};

/// A figure: none, a count, a number (NaN when it cannot be computed) or text.
using Figure = std::variant<std::monostate, std::int64_t, double, std::string>;

/// A segment's holdout figures (SPEC section 8.1).
struct HoldoutFigures {
    std::int64_t n_treatment = 0;
    std::int64_t n_control = 0;
    std::int64_t n_global_control = 0;
    /// The smallest absolute lift detectable at 80% power and alpha 0.05, at the
    /// holdout's baseline rate; NaN when a group is empty.
    double mde_abs = 0;
};

/// One segment of a strategy, with the facts every output shows of it. It refers into
/// the strategy it was made from (`definition`, `score`, `status`), which must outlive it.
struct RankedSegment {
    /// 1 for the highest overall score.
    int rank = 0;
    /// Position in the tree, from 1: the id in `assignments.csv`.
    int id = 0;
    const SegmentDefinition* definition = nullptr;
    const SegmentScore* score = nullptr;
    const SegmentStatus* status = nullptr;
    /// Users in the segment.
    Eigen::Index size = 0;
    /// `size` over the universe's size (0 for an empty universe).
    double share = 0;
    /// The rules above it, outermost first, joined by ` > `; empty at the top level.
    std::string parent_path{};
    /// The exact rule text (`SegmentDefinition::rules_applied`).
    std::string rules_applied{};
    /// With a holdout: its groups in the segment.
    std::optional<HoldoutFigures> holdout{};
    /// With measured lift: how it entered the segment's `lift_vs_control` score.
    const LiftBlend* lift = nullptr;
    /// One per `RankedSegments::figure_columns()`.
    std::vector<Figure> figures{};

    const std::string& name() const noexcept { return definition->name; }
    const std::string& tier() const noexcept { return score->tier; }
    const std::string& action() const noexcept { return score->action; }
    bool valid() const noexcept { return status->valid; }
    /// Why it is out of bounds; empty when valid.
    const std::string& invalid_reason() const noexcept { return status->reason; }
};

/// A strategy's segments in rank order, each with its facts; `of(id)` finds one by id.
/// It refers into the strategy it was made from, which must outlive it.
class RankedSegments {
public:
    /// Throws `mece::Error` when the solution, scores and statistics are not of the same
    /// segments, or the ranking is not a permutation of their ids.
    explicit RankedSegments(const Strategy& s) {
        const auto& segments = s.solution.rules.segments();
        const std::size_t n = segments.size();
        if (s.solution.assignment.sizes.size() != n || s.solution.status.size() != n || s.scores.segments.size() != n ||
            s.scores.ranking.size() != n || s.stats.segments() != n)
            detail::raise<Error>("strategy: the solution, scores and statistics are of different segments");
        position_.assign(n, n);
        rows_.reserve(n);
        const double universe = double(s.universe.size());
        for (int id : s.scores.ranking) {
            detail::check_segment_id(id, n, "strategy ranking");
            const auto at = std::size_t(id - 1);
            if (position_[at] != n) detail::raise<Error>("strategy ranking: segment " + std::to_string(id) + " is ranked twice");
            position_[at] = rows_.size();
            RankedSegment row;
            row.id = id;
            row.definition = &segments[at];
            row.score = &s.scores.segments[at];
            row.status = &s.solution.status[at];
            row.rank = row.score->rank;
            row.size = s.solution.assignment.sizes[at];
            row.share = universe > 0 ? double(row.size) / universe : 0.0;
            for (const std::string& parent : row.definition->parents)
                row.parent_path += (row.parent_path.empty() ? "" : " > ") + parent;
            row.rules_applied = row.definition->rules_applied();
            rows_.push_back(std::move(row));
        }
        if (s.holdout) add_holdout(*s.holdout);
        if (s.lift) add_lift(*s.lift);
    }

    /// The figures each row has, in order; empty without a holdout or measured lift.
    const std::vector<FigureColumn>& figure_columns() const noexcept { return columns_; }
    /// The indices of the figures the tables for people show, and `strategy.csv`.
    std::vector<std::size_t> people_figures() const { return figures_where(&FigureColumn::for_people); }
    std::vector<std::size_t> data_figures() const { return figures_where(&FigureColumn::for_data); }

    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    auto begin() const noexcept { return rows_.begin(); }
    auto end() const noexcept { return rows_.end(); }
    /// The segment ranked `position + 1`.
    const RankedSegment& operator[](std::size_t position) const { return rows_.at(position); }
    /// The segment with id `id`.
    const RankedSegment& of(int id) const {
        detail::check_segment_id(id, rows_.size(), "ranked segments");
        return rows_[position_[std::size_t(id - 1)]];
    }

private:
    std::vector<std::size_t> figures_where(bool FigureColumn::*shown) const {
        std::vector<std::size_t> out;
        for (std::size_t k = 0; k < columns_.size(); ++k)
            if (columns_[k].*shown) out.push_back(k);
        return out;
    }

    void add_holdout(const HoldoutCounts& holdout) {
        if (holdout.segments.size() != rows_.size())
            detail::raise<Error>("strategy: the holdout counts are of " + std::to_string(holdout.segments.size()) +
                                 " segments, the solution has " + std::to_string(rows_.size()));
        columns_.push_back({"n_treatment", "treated", FigureColumn::Kind::count, "users who get the segment's campaign"});
        columns_.push_back({"n_control", "control", FigureColumn::Kind::count, "users held out of the segment's campaign"});
        columns_.push_back({"mde_abs", "MDE", FigureColumn::Kind::rate,
                            "the smallest lift in conversion rate detectable at 80% power and alpha 0.05, at a baseline rate of " +
                                format_number(holdout.options.baseline_rate)});
        for (RankedSegment& row : rows_) {
            const GroupCounts& c = holdout.of(row.id);
            row.holdout = HoldoutFigures{c.treatment, c.control, c.global_control,
                                         mde_abs(holdout.options.baseline_rate, c.treatment, c.control)};
            row.figures.insert(row.figures.end(), {Figure(c.treatment), Figure(c.control), Figure(row.holdout->mde_abs)});
        }
    }

    void add_lift(const LiftRanking& lift) {
        if (lift.segments.size() != rows_.size())
            detail::raise<Error>("strategy: the lift ranking is of " + std::to_string(lift.segments.size()) +
                                 " segments, the solution has " + std::to_string(rows_.size()));
        using Kind = FigureColumn::Kind;
        columns_.push_back({"lift_used", "lift used", Kind::rate, "the lift in conversion rate the lift_vs_control score is made from"});
        columns_.push_back({"lift_source", "source", Kind::text,
                            "estimate, measured (the outcomes weigh at least half) or blended"});
        columns_.push_back({"lift_weight", "weight", Kind::number, "the outcomes' share of the precision", false, true});
        columns_.push_back({"measured_lift", "measured", Kind::rate, "the measured lift", false, true});
        columns_.push_back({"measured_lift_ci_low", "low", Kind::rate, "its 95% interval, low end", false, true});
        columns_.push_back({"measured_lift_ci_high", "high", Kind::rate, "its 95% interval, high end", false, true});
        columns_.push_back({"measured", "measured", Kind::text, "the measured lift with its 95% interval, and whose it is", true, false});
        const auto pp = [](double v) {
            char text[32];
            std::snprintf(text, sizeof text, "%+.2f", v * 100);
            return std::string(text);
        };
        for (RankedSegment& row : rows_) {
            const LiftBlend& b = lift.segments[std::size_t(row.id - 1)];
            row.lift = &b;
            const bool used = b.measured && b.ignored.empty();
            const double nan = std::nan("");
            std::string shown = "-";
            if (b.measured && !b.ignored.empty()) shown = "not used: " + b.ignored.substr(0, b.ignored.find(':'));
            else if (used)
                shown = pp(b.measured->lift_abs) + " pp [" + pp(b.measured->ci_low) + ", " + pp(b.measured->ci_high) + "]" +
                        (b.measured_as == row.name() ? "" : " of " + b.measured_as);
            row.figures.insert(row.figures.end(), {Figure(b.lift_used), Figure(std::string(to_string(b.source))), Figure(b.weight),
                                                   Figure(used ? b.measured->lift_abs : nan), Figure(used ? b.measured->ci_low : nan),
                                                   Figure(used ? b.measured->ci_high : nan), Figure(shown)});
        }
    }

    std::vector<RankedSegment> rows_;
    std::vector<std::size_t> position_;  // by id - 1: the row's place in `rows_`
    std::vector<FigureColumn> columns_;
};

/// A dimension's name in a column at most nine characters wide: `convert` for
/// `conversion_potential`, `profit`, `lift`, `fit`, `size_scr` for the default five, the
/// first eight characters of any other.
inline std::string dimension_label(std::string_view name) {
    struct Label {
        std::string_view name, label;
    };
    static constexpr Label labels[] = {{"conversion_potential", "convert"}, {"profitability", "profit"},
                                       {"lift_vs_control", "lift"},         {"strategic_fit", "fit"},
                                       {"size_score", "size_scr"}};
    for (const Label& l : labels)
        if (l.name == name) return std::string(l.label);
    return std::string(name.substr(0, 8));
}

}  // namespace mece
