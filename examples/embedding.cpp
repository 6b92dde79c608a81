// Embedding: a data product's own float columns, segmented without a copy. The view
// names each buffer; validate() checks the values as the CSV reader would; mece::run
// composes the pipeline and returns a result that owns what it refers to.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include <mece/mece.hpp>

/// The caller's table, in its own layout: one vector per column.
struct Carts {
    std::vector<std::int64_t> id;
    std::vector<mece::Days> abandoned, last_order;  // days since 1970-01-01; mece::no_date: never ordered
    std::vector<float> aov, engagement, profitability;
    std::vector<std::int32_t> sessions, items;
};

std::shared_ptr<const Carts> load_carts(std::size_t n) {
    auto carts = std::make_shared<Carts>();
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    const mece::Days today = *mece::parse_date("2026-11-22");
    for (std::size_t i = 0; i < n; ++i) {
        carts->id.push_back(std::int64_t(i) + 1);
        carts->abandoned.push_back(today - mece::Days(rng() % 14));
        carts->last_order.push_back(i % 5 == 0 ? mece::no_date : today - mece::Days(rng() % 400));
        carts->aov.push_back(20.f + 400.f * unit(rng));
        carts->engagement.push_back(unit(rng));
        carts->profitability.push_back(unit(rng));
        carts->sessions.push_back(std::int32_t(rng() % 30));
        carts->items.push_back(1 + std::int32_t(rng() % 6));
    }
    return carts;
}

int main() {
    const std::shared_ptr<const Carts> carts = load_carts(100'000);
    // Zero-copy: the dataset reads the vectors in place; `owner` keeps them alive for as
    // long as any copy of the dataset (or a run's result) lives.
    const auto data = mece::Dataset<float>::view({.user_id = carts->id,
                                                  .cart_abandoned_date = carts->abandoned,
                                                  .last_order_date = carts->last_order,
                                                  .avg_order_value = carts->aov,
                                                  .sessions_last_30d = carts->sessions,
                                                  .num_cart_items = carts->items,
                                                  .engagement_score = carts->engagement,
                                                  .profitability_score = carts->profitability,
                                                  .owner = carts});
    data.validate();  // optional: ranges, dates, unique ids; an InputError names the row and column
    const auto result = mece::run(data, mece::presets::seed004(),
                                  {.universe = {.window_days = 7},
                                   .constraints = {.min_size = 1000, .max_size = 20'000},
                                   .input = "carts table"});
    const mece::Strategy& s = result.strategy;
    std::printf("%lld users in scope, %zu segments, zero-copy: %s\n", static_cast<long long>(s.universe.size()),
                s.scores.ranking.size(), result.data.avg_order_value().data() == carts->aov.data() ? "yes" : "no");
    for (int id : s.scores.ranking)
        std::printf("%2d  %-40s %6lld  %.3f\n", s.scores.of(id).rank, s.solution.rules.segment(id).name.c_str(),
                    static_cast<long long>(s.stats.size(id)), s.scores.of(id).overall);
    return result.ok() ? 0 : 1;
}
