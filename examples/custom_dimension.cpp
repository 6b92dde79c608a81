// A scoring dimension of your own, beside the five defaults: any type with `name()` and
// `score(context)` in [0,1] models `mece::Dimension`. This one favours full baskets.

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

/// Mean items in the cart over 5, at most 1: a segment of full baskets scores 1.
struct BasketDepth {
    std::string name() const { return "basket_depth"; }
    double default_weight() const { return 0.15; }  // normalised with the defaults' 1.0
    std::string description() const { return "min(1, mean num_cart_items / 5)"; }
    double score(const mece::ScoringContext& segment) const {
        return std::min(1.0, segment.mean("num_cart_items") / 5.0);
    }
};
static_assert(mece::Dimension<BasketDepth>);

int main() {
    const auto data = mece::generate<double>({.rows = 100'000, .seed = 3});
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, assignment);

    // Weights by name, the custom dimension's too; they are normalised to sum 1.
    const auto scorer = mece::make_scorer(std::tuple_cat(mece::default_dimensions(), std::tuple{BasketDepth{}}),
                                          {.weights = {{"size_score", 0.05}}});
    const mece::Scores scores = scorer.score(rules, stats);
    for (int id : scores.ranking)
        std::printf("%d. %-52s basket_depth %.3f  overall %.3f  %s\n", scores.of(id).rank, rules.segment(id).name.c_str(),
                    scores.of(id).scores.back(), scores.of(id).overall, scores.of(id).tier.c_str());
}
