#pragma once
/// \file validation.hpp
/// The MECE checks (SPEC section 4), computed from the segments' definitions, not from
/// the assignment they are checking.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/masks.hpp>
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

/// The counts of the MECE check over some blocks.
struct MeceCounts {
    Eigen::Index overlapping = 0, uncovered = 0, misassigned = 0;
    void add(const MeceCounts& other) noexcept {
        overlapping += other.overlapping;
        uncovered += other.uncovered;
        misassigned += other.misassigned;
    }
};

/// The check's work on one block, for a pass of its own or fused with the assignment
/// and the statistics (which then share the block and the evaluator's masks).
template <class Scalar>
class MeceStep {
public:
    /// Definitions are nodes of the compiled rules the evaluator evaluates; `ids` their segments.
    MeceStep(const std::vector<int>& definitions, const std::vector<int>& ids) : definitions_(&definitions), holds_(definitions.size()) {
        if (ids.size() != definitions.size()) raise<Error>("MECE check: the definitions and their segment ids differ in number");
        // The definitions of each id (a segment may have more than one), as spans of one array.
        std::vector<std::pair<int, std::size_t>> by_id;
        for (std::size_t s = 0; s < ids.size(); ++s) by_id.emplace_back(ids[s], s);
        std::sort(by_id.begin(), by_id.end());
        for (std::size_t k = 0; k < by_id.size(); ++k) {
            if (k == 0 || by_id[k].first != by_id[k - 1].first) {
                ids_.push_back(by_id[k].first);
                first_.push_back(of_id_.size());
            }
            of_id_.push_back(by_id[k].second);
        }
        first_.push_back(of_id_.size());
        first_.push_back(of_id_.size());  // an id with no definition: an empty span
        in_a_run_ = !ids_.empty() && std::int64_t(ids_.back()) - ids_.front() + 1 == std::int64_t(ids_.size());
    }

    /// Counts the block's users that match two definitions or none, and (when `assigned`
    /// holds the block's segment ids) those whose one definition is not their segment's.
    void operator()(engine::BlockEvaluator<Scalar>& evaluator, const engine::Block<Scalar>& block,
                    const std::int32_t* assigned, MeceCounts& counts) {
        using engine::Mask;
        const Eigen::Index words = evaluator.words();
        Mask seen{}, multiple{};
        for (std::size_t s = 0; s < definitions_->size(); ++s) {
            const Mask& holds = evaluator.node((*definitions_)[s]);  // the evaluator keeps it for the block
            holds_[s] = &holds;
            for (Eigen::Index w = 0; w < words; ++w) {
                multiple[std::size_t(w)] |= seen[std::size_t(w)] & holds[std::size_t(w)];
                seen[std::size_t(w)] |= holds[std::size_t(w)];
            }
        }
        counts.overlapping += engine::count_bits(multiple, words);
        counts.uncovered += block.size() - engine::count_bits(seen, words);
        if (!assigned) return;
        // A user matched by one definition is misassigned unless it is a definition of their segment.
        Mask single{};
        for (Eigen::Index w = 0; w < words; ++w) single[std::size_t(w)] = seen[std::size_t(w)] & ~multiple[std::size_t(w)];
        engine::for_each_bit(single, words, [&](Eigen::Index i) {
            const std::size_t g = group_of(assigned[i]);
            bool own = false;
            for (std::size_t k = first_[g]; k < first_[g + 1]; ++k) own |= ((*holds_[of_id_[k]])[std::size_t(i / 64)] >> (i % 64)) & 1;
            counts.misassigned += !own;
        });
    }

private:
    /// The place of segment `id` in `ids_`, or `ids_.size()` (no definitions) when it has none.
    std::size_t group_of(std::int32_t id) const {
        if (in_a_run_) return id >= ids_.front() && id <= ids_.back() ? std::size_t(id - ids_.front()) : ids_.size();
        const auto found = std::lower_bound(ids_.begin(), ids_.end(), id);
        return found != ids_.end() && *found == id ? std::size_t(found - ids_.begin()) : ids_.size();
    }

