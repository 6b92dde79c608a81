// A frozen strategy read from any bytes: a FrozenStrategy or mece::InputError, never a
// crash or a hang. A strategy that loads assigns every user of a small dataset to one of
// its segments, and the walk for one user agrees with the engine's pass for all.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include <mece/frozen.hpp>
#include <mece/io/frozen.hpp>
#include <mece/io/generator.hpp>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

const mece::Dataset<double>& users() {
    static const auto data = mece::generate<double>({.rows = 2000, .seed = 3});
    return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const nlohmann::json j = nlohmann::json::parse(reinterpret_cast<const char*>(bytes), reinterpret_cast<const char*>(bytes) + size,
                                                   nullptr, false);
    if (j.is_discarded()) return 0;
    try {
        const mece::FrozenStrategy frozen = mece::frozen_strategy(j, "fuzz.json");
        const auto& data = users();
        const mece::Universe universe = frozen.universe(data, mece::Universe(data).as_of(), 1);
        const mece::Scope<double> scope(data, universe, {.threads = 1});
        const mece::Assignment batch = frozen.assign(scope);
        const auto segments = std::int32_t(frozen.rules().segments().size());
        std::vector<double> extra(frozen.extra_features().size(), 0.5);
        for (mece::RowIndex i = 0; i < universe.size(); ++i) {
            const mece::RowIndex row = universe.rows()[i];
            const mece::UserRecord user = mece::user_record(data, row, extra);
            const int id = frozen.assign(user, universe.as_of());
            if (id < 1 || id > segments) fail("a user outside every segment");
            if (frozen.extra_features().empty() && id != batch.segment_ids[i]) fail("the walk and the engine disagree");
        }
    } catch (const mece::InputError&) {
    } catch (const mece::ConfigError&) {  // an extra feature the data lacks
    }
    return 0;
}
