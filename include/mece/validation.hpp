#pragma once
/// \file validation.hpp
/// The MECE checks (SPEC section 4), computed from the segments' definitions, not from
/// the assignment they are checking.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/rule_tree.hpp>
#include <mece/universe.hpp>

namespace mece {

/// The result of `check_mece`. Each count is of universe users.
struct MeceCheck {
    Eigen::Index universe_size = 0;
    /// Sum of the assignment's segment sizes; the count check holds when it equals the universe.
    Eigen::Index assigned_total = 0;
    /// Users whose attributes match two or more segment definitions.
    Eigen::Index overlapping = 0;
    /// Users whose attributes match no segment definition.
    Eigen::Index uncovered = 0;
    /// Users whose one matching definition is not the segment they were assigned to.
    Eigen::Index misassigned = 0;

    bool count_ok() const noexcept { return assigned_total == universe_size; }
    bool overlap_ok() const noexcept { return overlapping == 0; }
    bool coverage_ok() const noexcept { return uncovered == 0; }
    bool membership_ok() const noexcept { return misassigned == 0; }
    bool ok() const noexcept { return count_ok() && overlap_ok() && coverage_ok() && membership_ok(); }
};

/// Evaluates every segment's definition on every universe user, independently of the
/// first-match assignment, and checks count, overlap, coverage and membership.
template <class Scalar>
MeceCheck check_mece(const std::vector<SegmentDefinition>& segments, const Assignment& assignment,
                     const Dataset<Scalar>& data, const Universe& universe) {
    MeceCheck check;
    const Eigen::Index n = universe.size();
    check.universe_size = n;
    for (auto size : assignment.sizes) check.assigned_total += size;

    Column<std::int32_t> matches = Column<std::int32_t>::Zero(n);
    Column<std::int32_t> matched_id = Column<std::int32_t>::Zero(n);
    std::map<std::string, Column<Scalar>, std::less<>> features;
    for (const SegmentDefinition& segment : segments) {
        const Column<bool> in_segment = segment.rule.evaluate(data, universe, features);
        matches += in_segment.template cast<std::int32_t>();
        matched_id = in_segment.select(segment.id, matched_id);
    }
    check.overlapping = (matches > 1).count();
    check.uncovered = (matches == 0).count();
    if (assignment.segment_ids.size() != n) {
        check.misassigned = n;
    } else {
        check.misassigned = (matches == 1 && matched_id != assignment.segment_ids).count();
    }
    return check;
}

/// The checks for the segments of `rules`.
template <class Scalar>
MeceCheck check_mece(const ResolvedRules& rules, const Assignment& assignment, const Dataset<Scalar>& data,
                     const Universe& universe) {
    return check_mece(rules.segments(), assignment, data, universe);
}

}  // namespace mece
