// The whole pipeline in a few lines: synthetic data, the last 7 days, the seed004
// rules, an exact assignment, its MECE checks.

#include <cstdio>

#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

int main() {
    const auto data = mece::generate<double>({.rows = 200'000, .seed = 7});
    const mece::Universe universe{data};  // abandoned in the 7 days up to the latest date
    const mece::ResolvedRules rules = mece::presets::seed004().resolve(data, universe);
    const mece::Assignment assignment = rules.assign(data, universe);
    const mece::MeceCheck check = mece::check_mece(rules, assignment, data, universe);

    for (const auto& segment : rules.segments())
        std::printf("%-52s %7lld  %s\n", segment.name.c_str(), static_cast<long long>(assignment.sizes[segment.id - 1]),
                    segment.rules_applied().c_str());
    std::printf("MECE: %s\n", check.ok() ? "pass" : "FAIL");
    return check.ok() ? 0 : 1;
}
