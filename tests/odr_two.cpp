#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

int odr_two() {
    const auto data = mece::generate<float>({.rows = 1000});
    const mece::Universe universe{data};
    return int(mece::presets::seed004().resolve(data, universe).segments().size());
}
