#include "support.hpp"

template <class Scalar>
static void universe(benchmark::State& state) {
    const auto& data = mece::bench::dataset<Scalar>(state.range(0));
    for (auto _ : state) {
        const mece::Universe u{data};
        benchmark::DoNotOptimize(u.size());
    }
    state.SetItemsProcessed(state.iterations() * data.rows());
    state.SetBytesProcessed(state.iterations() * data.rows() * std::int64_t(sizeof(mece::Days)));  // reads the cart dates
}
MECE_BENCHMARK(universe);
