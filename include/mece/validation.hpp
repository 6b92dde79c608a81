#pragma once
/// \file validation.hpp
/// The MECE checks (SPEC section 4), computed from the segments' definitions, not from
/// the assignment they are checking.

#include <algorithm>
#include <cstdint>
#include <deque>
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

namespace detail {

/// Segment definitions compiled for evaluation over blocks of users: each distinct
/// predicate becomes one mask per block, shared by every definition that tests it (the
/// "not matched by an earlier rule" terms repeat the same predicates many times).
class DefinitionEvaluator {
public:
    explicit DefinitionEvaluator(const std::vector<SegmentDefinition>& segments) {
        for (const auto& segment : segments) roots_.push_back(compile(segment.rule));
    }

    const std::vector<Predicate>& predicates() const noexcept { return predicates_; }

    /// Writes the membership of segment `s` for the block whose predicate masks are
    /// `masks` (one per predicate, `count` users) into `out`.
    void evaluate(std::size_t s, const std::vector<Column<bool>>& masks, Eigen::Index count, Column<bool>& out) {
        evaluate_node(roots_[s], masks, count, 0, out);
    }

private:
    struct Node {
        Expr::Kind kind;
        int predicate = -1;
        std::vector<int> children;
    };

    int compile(const Expr& e) {
        Node node{e.kind(), -1, {}};
        if (e.kind() == Expr::Kind::predicate) {
            const auto found = std::find(predicates_.begin(), predicates_.end(), e.predicate());
            node.predicate = int(found - predicates_.begin());
            if (found == predicates_.end()) predicates_.push_back(e.predicate());
        }
        for (const Expr& child : e.children()) node.children.push_back(compile(child));
        nodes_.push_back(std::move(node));
        return int(nodes_.size() - 1);
    }

    void evaluate_node(int index, const std::vector<Column<bool>>& masks, Eigen::Index count, std::size_t depth,
                       Column<bool>& out) {
        const Node& node = nodes_[std::size_t(index)];
        auto result = out.head(count);
        switch (node.kind) {
            case Expr::Kind::always: result.setConstant(true); return;
            case Expr::Kind::predicate: result = masks[std::size_t(node.predicate)].head(count); return;
            default: break;
        }
        if (scratch_.size() <= depth) scratch_.emplace_back(out.size());
        Column<bool>& term = scratch_[depth];
        result.setConstant(node.kind != Expr::Kind::any);  // all and not start from true, any from false
        for (int child : node.children) {
            evaluate_node(child, masks, count, depth + 1, term);
            if (node.kind == Expr::Kind::any) result = result || term.head(count);
            else result = result && term.head(count);
        }
        if (node.kind == Expr::Kind::negation) result = !result;
    }

    std::vector<Node> nodes_;
    std::vector<int> roots_;
    std::vector<Predicate> predicates_;
    std::deque<Column<bool>> scratch_;  // one per depth; a deque keeps references to them valid as it grows
};

}  // namespace detail

/// Evaluates every segment's definition on every universe user, independently of the
/// first-match assignment, and checks count, overlap, coverage and membership.
///
/// Works over blocks of users that stay in cache; each distinct predicate is computed
/// once per block and the definitions combine the masks.
template <class Scalar>
MeceCheck check_mece(const std::vector<SegmentDefinition>& segments, const Assignment& assignment,
                     const Dataset<Scalar>& data, const Universe& universe) {
    MeceCheck check;
    const Eigen::Index n = universe.size();
    check.universe_size = n;
    for (auto size : assignment.sizes) check.assigned_total += size;
    const bool assigned = assignment.segment_ids.size() == n;
    if (!assigned) check.misassigned = n;

    detail::DefinitionEvaluator evaluator(segments);
    const auto& predicates = evaluator.predicates();
    std::vector<std::string> features;
    std::vector<std::size_t> feature_of;
    for (const auto& p : predicates) {
        auto found = std::find(features.begin(), features.end(), p.feature);
        if (found == features.end()) found = features.insert(found, p.feature);
        feature_of.push_back(std::size_t(found - features.begin()));
    }
    std::vector<FeatureReader<Scalar>> readers;
    for (const auto& name : features) readers.emplace_back(data, universe.as_of(), name);

    constexpr Eigen::Index block = 4096;
    Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic> values(block, Eigen::Index(readers.size()));
    std::vector<Column<bool>> masks(predicates.size(), Column<bool>(block));
    Column<bool> in_segment(block);
    Column<std::int32_t> matches(block), matched_id(block);
    for (Eigen::Index start = 0; start < n; start += block) {
        const Eigen::Index count = std::min(block, n - start);
        for (std::size_t f = 0; f < readers.size(); ++f)
            readers[f].gather(universe.rows().data() + start, count, values.col(Eigen::Index(f)).data());
        for (std::size_t p = 0; p < predicates.size(); ++p)
            masks[p].head(count) = compare(values.col(Eigen::Index(feature_of[p])).head(count), predicates[p].op, predicates[p].value);
        auto m = matches.head(count);
        auto id = matched_id.head(count);
        m.setZero();
        id.setZero();
        for (std::size_t s = 0; s < segments.size(); ++s) {
            evaluator.evaluate(s, masks, count, in_segment);
            const auto inside = in_segment.head(count);
            m += inside.template cast<std::int32_t>();
            id = inside.select(segments[s].id, id);
        }
        check.overlapping += (m > 1).count();
        check.uncovered += (m == 0).count();
        if (assigned) check.misassigned += (m == 1 && id != assignment.segment_ids.segment(start, count)).count();
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
