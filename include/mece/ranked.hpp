#pragma once
/// \file ranked.hpp
/// `RankedSegment`: one segment of a strategy as every output presents it, and
/// `RankedSegments`, all of them in rank order. The facts are derived here once; the
/// CLI table, `strategy.csv`, `.json`, `.md`, `report.html` and the charts only format
/// them. `dimension_label`: a dimension's name in a narrow column.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include <mece/constraints.hpp>
#include <mece/error.hpp>
#include <mece/rule_tree/definition.hpp>
#include <mece/scorer.hpp>
#include <mece/strategy.hpp>

namespace mece {

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
    }

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
    std::vector<RankedSegment> rows_;
    std::vector<std::size_t> position_;  // by id - 1: the row's place in `rows_`
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
