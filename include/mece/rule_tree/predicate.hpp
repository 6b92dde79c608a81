#pragma once
/// \file rule_tree/predicate.hpp
/// A predicate, `feature op value`: the unit every rule is made of, and its exact text.

#include <array>
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
struct Predicate {
    std::string feature{};
    Op op = Op::greater_equal;
    double value = 0;
    std::string origin{};

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

}  // namespace mece
