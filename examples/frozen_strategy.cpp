// A frozen strategy: a run's strategy.json loaded back as a model that assigns a new
// user at once, with the run's thresholds, allocating nothing; any number of threads may
// share it.

#include <cstdio>

#include <mece/frozen.hpp>
#include <mece/io/frozen.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/strategy_writer.hpp>

int main() {
    // The nightly run: its strategy.json is the model.
    const auto data = mece::generate<double>({.rows = 100'000, .seed = 42});
    const auto result = mece::run(data, mece::presets::seed004(), {.holdout = {.share = 0.1}});
    mece::StrategyWriter{"frozen-run"}.write_strategy_json(result.strategy);

    // A service loads it once; each cart left today is segmented as it happens.
    const mece::FrozenStrategy model = mece::read_frozen_strategy("frozen-run/strategy.json");
    const mece::Days today = model.as_of() + 1;
    const mece::UserRecord user{.user_id = 900'001, .cart_abandoned_date = today, .last_order_date = today - 12,
                                .avg_order_value = 1890, .sessions_last_30d = 14, .num_cart_items = 3,
                                .engagement_score = 0.81, .profitability_score = 0.64};
    const int id = model.assign(user, today);
    std::printf("user %lld: segment %d, %s, %s\n", static_cast<long long>(user.user_id), id,
                model.rules().segment(id).name.c_str(), std::string(mece::to_string(*model.group(user.user_id))).c_str());
    return 0;
}
