#pragma once
/// \file rule_tree/expression.hpp
/// A segment's effective definition: a boolean expression over predicates with
/// resolved thresholds. It renders as the exact "Rules Applied" text, serialises as
/// the machine-readable `rule`, and evaluates over a universe independently of the
/// assignment, which is how the MECE checks and the tests hold the assignment to it.

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece {

/// A comparison operator. `between` is the half-open range `[lo, hi)` of a rule's
/// condition; a resolved predicate uses only the five plain comparisons.
enum class Op { less, less_equal, greater, greater_equal, equal, between };

/// The operator's symbol: `<`, `<=`, `>`, `>=`, `==`, `between`.
constexpr std::string_view to_string(Op op) noexcept {
    switch (op) {
        case Op::less: return "<";
        case Op::less_equal: return "<=";
        case Op::greater: return ">";
        case Op::greater_equal: return ">=";
        case Op::equal: return "==";
        case Op::between: return "between";
    }
    return "?";
}

/// The operator spelled `symbol`, if it is one.
constexpr std::optional<Op> parse_op(std::string_view symbol) noexcept {
    for (Op op : {Op::less, Op::less_equal, Op::greater, Op::greater_equal, Op::equal, Op::between})
        if (to_string(op) == symbol) return op;
    return std::nullopt;
}

/// Shortest decimal text that reads back as exactly `value`, so printed thresholds
/// select exactly what the numbers select.
inline std::string format_number(double value) {
    std::array<char, 32> text{};
    const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
    return {text.data(), result.ptr};
}

/// `feature op value`; `origin` says how the value was resolved (`p75`,
/// `max(p90 = 2311.5, 2500)`), empty for a fixed value.
struct Predicate {
    std::string feature;
    Op op = Op::greater_equal;
    double value = 0;
    std::string origin;

    /// `avg_order_value >= 1220.31 (p75)`.
    std::string text() const {
        return feature + " " + std::string(to_string(op)) + " " + value_text();
    }

    /// `1220.31 (p75)`, or `3000` for a fixed value.
    std::string value_text() const {
        return origin.empty() ? format_number(value) : format_number(value) + " (" + origin + ")";
    }

    friend bool operator==(const Predicate&, const Predicate&) = default;
};

/// `values op threshold` over a whole column, in double so a float column is compared
/// with exactly the threshold the text shows.
template <class Derived>
auto compare(const Eigen::ArrayBase<Derived>& values, Op op, double threshold) {
    const auto x = values.template cast<double>();
    using Mask = Column<bool>;
    switch (op) {
        case Op::less: return Mask(x < threshold);
        case Op::less_equal: return Mask(x <= threshold);
        case Op::greater: return Mask(x > threshold);
        case Op::greater_equal: return Mask(x >= threshold);
        case Op::equal: return Mask(x == threshold);
        case Op::between: break;
    }
    return Mask(Mask::Zero(values.size()));
}

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
                for (const auto& c : children_) out += (out.empty() ? "(" : " or ") + c.text();
                return out + ")";
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
                        out += c.text();
                    }
                }
                return out;
            }
        }
        return {};
    }

    /// Evaluates the expression on every universe user, in universe order.
    template <class Scalar>
    Column<bool> evaluate(const Dataset<Scalar>& data, const Universe& universe) const {
        std::map<std::string, Column<Scalar>, std::less<>> features;
        return evaluate(data, universe, features);
    }

    /// As above, reusing features already read into `features` (name -> universe values).
    template <class Scalar>
    Column<bool> evaluate(const Dataset<Scalar>& data, const Universe& universe,
                          std::map<std::string, Column<Scalar>, std::less<>>& features) const {
        const Eigen::Index n = universe.size();
        switch (kind_) {
            case Kind::always: return Column<bool>::Constant(n, true);
            case Kind::predicate: {
                auto found = features.find(predicate_.feature);
                if (found == features.end()) {
                    FeatureReader<Scalar> reader(data, universe.as_of(), predicate_.feature);
                    found = features.emplace(predicate_.feature, reader.gather(universe.rows())).first;
                }
                return compare(found->second, predicate_.op, predicate_.value);
            }
            case Kind::negation: return !children_.front().evaluate(data, universe, features);
            case Kind::all: {
                Column<bool> result = Column<bool>::Constant(n, true);
                for (const auto& c : children_) result = result && c.evaluate(data, universe, features);
                return result;
            }
            case Kind::any: {
                Column<bool> result = Column<bool>::Constant(n, false);
                for (const auto& c : children_) result = result || c.evaluate(data, universe, features);
                return result;
            }
        }
        return Column<bool>::Constant(n, false);
    }

    friend bool operator==(const Expr&, const Expr&) = default;

private:
    explicit Expr(Kind kind) : kind_(kind) {}

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
