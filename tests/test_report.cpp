#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include <mece/report.hpp>
#include <mece/rule_tree/presets.hpp>

#include "strategy_fixture.hpp"
#include "support.hpp"
#include "xml_check.hpp"

using mece::test::occurrences;
using mece::test::read_file;
using mece::test::xml_problem;

namespace {

/// A seed004 run over random users with bounds that make the solver act.
mece::test::StrategyRun run_of(const mece::RuleTree& tree) {
    std::mt19937_64 rng(3);
    return {mece::test::random_dataset(rng, 4000, 20772, 25), tree, {.min_size = 150, .max_size = 600}, true,
            {.input = "carts.csv", .rejected_rows = 3}};
}

/// The rows of the table with `id`.
std::size_t table_rows(const std::string& page, const std::string& id) {
    const auto start = page.find("id=\"" + id + "\"");
    REQUIRE(start != std::string::npos);
    const auto body = page.find("<tbody>", start), end = page.find("</tbody>", start);
    return occurrences(std::string_view(page).substr(body, end - body), "<tr>");
}

}  // namespace

TEST_CASE("report.html is one well-formed page that loads nothing") {
    const auto run = run_of(mece::presets::seed004());
    REQUIRE(run.check.ok());
    const std::string page = mece::ReportWriter::html(run.strategy());
    CHECK(xml_problem(page) == "");
    CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    // The browser is told to fetch nothing, and nothing asks it to.
    CHECK(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                    "script-src 'unsafe-inline'; img-src data:\"/>") != std::string::npos);
    for (const char* reference : {"http:", "https:", "//www", " src=", " href=", "url(", "@import", "<link", "<img", "<iframe"})
        CHECK_MESSAGE(page.find(reference) == std::string::npos, reference);
    // The four charts and the rule overlap's heatmap, inline, in the page's namespace.
    CHECK(occurrences(page, "<svg ") == 5);
    CHECK(occurrences(page, "xmlns") == 0);
    for (const char* chart : {"chart-scores", "chart-sizes", "chart-bubbles", "chart-tree", "chart-overlap"})
        CHECK(page.find(chart) != std::string::npos);
    // Run metadata, the ranked table, rules and actions, checks, the log, the scoring.
    CHECK(page.find("carts.csv") != std::string::npos);
    CHECK(page.find(mece::format_date(run.universe.as_of())) != std::string::npos);
    CHECK(page.find("<dt>rejected input rows</dt><dd>3</dd>") != std::string::npos);
    CHECK(page.find("<dt>segment size bounds</dt><dd>150 to 600</dd>") != std::string::npos);
    CHECK(page.find("<span class=\"ok\">all pass</span>") != std::string::npos);
    CHECK(table_rows(page, "strategy-table") == run.solution.rules.segments().size());
    CHECK(occurrences(page, "<div class=\"segment\"") == run.solution.rules.segments().size());
    for (const auto& segment : run.solution.rules.segments()) {
        CHECK(page.find("<b>" + mece::plot::xml_escape(segment.name) + "</b>") != std::string::npos);
        CHECK(page.find("<code>" + mece::plot::xml_escape(segment.rules_applied()) + "</code>") != std::string::npos);
        CHECK(page.find(mece::plot::xml_escape(run.scores.of(segment.id).action)) != std::string::npos);
    }
    for (const auto& threshold : run.solution.rules.thresholds())
        CHECK(page.find("<td class=\"num\">" + mece::format_number(threshold.value) + "</td></tr>") != std::string::npos);
    REQUIRE_FALSE(run.solution.log.empty());
    CHECK(occurrences(page, "<li><b>") == run.solution.log.size());
    CHECK(page.find("sortable") != std::string::npos);
    CHECK(page.find("addEventListener('click', sort)") != std::string::npos);
    // In rank order, each numeric cell carries its exact value for sorting.
    const auto first = run.scores.ranking.front();
    CHECK(page.find("<td class=\"num\" data-value=\"" + mece::format_number(run.scores.of(first).overall) + "\">") !=
          std::string::npos);
}

TEST_CASE("names, actions and reasons cannot break the page") {
    mece::RuleTree tree;
    tree.add({"<script>alert('x')</script>", {mece::feature("avg_order_value") >= mece::percentile(80)}})
        .add({"A & B \"quoted\" ]]> <!--", {mece::feature("engagement_score") >= mece::percentile(50)}})
        .catch_all("</html> \x01 caf\xC3\xA9");
    const auto run = run_of(tree);
    const std::string page = mece::ReportWriter::html(run.strategy());
    CHECK(xml_problem(page) == "");
    CHECK(occurrences(page, "<script>") == 1);  // the page's own
    CHECK(occurrences(page, "</html>") == 1);
    CHECK(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
    CHECK(page.find("A &amp; B &quot;quoted&quot; ]]&gt; &lt;!--") != std::string::npos);
}

TEST_CASE("a failed MECE check is shown as failed") {
    auto run = run_of(mece::presets::seed004());
    run.check.misassigned = 2;
    const std::string page = mece::ReportWriter::html(run.strategy());
    CHECK(page.find("<span class=\"bad\">FAILED</span>") != std::string::npos);
    CHECK(page.find("<td>rules</td><td><span class=\"bad\">FAIL</span></td><td>2 users outside the rule of their segment</td>") !=
          std::string::npos);
}

TEST_CASE("ReportWriter writes the four charts and the page, whole") {
    const auto run = run_of(mece::presets::seed004());
    const auto directory = std::filesystem::temp_directory_path() / "mece-test-report";
    std::filesystem::remove_all(directory);
    const mece::ReportWriter writer{directory};
    writer.write(run.strategy());
    const auto strategy = run.strategy();
    CHECK(read_file(directory / "scores.svg") == mece::plot::scores_chart(strategy));
    CHECK(read_file(directory / "bubbles.svg") == mece::plot::bubbles_chart(strategy));
    CHECK(read_file(directory / "tree.svg") == mece::plot::tree_chart(strategy));
    CHECK(read_file(directory / "sizes.svg") == mece::plot::sizes_chart(strategy));
    CHECK(read_file(directory / "report.html") == mece::ReportWriter::html(strategy));
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        CHECK(entry.path().extension() != ".partial");
        ++files;
    }
    CHECK(files == mece::ReportWriter::files.size());
    for (auto name : {"scores.svg", "bubbles.svg", "tree.svg", "sizes.svg"}) {
        const std::string svg = read_file(directory / name);
        CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        CHECK(xml_problem(svg) == "");
    }
    std::filesystem::remove_all(directory);
}