    const std::vector<int>* definitions_;
    std::vector<const engine::Mask*> holds_;  // each definition's rows in the current block
    std::vector<int> ids_;                    // the distinct segment ids, in order
    std::vector<std::size_t> first_, of_id_;  // id k's definitions: of_id_[first_[k], first_[k + 1]); k = ids_.size(): none
    bool in_a_run_ = false;                   // ids_ are consecutive, as a tree's segments are: a place is id - ids_.front()
};

/// The check's result from its counts, summed over the scope's shards (a collective
/// when it has them): the sizes are the assignment's, already of every shard.
template <class Scalar>
MeceCheck finish_check(const Scope<Scalar>& scope, const Assignment& assignment, MeceCounts counts) {
    std::vector<Eigen::Index> summed{counts.overlapping, counts.uncovered,
                                     assignment.segment_ids.size() == scope.size() ? counts.misassigned : scope.size()};
    add_up(scope.shards(), summed);
    MeceCheck check;
    check.universe_size = scope.total_size();
    for (auto size : assignment.sizes) check.assigned_total += size;
    check.overlapping = summed[0];
    check.uncovered = summed[1];
    check.misassigned = summed[2];
    return check;
}

}  // namespace detail

/// Evaluates every segment's definition (nodes `definitions` of `compiled`, for the
/// segments `ids`) on every user in scope, independently of the first-match assignment,
/// and checks count, overlap, coverage and membership.
///
/// One engine pass: each distinct predicate and each distinct sub-expression is evaluated
/// once per block, so the "not matched by an earlier rule" terms that later definitions
/// repeat cost one evaluation, not one per definition.
template <class Scalar>
MeceCheck check_mece(const engine::CompiledRules& compiled, const std::vector<int>& definitions, const std::vector<int>& ids,
                     const Assignment& assignment, const Scope<Scalar>& scope) {
    const bool assigned = assignment.segment_ids.size() == scope.size();
    const engine::Features<Scalar> features(scope, compiled.features());
    const auto partial = engine::for_each_block(
        scope, engine::all_rows(scope), features, [] { return detail::MeceCounts{}; },
        [&] {
            return [&, evaluator = engine::BlockEvaluator<Scalar>(compiled), step = detail::MeceStep<Scalar>(definitions, ids)](
                       const engine::Block<Scalar>& block, detail::MeceCounts& counts) mutable {
                evaluator.start(block);
                step(evaluator, block, assigned ? assignment.segment_ids.data() + block.start() : nullptr, counts);
            };
        });
    detail::MeceCounts counts;
    for (const auto& c : partial) counts.add(c);
    return detail::finish_check(scope, assignment, counts);
}

/// The checks for hand-made segment definitions.
template <class Scalar>
MeceCheck check_mece(const std::vector<SegmentDefinition>& segments, const Assignment& assignment, const Scope<Scalar>& scope) {
    engine::CompiledRules compiled;
    std::vector<int> definitions, ids;
    for (const auto& segment : segments) {
        definitions.push_back(segment.rule.compile(compiled));
        ids.push_back(segment.id);
    }
    return check_mece(compiled, definitions, ids, assignment, scope);
}
template <class Scalar>
MeceCheck check_mece(const std::vector<SegmentDefinition>& segments, const Assignment& assignment, const Dataset<Scalar>& data,
                     const Universe& universe) {
    return check_mece(segments, assignment, Scope<Scalar>(data, universe));
}

/// The checks for the segments of `rules`, with the definitions they compiled.
template <class Scalar>
MeceCheck check_mece(const ResolvedRules& rules, const Assignment& assignment, const Scope<Scalar>& scope) {
    std::vector<int> ids;
    for (const auto& segment : rules.segments()) ids.push_back(segment.id);
    return check_mece(rules.compiled(), rules.definitions(), ids, assignment, scope);
}
template <class Scalar>
MeceCheck check_mece(const ResolvedRules& rules, const Assignment& assignment, const Dataset<Scalar>& data,
                     const Universe& universe) {
    return check_mece(rules, assignment, Scope<Scalar>(data, universe));
}

}  // namespace mece
