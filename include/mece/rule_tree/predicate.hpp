#pragma once
/// \file rule_tree/predicate.hpp
/// A predicate, `feature op value`: the unit every rule is made of, and its exact text.

#include <array>
#include <cmath>
#include <limits>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include <mece/error.hpp>

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

/// `feature op value`; `origin` says how the value was resolved (`p75`,
/// `max(p90 = 2311.5, 2500)`), empty for a fixed value.
///
/// `shown`, when set, is the number the text prints in place of `value`: for a quantile,
/// the shortest number that selects the same users of the universe it was resolved on
/// (`1220.3` for `1220.3049999999998`). The comparison is always with `value`, and the
/// machine forms (`strategy.json`'s `rule` and `thresholds`) keep it exact.
struct Predicate {
    std::string feature{};
    Op op = Op::greater_equal;
    double value = 0;
    std::string origin{};
    double shown = std::numeric_limits<double>::quiet_NaN();

    /// `avg_order_value >= 1220.31 (p75)`.
    std::string text() const {
        return feature + " " + std::string(to_string(op)) + " " + value_text();
    }

    /// `1220.31 (p75)`, or `3000` for a fixed value.
    std::string value_text() const {
        const std::string number = format_number(std::isnan(shown) ? value : shown);
        return origin.empty() ? number : number + " (" + origin + ")";
    }

    /// Equal when they test the same thing with the same text (an unset `shown` equals
    /// an unset one).
    friend bool operator==(const Predicate& a, const Predicate& b) {
        const bool same_shown = a.shown == b.shown || (std::isnan(a.shown) && std::isnan(b.shown));
        return a.feature == b.feature && a.op == b.op && a.value == b.value && a.origin == b.origin && same_shown;
    }
};

}  // namespace mece
