// Rules in C++: quantile thresholds with floors, half-open ranges, a sub-rule tree, and
// what each segment's exact rule reads.

#include <cstdio>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

int main() {
    using mece::feature, mece::percentile, mece::quantile;
    mece::RuleTree tree;
    tree.add({"High AOV", {feature("avg_order_value") >= quantile(0.9).at_least(2500)}})   // max(p90, 2500)
        .add({"Mid AOV engaged", {feature("avg_order_value").between(percentile(40), percentile(75)),  // [p40, p75)
                                  feature("engagement_score") >= percentile(70)}})
        .add({"Recent", {feature("days_since_last_order") <= 30}})                           // never ordered: no match
        .catch_all("Other Bucket");

    const auto result = mece::run(mece::generate<double>({.rows = 50'000}), tree, {.apply_constraints = false});
    for (const auto& segment : result.strategy.solution.rules.segments())
        std::printf("%-16s %6lld  %s\n", segment.name.c_str(), static_cast<long long>(result.strategy.stats.size(segment.id)),
                    segment.rule.text().c_str());
    return result.ok() ? 0 : 1;
}
