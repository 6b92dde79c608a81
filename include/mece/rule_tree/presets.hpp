#pragma once
/// \file rule_tree/presets.hpp
/// The rule schemes of the original projects, as rule trees: fixed thresholds
/// (`seed000`), hybrid quantiles with business floors (`seed002`), an order value by
/// engagement tree (`seed003`) and the six percentile rules (`seed004`).

#include <array>
#include <string>
#include <string_view>

#include <mece/error.hpp>
#include <mece/rule_tree.hpp>

namespace mece::presets {

/// Fixed thresholds: AOV > 3000; 1000 < AOV <= 3000 with engagement > 0.5;
/// profitability > 0.7; everyone else.
inline RuleTree seed000() {
    RuleTree tree;
    tree.add({"High AOV Abandoners", {feature("avg_order_value") > 3000}})
        .add({"Mid AOV Engaged",
              {feature("avg_order_value") > 1000, feature("avg_order_value") <= 3000, feature("engagement_score") > 0.5}})
        .add({"High Profitability", {feature("profitability_score") > 0.7}})
        .catch_all("Other Bucket");
    return tree;
}

/// Quantile thresholds held above business floors, e.g. AOV >= max(p90, 2500).
inline RuleTree seed002() {
    RuleTree tree;
    tree.add({"Premium High-Value", {feature("avg_order_value") >= quantile(0.90).at_least(2500)}})
        .add({"Engaged Mid-Value",
              {feature("avg_order_value") >= quantile(0.60).at_least(500),
               feature("engagement_score") >= quantile(0.70).at_least(0.6)}})
        .add({"Profitable Loyalists",
              {feature("profitability_score") >= quantile(0.75).at_least(0.6), feature("days_since_last_order") <= 30}})
        .add({"Frequent Browsers", {feature("sessions_last_30d") >= quantile(0.80).at_least(10)}})
        .catch_all("Other Bucket");
    return tree;
}

/// AOV high / mid / low (p67, p33), each split by engagement high / low (p50).
inline RuleTree seed003() {
    const auto engaged = [](std::string name) {
        return std::vector<Rule>{{std::move(name), {feature("engagement_score") >= percentile(50)}, {}, {}}};
    };
    RuleTree tree;
    tree.add({"High AOV", {feature("avg_order_value") >= percentile(67)}, engaged("VIP Active"), "VIP Cooling"})
        .add({"Mid AOV",
              {feature("avg_order_value").between(percentile(33), percentile(67))},
              engaged("Core Engaged"),
              "At-Risk Medium"})
        .add({"Low AOV", {feature("avg_order_value") < percentile(33)}, engaged("Price-Sensitive"), "Dormant Low-Value"})
        .catch_all("Other Bucket");
    return tree;
}

/// The six percentile rules, in order.
inline RuleTree seed004() {
    const auto aov = feature("avg_order_value");
    const auto engagement = feature("engagement_score");
    RuleTree tree;
    tree.add({"High AOV Premium", {aov >= percentile(75)}})
        .add({"Medium AOV + High Engagement", {aov.between(percentile(40), percentile(75)), engagement >= percentile(70)}})
        .add({"Medium AOV + Medium Engagement + High Profitability",
              {aov.between(percentile(40), percentile(75)), engagement.between(percentile(40), percentile(70)),
               feature("profitability_score") >= percentile(70)}})
        .add({"Low AOV + High Engagement", {aov < percentile(40), engagement >= percentile(70)}})
        .add({"Recent Customers", {feature("days_since_last_order") <= 30}})
        .catch_all("Other Bucket");
    return tree;
}

/// Names `preset` accepts.
inline constexpr std::array<std::string_view, 4> names{"seed000", "seed002", "seed003", "seed004"};

/// The preset called `name`; `ConfigError` for any other name.
inline RuleTree preset(std::string_view name) {
    if (name == "seed000") return seed000();
    if (name == "seed002") return seed002();
    if (name == "seed003") return seed003();
    if (name == "seed004") return seed004();
    detail::raise<ConfigError>("preset: unknown preset '" + std::string(name) +
                               "' (expected seed000, seed002, seed003 or seed004)");
}

}  // namespace mece::presets
