#include <mece/mece.hpp>
#include <mece/io/generator.hpp>

int main() {
    const auto data = mece::generate<double>({.rows = 5000});
    const mece::Universe universe{data};
    const auto rules = mece::presets::seed004().resolve(data, universe);
    return mece::check_mece(rules, rules.assign(data, universe), data, universe).ok() ? 0 : 1;
}
