#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <mece/rule_tree/presets.hpp>
#include <mece/strategy_writer.hpp>

#include "support.hpp"

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("CSV cells are quoted when needed and never start a formula") {
    using mece::detail::csv_cell;
    CHECK(csv_cell("High AOV") == "High AOV");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_cell("+1") == "'+1");
    CHECK(csv_cell("-1") == "'-1");
    CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_cell("\tx") == "'\tx");
    CHECK(csv_cell("\rx") == "\"'\rx\"");
}

TEST_CASE("strategy.json and assignments.csv describe the run exactly") {
    std::mt19937_64 rng(21);
    const auto data = mece::test::random_dataset(rng, 800, 20772, 15);
    const mece::Universe universe{data};
    mece::RuleTree tree = mece::presets::seed004();
    tree.catch_all("=HYPERLINK(\"x\")");
    const auto rules = tree.resolve(data, universe);
    const auto assignment = rules.assign(data, universe);
    const auto check = mece::check_mece(rules, assignment, data, universe);
    const auto directory = std::filesystem::temp_directory_path() / "mece-test-writer";
    std::filesystem::remove_all(directory);
    const mece::StrategyWriter writer{directory};
    writer.write_strategy_json(rules, assignment, check, universe, {.input = "test", .rejected_rows = 4});
    writer.write_assignments(data, universe, rules, assignment);

    const auto json = nlohmann::json::parse(read_file(directory / "strategy.json"));
    CHECK(json["schema_version"] == 1);
    CHECK(json["as_of"] == mece::format_date(universe.as_of()));
    CHECK(json["window_days"] == 7);
    CHECK(json["universe_size"] == universe.size());
    CHECK(json["rejected_rows"] == 4);
    CHECK(json["mece"]["ok"] == true);
    CHECK(json["thresholds"].size() == 6);
    CHECK(json["thresholds"][5]["kind"] == "fixed");
    CHECK(json["thresholds"][0]["feature"] == "avg_order_value");
    CHECK(json["thresholds"][0]["quantile"] == 0.75);
    REQUIRE(json["segments"].size() == 6);
    for (std::size_t i = 0; i < 6; ++i) {
        const auto& s = json["segments"][i];
        CHECK(s["id"] == i + 1);
        CHECK(s["size"] == assignment.sizes[i]);
        CHECK(s["rules_applied"] == rules.segments()[i].rules_applied());
        CHECK(s["rule"] == nlohmann::json(rules.segments()[i].rule));
    }

    std::istringstream csv(read_file(directory / "assignments.csv"));
    std::string line;
    std::getline(csv, line);
    CHECK(line == "user_id,segment_id,segment_name");
    Eigen::Index rows = 0;
    while (std::getline(csv, line)) {
        const auto i = rows++;
        const auto id = assignment.segment_ids[i];
        const std::string name = id == 6 ? "\"'=HYPERLINK(\"\"x\"\")\"" : rules.segment(id).name;
        CHECK(line == std::to_string(data.user_id()[universe.rows()[i]]) + "," + std::to_string(id) + "," + name);
    }
    CHECK(rows == universe.size());
    for (const auto& entry : std::filesystem::directory_iterator(directory))
        CHECK(entry.path().extension() != ".partial");
    std::filesystem::remove_all(directory);
}

TEST_CASE("an output directory that cannot be made is named") {
    CHECK_THROWS_AS(mece::StrategyWriter{"/proc/mece-cannot-be-here"}, mece::Error);
}
