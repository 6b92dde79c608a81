#pragma once
/// \file rule_tree/presets.hpp
/// The rule schemes of the original projects, as rule trees, each from its seed: fixed
/// thresholds (`seed000`), the notebook's seven quantile rules (`seed002`), an order
/// value by engagement tree (`seed003`, as its README describes it) and the six
/// percentile rules (`seed004`). Seed 001 published only a 20-user example
/// (`tests/seed-data/seed001/rules.json`).

#include <array>
#include <string>
#include <string_view>

#include <mece/error.hpp>
#include <mece/rule_tree.hpp>

namespace mece::presets {

/// Seed 000's rules, fixed thresholds: AOV > 3000; 1000 < AOV <= 3000 with engagement
/// > 0.5; profitability > 0.7; everyone else.
inline RuleTree seed000() {
    RuleTree tree;
    tree.add({"High AOV Abandoners", {feature("avg_order_value") > 3000}})
        .add({"Mid AOV Engaged",
              {feature("avg_order_value") > 1000, feature("avg_order_value") <= 3000, feature("engagement_score") > 0.5}})
        .add({"High Profitability", {feature("profitability_score") > 0.7}})
        .catch_all("Other Bucket");
    return tree;
}

/// Seed 002's notebook, its seven rules in order: a large cart (items > p90); whales
/// (AOV > max(p90, 2500)) with high engagement (> p80), then the other whales; rising
/// stars (AOV > p60 and profitability > p80); power shoppers (sessions > p85); the other
/// mid-AOV prospects (AOV > p60); engaged potentials (engagement > p80). The notebook
/// rounds the thresholds before it uses them (`tests/seed-data/seed002/rules-rounded.json`);
/// the preset keeps them exact. (The hybrid floors this preset held before are
/// `examples/configs/hybrid-floors.json`.)
inline RuleTree seed002() {
    const auto aov = feature("avg_order_value");
    const auto whale = aov > quantile(0.90).at_least(2500);
    RuleTree tree;
    tree.add({"High Intent: Large Cart", {feature("num_cart_items") > quantile(0.90)}})
        .add({"Whales: High AOV, High Engagement", {whale, feature("engagement_score") > quantile(0.80)}})
        .add({"Whales: High AOV, Other", {whale}})
        .add({"Rising Stars: Mid AOV, High Profit", {aov > quantile(0.60), feature("profitability_score") > quantile(0.80)}})
        .add({"Power Shoppers: High Session Activity", {feature("sessions_last_30d") > quantile(0.85)}})
        .add({"Prospects: Mid AOV, Other", {aov > quantile(0.60)}})
        .add({"Engaged Potentials: Low AOV, High Engagement", {feature("engagement_score") > quantile(0.80)}})
        .catch_all("Other Bucket");
    return tree;
}

/// Seed 003's README: AOV high / mid / low (p67, p33), each split by engagement high /
/// low (p50). Its code holds another tree, twelve leaves on AOV p20/p80, engagement and
/// profitability p50: `examples/configs/seed003-code.json`.
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

/// Seed 004's six percentile rules, in order. (The seed's `now()` has a time of day, so
/// its recent customers are `days_since_last_order <= 29` in practice:
/// `tests/seed-data/seed004/rules-29-days.json`.)
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
