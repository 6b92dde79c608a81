// The JSON config loader on any bytes: a config or mece::ConfigError, never a crash or
// a hang; a config that loads resolves over a small dataset (or names a missing feature)
// and its segments pass the MECE checks, with and without its size constraints.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <mece/io/config.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

const mece::Dataset<double>& data() {
    static const auto d = mece::generate<double>({.rows = 3000, .seed = 9, .threads = 1});
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    mece::Config config;
    try {
        config = mece::parse_config(text, "fuzz.json");
    } catch (const mece::ConfigError&) {
        return 0;
    }
    try {
        const mece::Universe universe{data(), config.universe};
        const auto rules = config.rules.resolve(data(), universe);
        const auto assignment = rules.assign(data(), universe);
        if (!mece::check_mece(rules, assignment, data(), universe).ok()) fail("the config's rules are not MECE");
        // Bounds that make the solver act on a 700-user universe, whatever the config says.
        config.constraints.min_size = std::min<Eigen::Index>(config.constraints.min_size, 40);
        config.constraints.max_size = std::min<Eigen::Index>(config.constraints.max_size, 200);
        if (config.constraints.max_size < config.constraints.min_size) config.constraints.max_size = config.constraints.min_size + 1;
        const auto solution = mece::ConstraintSolver{config.constraints}.solve(rules, assignment, data(), universe);
        if (!mece::check_mece(solution.rules, solution.assignment, data(), universe).ok()) fail("the solution is not MECE");
        const auto stats = mece::SegmentStats::compute(data(), universe, solution.assignment);
        const auto scores = mece::make_scorer(mece::default_dimensions(config.priorities, config.size_target), config.scoring)
                                .score(solution.rules, stats);
        if (scores.ranking.size() != solution.rules.segments().size()) fail("a segment is not ranked");
    } catch (const mece::ConfigError&) {
        // A rule naming a feature the data does not have, weights naming no dimension...
    }
    return 0;
}
