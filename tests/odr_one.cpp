// With odr_two.cpp: the headers included in two translation units of one program.
#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>

int odr_two();

int main() {
    const auto data = mece::generate<double>({.rows = 1000});
    const mece::Universe universe{data};
    const auto assignment = mece::presets::seed004().resolve(data, universe).assign(data, universe);
    return assignment.segment_ids.size() == universe.size() && odr_two() == 6 ? 0 : 1;
}
