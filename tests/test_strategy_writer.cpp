#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <mece/rule_tree/presets.hpp>
#include <mece/strategy_writer.hpp>

#include "strategy_fixture.hpp"
#include "support.hpp"

using mece::test::read_file;

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
    // Reversible: a leading quote is doubled, so no two names share a cell.
    CHECK(csv_cell("=VIP") == "'=VIP");
    CHECK(csv_cell("'=VIP") == "''=VIP");
    CHECK(csv_cell("'quoted") == "''quoted");
    CHECK(csv_cell("it's") == "it's");
}

/// Splits one CSV line into cells (RFC 4180 quotes), for reading back what was written.
std::vector<std::string> csv_cells(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') cells.back() += '"', ++i;
        else if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) cells.emplace_back();
        else cells.back() += c;
    }
    return cells;
}

TEST_CASE("strategy.csv, strategy.json, strategy.md and assignments.csv describe the run exactly") {
    std::mt19937_64 rng(21);
    const auto data = mece::test::random_dataset(rng, 3000, 20772, 15);
    const mece::Universe universe{data};
    mece::RuleTree tree = mece::presets::seed004();
    tree.catch_all("=HYPERLINK(\"x\")");
    const auto rules = tree.resolve(data, universe);
    const mece::ConstraintSolver solver{{.min_size = 100, .max_size = 300}};
    const auto solution = solver.solve(rules, rules.assign(data, universe), data, universe);
    REQUIRE_FALSE(solution.log.empty());
    const auto check = mece::check_mece(solution.rules, solution.assignment, data, universe);
    const auto stats = mece::SegmentStats::compute(data, universe, solution.assignment);
    const auto scores = mece::make_scorer(mece::default_dimensions()).score(solution.rules, stats);
    const auto directory = std::filesystem::temp_directory_path() / "mece-test-writer";
    std::filesystem::remove_all(directory);
    const mece::StrategyWriter writer{directory};
    writer.write({solution, scores, stats, check, universe, {.input = "test", .rejected_rows = 4}});
    writer.write_assignments(data, universe, solution.rules, solution.assignment);
    const auto& segments = solution.rules.segments();
    const std::size_t n = segments.size();

    const auto json = nlohmann::ordered_json::parse(read_file(directory / "strategy.json"));
    CHECK(json["schema_version"] == 5);
    CHECK(json["as_of"] == mece::format_date(universe.as_of()));
    CHECK(json["window_days"] == 7);
    CHECK(json["universe_size"] == universe.size());
    CHECK(json["rejected_rows"] == 4);
    CHECK(json["mece"]["ok"] == true);
    CHECK(json["constraints"] == nlohmann::ordered_json::parse(R"({"applied": true, "min_size": 100, "max_size": 300,
        "split_features": ["avg_order_value", "engagement_score", "profitability_score", "sessions_last_30d", "num_cart_items"],
        "profile_features": ["avg_order_value", "engagement_score", "profitability_score", "days_since_abandon"]})"));
    CHECK(json["thresholds"].size() == 6);
    CHECK(json["thresholds"][0]["quantile"] == 0.75);
    CHECK(json["log"].size() == solution.log.size());
    CHECK(json["log"][0]["action"] == std::string(mece::to_string(solution.log[0].action)));
    CHECK(json["tiers"].size() == 4);
    std::vector<std::string> weight_keys;
    for (const auto& item : json["weights"].items()) weight_keys.push_back(item.key());
    CHECK(weight_keys == scores.dimensions);
    REQUIRE(json["segments"].size() == n);
    for (std::size_t r = 0; r < n; ++r) {
        const auto& s = json["segments"][r];
        const int id = scores.ranking[r];
        CHECK(s["rank"] == r + 1);
        CHECK(s["id"] == id);
        CHECK(s["name"] == segments[std::size_t(id - 1)].name);
        CHECK(s["size"] == solution.assignment.sizes[std::size_t(id - 1)]);
        CHECK(s["rules_applied"] == segments[std::size_t(id - 1)].rules_applied());
        CHECK(s["rule"] == nlohmann::ordered_json(segments[std::size_t(id - 1)].rule));
        CHECK(s["overall_score"] == scores.of(id).overall);
        CHECK(s["tier"] == scores.of(id).tier);
        CHECK(s["valid"] == solution.status[std::size_t(id - 1)].valid);
        CHECK(s["invalid_reason"].is_null() == solution.status[std::size_t(id - 1)].valid);
        std::vector<std::string> keys;
        for (const auto& item : s["scores"].items()) keys.push_back(item.key());
        CHECK(keys == weight_keys);
        if (r > 0) CHECK(json["segments"][r - 1]["overall_score"] >= s["overall_score"]);
    }

    // strategy.csv: a header, then one row per segment by rank; names are neutralised.
    std::istringstream csv(read_file(directory / "strategy.csv"));
    std::string line;
    std::getline(csv, line);
    CHECK(line == "rank,id,name,parents,rules_applied,size,share,conversion_potential,profitability,lift_vs_control,"
                  "strategic_fit,size_score,overall_score,tier,valid,invalid_reason,action");
    std::size_t rows = 0;
    while (std::getline(csv, line)) {
        const auto cells = csv_cells(line);
        REQUIRE(cells.size() == 17);
        const int id = scores.ranking[rows++];
        CHECK(cells[1] == std::to_string(id));
        const std::string& name = segments[std::size_t(id - 1)].name;
        CHECK(cells[2] == (name[0] == '=' || name[0] == '\'' ? "'" + name : name));
        CHECK(cells[5] == std::to_string(solution.assignment.sizes[std::size_t(id - 1)]));
        CHECK(std::stod(cells[12]) == scores.of(id).overall);
        for (const auto& cell : cells) CHECK((cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos));
    }
    CHECK(rows == n);

    const std::string md = read_file(directory / "strategy.md");
    CHECK(md.find("# Cart abandoner strategy") == 0);
    CHECK(md.find("| 1 | ") != std::string::npos);
    CHECK(md.find("## Constraint log") != std::string::npos);
    CHECK(md.find("lift_vs_control (estimated)") != std::string::npos);

    std::istringstream assignments(read_file(directory / "assignments.csv"));
    std::getline(assignments, line);
    CHECK(line == "user_id,segment_id,segment_name");
    Eigen::Index users = 0;
    while (std::getline(assignments, line)) {
        const auto i = users++;
        const auto id = solution.assignment.segment_ids[i];
        const auto cells = csv_cells(line);
        REQUIRE(cells.size() == 3);
        CHECK(cells[0] == std::to_string(data.user_id()[universe.rows()[i]]));
        CHECK(cells[1] == std::to_string(id));
        const std::string& name = solution.rules.segment(id).name;
        CHECK(cells[2] == (name[0] == '=' || name[0] == '\'' ? "'" + name : name));
    }
    CHECK(users == universe.size());
    for (const auto& entry : std::filesystem::directory_iterator(directory)) CHECK(entry.path().extension() != ".partial");
    std::filesystem::remove_all(directory);
}

TEST_CASE("Markdown cells cannot break the table") {
    CHECK(mece::detail::markdown_text("a|b") == "a\\|b");
    CHECK(mece::detail::markdown_text("x\ny") == "x y");
    CHECK(mece::detail::markdown_text("*bold* <b>") == "\\*bold\\* \\<b>");
}

TEST_CASE("an output directory that cannot be made is named") {
    CHECK_THROWS_AS(mece::StrategyWriter{"/proc/mece-cannot-be-here"}, mece::Error);
}
