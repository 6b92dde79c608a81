#pragma once
/// \file rule_tree/expression.hpp
/// A segment's effective definition: a boolean expression over predicates with
/// resolved thresholds. It renders as the exact "Rules Applied" text, serialises as
/// the machine-readable `rule`, and evaluates over a universe independently of the
/// assignment, which is how the MECE checks and the tests hold the assignment to it.

#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/engine/passes.hpp>
#include <mece/rule_tree/predicate.hpp>
#include <mece/universe.hpp>

namespace mece {

/// A boolean expression over predicates: all / any / not / always / predicate.
class Expr {
public:
    enum class Kind { all, any, negation, always, predicate };

    /// True for every user.
    static Expr always() { return Expr(Kind::always); }
    static Expr of(Predicate predicate) {
        Expr e(Kind::predicate);
        e.predicate_ = std::move(predicate);
        return e;
    }
    /// Every term holds (always, when there is none).
    static Expr all(std::vector<Expr> terms) {
        Expr e(Kind::all);
        e.children_ = std::move(terms);
        return e;
    }
    /// Some term holds (never, when there is none).
    static Expr any(std::vector<Expr> terms) {
        Expr e(Kind::any);
        e.children_ = std::move(terms);
        return e;
    }
    static Expr negate(Expr term) {
        Expr e(Kind::negation);
        e.children_.push_back(std::move(term));
        return e;
    }
    /// Conjunction of `predicates`.
    static Expr all_of(const std::vector<Predicate>& predicates) {
        std::vector<Expr> terms;
        for (const auto& p : predicates) terms.push_back(of(p));
        return all(std::move(terms));
    }

    Kind kind() const noexcept { return kind_; }
    const std::vector<Expr>& children() const noexcept { return children_; }
    const Predicate& predicate() const noexcept { return predicate_; }

    /// The exact text: a lower and an upper bound on the same feature read as a range,
    /// `1050.2 (p40) <= avg_order_value < 1220.31 (p75)`.
    std::string text() const {
        switch (kind_) {
            case Kind::always: return "all users";
            case Kind::predicate: return predicate_.text();
            case Kind::negation: return "not (" + children_.front().text() + ")";
            case Kind::any: {
                if (children_.empty()) return "no users";
                std::string out;
                for (const auto& c : children_) out += (out.empty() ? "" : " or ") + c.grouped();
                return out;
            }
            case Kind::all: {
                if (children_.empty()) return "all users";
                std::string out;
                for (std::size_t i = 0; i < children_.size(); ++i) {
                    if (!out.empty()) out += " and ";
                    const Expr& c = children_[i];
                    if (i + 1 < children_.size() && is_range(c, children_[i + 1])) {
                        const Predicate& lower = c.predicate_;
                        const Predicate& upper = children_[i + 1].predicate_;
                        out += lower.value_text() + (lower.op == Op::greater ? " < " : " <= ") + lower.feature + " " +
                               std::string(to_string(upper.op)) + " " + upper.value_text();
                        ++i;
                    } else {
                        out += c.kind_ == Kind::any ? c.grouped() : c.text();
                    }
                }
                return out;
            }
        }
        return {};
    }

    /// Evaluates the expression on every universe user, in universe order, with the
    /// engine (the same pass, comparisons and missing values as the assignment).
    template <class Scalar>
    Column<bool> evaluate(const Scope<Scalar>& scope) const {
        engine::CompiledRules compiled;
        const int root = compile(compiled);
        return engine::evaluate(scope, engine::all_rows(scope), compiled, root);
    }
    template <class Scalar>
    Column<bool> evaluate(const Dataset<Scalar>& data, const Universe& universe) const {
        return evaluate(Scope<Scalar>(data, universe));
    }

    /// Adds the expression to `compiled` and returns its node. A conjunction becomes a chain
    /// with its negated terms first, in order: the "not matched by an earlier rule" terms
    /// that later segments repeat become one shared prefix, evaluated once per block.
    int compile(engine::CompiledRules& compiled) const {
        using engine::Node;
        switch (kind_) {
            case Kind::always: return compiled.node({Node::Kind::always});
            case Kind::predicate: return compiled.node({Node::Kind::predicate, compiled.predicate(predicate_)});
            case Kind::negation: return compiled.node({Node::Kind::negation, children_.front().compile(compiled)});
            case Kind::any: {
                int result = compiled.node({Node::Kind::never});
                for (const Expr& c : children_) result = compiled.combine(Node::Kind::either, result, c.compile(compiled));
                return result;
            }
            case Kind::all: {
                int result = compiled.node({Node::Kind::always});
                for (bool negated : {true, false})
                    for (const Expr& c : children_)
                        if ((c.kind_ == Kind::negation) == negated)
                            result = compiled.combine(Node::Kind::both, result, c.compile(compiled));
                return result;
            }
        }
        return compiled.node({Node::Kind::never});
    }

    friend bool operator==(const Expr&, const Expr&) = default;

private:
    explicit Expr(Kind kind) : kind_(kind) {}

    /// The text in parentheses when it has more than one term: what an `or` or an
    /// `and` around it shows.
    std::string grouped() const {
        const bool several = (kind_ == Kind::all || kind_ == Kind::any) && children_.size() > 1;
        return several ? "(" + text() + ")" : text();
    }

    static bool is_range(const Expr& first, const Expr& second) {
        if (first.kind_ != Kind::predicate || second.kind_ != Kind::predicate) return false;
        const Predicate& lower = first.predicate_;
        const Predicate& upper = second.predicate_;
        return lower.feature == upper.feature && (lower.op == Op::greater_equal || lower.op == Op::greater) &&
               (upper.op == Op::less || upper.op == Op::less_equal);
    }

    Kind kind_ = Kind::always;
    std::vector<Expr> children_;
    Predicate predicate_;
};

}  // namespace mece
