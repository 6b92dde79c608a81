#pragma once
/// \file validation.hpp
/// The MECE checks (SPEC section 4), computed from the segments' definitions, not from
/// the assignment they are checking.

#include <cstdint>
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
    MeceCheck check;
    check.universe_size = scope.size();
    for (auto size : assignment.sizes) check.assigned_total += size;
    const bool assigned = assignment.segment_ids.size() == scope.size();
    if (!assigned) check.misassigned = scope.size();

    struct Counts {
        Eigen::Index overlapping = 0, uncovered = 0, misassigned = 0;
    };
    const engine::Features<Scalar> features(scope, compiled.features());
    const auto partial = engine::for_each_block(
        scope, engine::all_rows(scope), features, [] { return Counts{}; },
        [&] {
            return [&, evaluator = engine::BlockEvaluator<Scalar>(compiled),
                    matched = std::vector<std::int32_t>(engine::block_rows)](const engine::Block<Scalar>& block,
                                                                             Counts& counts) mutable {
                using engine::Mask;
                evaluator.start(block);
                const Eigen::Index words = evaluator.words();
                Mask seen{}, multiple{};
                for (std::size_t s = 0; s < definitions.size(); ++s) {
                    const Mask& holds = evaluator.node(definitions[s]);
                    for (Eigen::Index w = 0; w < words; ++w) {
                        multiple[std::size_t(w)] |= seen[std::size_t(w)] & holds[std::size_t(w)];
                        seen[std::size_t(w)] |= holds[std::size_t(w)];
                    }
                    engine::for_each_bit(holds, words, [&](Eigen::Index i) { matched[std::size_t(i)] = ids[s]; });
                }
                Mask single{};
                for (Eigen::Index w = 0; w < words; ++w) single[std::size_t(w)] = seen[std::size_t(w)] & ~multiple[std::size_t(w)];
                counts.overlapping += engine::count_bits(multiple, words);
                counts.uncovered += block.size() - engine::count_bits(seen, words);
                if (!assigned) return;
                const std::int32_t* assigned_ids = assignment.segment_ids.data() + block.start();
                engine::for_each_bit(single, words, [&](Eigen::Index i) {
                    counts.misassigned += matched[std::size_t(i)] != assigned_ids[i];
                });
            };
        });
    for (const Counts& c : partial) {
        check.overlapping += c.overlapping;
        check.uncovered += c.uncovered;
        check.misassigned += c.misassigned;
    }
    return check;
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
