#pragma once
/// \file engine/compiled_rules.hpp
/// Rules in the form the engine evaluates: the distinct features they read, the distinct
/// predicates they test, conjunctions as lists of predicates (what first-match assignment
/// tests) and expressions as a graph in which every distinct sub-expression is one node
/// (what the MECE check and `Expr::evaluate` test; `Expr::compile` builds them). Whatever
/// asks for a predicate or a node twice, in one rule or in many, gets the same one,
/// computed once per block.

#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <mece/rule_tree/predicate.hpp>

namespace mece::engine {

/// `feature op value`, the feature by its index among the compiled features.
struct CompiledPredicate {
    int feature = 0;
    Op op = Op::less;
    double value = 0;
};

/// Whether `x op threshold` holds: the one definition of a comparison, which the block
/// masks (`compare` in `engine/masks.hpp`) and a single user's assignment
/// (`FrozenStrategy`) share. A NaN on either side (a missing value, an unknown
/// threshold) is false; `between` never holds (a resolved rule holds no range).
constexpr bool holds(Op op, double x, double threshold) noexcept {
    switch (op) {
        case Op::less: return x < threshold;
        case Op::less_equal: return x <= threshold;
        case Op::greater: return x > threshold;
        case Op::greater_equal: return x >= threshold;
        case Op::equal: return x == threshold;
        case Op::between: return false;
    }
    return false;
}

/// A node of the expression graph: a predicate, a constant, or an operator on earlier nodes.
struct Node {
    enum class Kind : std::uint8_t { always, never, predicate, both, either, negation };
    Kind kind = Kind::always;
    /// The predicate, or the first operand.
    int a = -1;
    /// The second operand of `both` and `either`.
    int b = -1;
};

/// Compiled rules: features, predicates, conjunctions and expression nodes, each distinct.
class CompiledRules {
public:
    /// The index of the feature called `name`, added if new.
    int feature(std::string_view name) {
        for (std::size_t f = 0; f < features_.size(); ++f)
            if (features_[f] == name) return int(f);
        features_.emplace_back(name);
        return int(features_.size() - 1);
    }

    /// The index of `p`'s test (its feature, operator and value; not its text), added if new.
    int predicate(const Predicate& p) {
        const CompiledPredicate compiled{feature(p.feature), p.op, p.value};
        const auto key = std::tuple(compiled.feature, int(compiled.op), std::bit_cast<std::uint64_t>(compiled.value));
        const auto [found, added] = predicate_ids_.try_emplace(key, int(predicates_.size()));
        if (added) predicates_.push_back(compiled);
        return found->second;
    }

    /// The index of a conjunction of `predicates`: a list of predicate indices.
    int conjunction(const std::vector<Predicate>& predicates) {
        std::vector<int> ids;
        for (const auto& p : predicates) ids.push_back(predicate(p));
        conjunctions_.push_back(std::move(ids));
        return int(conjunctions_.size() - 1);
    }

    /// The index of node `n`, added if new.
    int node(Node n) {
        const auto [found, added] = node_ids_.try_emplace(std::tuple(int(n.kind), n.a, n.b), int(nodes_.size()));
        if (added) nodes_.push_back(n);
        return found->second;
    }

    /// `left op right` for `op` `both` or `either`; a chain's starting constant (`always`
    /// for `both`, `never` for `either`) is left out.
    int combine(Node::Kind op, int left, int right) {
        const Node::Kind identity = op == Node::Kind::both ? Node::Kind::always : Node::Kind::never;
        if (nodes_[std::size_t(left)].kind == identity) return right;
        return node({op, left, right});
    }

    const std::vector<std::string>& features() const noexcept { return features_; }
    const std::vector<CompiledPredicate>& predicates() const noexcept { return predicates_; }
    const std::vector<std::vector<int>>& conjunctions() const noexcept { return conjunctions_; }
    /// Nodes in an order where every operand comes before the node that uses it.
    const std::vector<Node>& nodes() const noexcept { return nodes_; }

private:
    std::vector<std::string> features_;
    std::vector<CompiledPredicate> predicates_;
    std::map<std::tuple<int, int, std::uint64_t>, int> predicate_ids_;
    std::vector<std::vector<int>> conjunctions_;
    std::vector<Node> nodes_;
    std::map<std::tuple<int, int, int>, int> node_ids_;
};

}  // namespace mece::engine
