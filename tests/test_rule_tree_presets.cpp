#include <doctest/doctest.h>

#include <mece/io/generator.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/validation.hpp>

TEST_CASE("every preset segments the synthetic data into MECE segments") {
    const auto data = mece::generate<double>({.rows = 100'000, .seed = 42});
    const mece::Universe universe{data};
    for (auto name : mece::presets::names) {
        CAPTURE(name);
        const auto rules = mece::presets::preset(name).resolve(data, universe);
        const auto assignment = rules.assign(data, universe);
        CHECK(mece::check_mece(rules, assignment, data, universe).ok());
        // Every rule of a preset selects somebody on the default data: no dead rules.
        // (seed003's three AOV bands cover every user, so only its final catch-all is empty.)
        for (const auto& segment : rules.segments()) {
            const bool covered_by_bands = name == "seed003" && segment.catch_all && segment.parents.empty();
            CHECK((assignment.sizes[std::size_t(segment.id - 1)] > 0) != covered_by_bands);
        }
    }
}

TEST_CASE("the presets hold the seeds' rules") {
    const auto data = mece::generate<double>({.rows = 20'000, .seed = 1});
    const mece::Universe universe{data};
    const auto seed000 = mece::presets::seed000().resolve(data, universe);
    CHECK(seed000.segments()[0].rules_applied() == "avg_order_value > 3000");
    CHECK(seed000.segments()[1].rules_applied() ==
          "1000 < avg_order_value <= 3000 and engagement_score > 0.5");
    const auto seed002 = mece::presets::seed002().resolve(data, universe);
    CHECK(seed002.segments().size() == 8);
    CHECK(seed002.segments()[0].name == "High Intent: Large Cart");
    CHECK(seed002.segments()[1].rules_applied().find("(max(p90 = ") != std::string::npos);
    const auto seed003 = mece::presets::seed003().resolve(data, universe);
    CHECK(seed003.segments().size() == 7);
    CHECK(seed003.segments()[0].name == "VIP Active");
    CHECK(seed003.segments()[0].parents == std::vector<std::string>{"High AOV"});
    CHECK(seed003.segments()[1].name == "VIP Cooling");
    const auto seed004 = mece::presets::seed004().resolve(data, universe);
    CHECK(seed004.segments().size() == 6);
    CHECK(seed004.segments()[4].name == "Recent Customers");
    CHECK_THROWS_WITH_AS(mece::presets::preset("seed001"),
                         "preset: unknown preset 'seed001' (expected seed000, seed002, seed003 or seed004)",
                         mece::ConfigError);
}
