#pragma once
/// \file constraints.hpp
/// What the constraint solver is asked and what it answers: the size bounds
/// (`ConstraintOptions`), the log of what it did (`ConstraintEvent`), each segment's
/// validity (`SegmentStatus`) and the whole `Solution`. `constraint_solver.hpp` solves.

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/rule_tree.hpp>

namespace mece {

/// Size bounds and how to split.
struct ConstraintOptions {
    Eigen::Index min_size = defaults::min_size;
    Eigen::Index max_size = defaults::max_size;
    /// Features tried in order when a segment is too large; the first whose cut points
    /// give parts all within bounds is used, and a hash of `user_id` when none does.
    std::vector<std::string> split_features{"avg_order_value", "engagement_score", "profitability_score",
                                            "sessions_last_30d", "num_cart_items"};
    /// Segment (or parent rule) name -> the feature tried first when splitting it.
    std::map<std::string, std::string> split_by{};
    /// A split into more parts than this is refused and the segment flagged instead.
    Eigen::Index max_split_parts = 1000;
    /// What "closest in profile" compares when a catch-all below `min_size` is merged
    /// with another segment under its rule: the segments' means of these features, each
    /// in units of its standard deviation over the universe (the features of the default
    /// scores: value, engagement, profitability and recency).
    std::vector<std::string> profile_features{"avg_order_value", "engagement_score", "profitability_score",
                                              "days_since_abandon"};

    /// Throws `ConfigError` unless `0 <= min_size <= max_size`, `max_size >= 1` and
    /// `max_split_parts >= 2`.
    void validate() const {
        if (min_size < 0) detail::raise<ConfigError>("constraints.min_size: must not be negative, got " + std::to_string(min_size));
        if (max_size < 1) detail::raise<ConfigError>("constraints.max_size: must be at least 1, got " + std::to_string(max_size));
        if (min_size > max_size)
            detail::raise<ConfigError>("constraints: min_size " + std::to_string(min_size) + " is above max_size " +
                                       std::to_string(max_size));
        if (max_split_parts < 2)
            detail::raise<ConfigError>("constraints.max_split_parts: must be at least 2, got " + std::to_string(max_split_parts));
    }
};

/// One change the solver made, or a segment it had to keep out of bounds.
struct ConstraintEvent {
    enum class Action {
        dissolve,  ///< below min_size: the rule is removed, its users fall through
        collapse,  ///< a rule whose sub-rules were merged or dissolved becomes one segment again
        split,     ///< above max_size: split into parts
        keep,      ///< out of bounds and nothing can fix it: kept, flagged invalid
        merge,     ///< a catch-all below min_size joins the segment closest in profile under its rule
        drop,      ///< an empty catch-all: no segment; any user it would take joins the segment before it
    };
    Action action = Action::keep;
    std::string segment{};
    /// Users in the segment when the solver acted.
    Eigen::Index size = 0;
    std::string reason{};
    /// For a split: the feature cut (`user_id_hash` for a hash split).
    std::string feature{};
    /// Dissolve, merge, drop: where the users went and how many. Split: each part and its size.
    std::vector<std::pair<std::string, Eigen::Index>> users{};
    /// Names of the rules above the segment, outermost first, and its index among the
    /// rules under its parent when the solver acted: where it is in the tree.
    std::vector<std::string> parents{};
    std::size_t position = 0;
};

/// `dissolve`, `collapse`, `split`, `keep`.
constexpr std::string_view to_string(ConstraintEvent::Action action) noexcept {
    switch (action) {
        case ConstraintEvent::Action::dissolve: return "dissolve";
        case ConstraintEvent::Action::collapse: return "collapse";
        case ConstraintEvent::Action::split: return "split";
        case ConstraintEvent::Action::keep: return "keep";
        case ConstraintEvent::Action::merge: return "merge";
        case ConstraintEvent::Action::drop: return "drop";
    }
    return "?";
}

/// Whether a segment is within bounds, and why not.
struct SegmentStatus {
    bool valid = true;
    std::string reason{};
};

/// What the solver produced: rules, assignment, one status per segment (`status[id - 1]`)
/// and the log, in the order things happened.
struct Solution {
    ResolvedRules rules;
    Assignment assignment{};
    std::vector<SegmentStatus> status{};
    std::vector<ConstraintEvent> log{};
    ConstraintOptions options{};
};

namespace detail {

/// `below min_size (312 < 500)`, `above max_size (30000 > 20000)`: the reasons' openings.
inline std::string below_min(Eigen::Index size, Eigen::Index min_size) {
    return "below min_size (" + std::to_string(size) + " < " + std::to_string(min_size) + ")";
}
inline std::string above_max(Eigen::Index size, Eigen::Index max_size) {
    return "above max_size (" + std::to_string(size) + " > " + std::to_string(max_size) + ")";
}

}  // namespace detail

}  // namespace mece
