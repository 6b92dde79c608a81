#include <cmath>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/constraint_solver.hpp>
#include <mece/plot.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>
#include <mece/validation.hpp>

#include "strategy_fixture.hpp"
#include "support.hpp"
#include "xml_check.hpp"

using mece::feature;
using mece::test::occurrences;
using mece::test::xml_problem;

namespace {

using Run = mece::test::StrategyRun;

/// Users with `avg_order_value` 0..n-1, all in the universe.
mece::Dataset<double> plot_ramp(Eigen::Index n) {
    typename mece::Dataset<double>::Columns c;
    c.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        c.user_id[i] = i + 1;
        c.cart_abandoned_date[i] = 20772;
        c.last_order_date[i] = 20772 - Eigen::Index(i % 40);
        c.avg_order_value[i] = double(i);
        c.sessions_last_30d[i] = int(i % 5);
        c.num_cart_items[i] = 1 + int(i % 3);
        c.engagement_score[i] = double(i % 100) / 100;
        c.profitability_score[i] = double(i % 10) / 10;
    }
    return mece::Dataset<double>(std::move(c));
}

/// The values of `attribute` on the elements that carry `marker` (`class="bar"`), in order.
std::vector<double> attribute_values(const std::string& svg, const std::string& marker, const std::string& attribute) {
    std::vector<double> values;
    const std::regex element("<[a-z]+ " + marker + "[^>]*>");
    const std::regex value(" " + attribute + "=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), element); it != std::sregex_iterator(); ++it) {
        std::smatch found;
        const std::string tag = it->str();
        if (std::regex_search(tag, found, value)) values.push_back(std::stod(found[1]));
    }
    return values;
}

/// A name made of the characters that break markup, with a unique number.
std::string awkward_name(std::mt19937_64& rng, int number) {
    static const std::vector<std::string> pieces = {"<", ">", "&", "\"", "'", "]]>", "<!--", "&amp;", "\x01", "\x1f",
                                                    "caf\xC3\xA9", "\xE2\x98\x95", "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xFF", "\xED\xA0\x80", " ", "Seg", "=", "/", "\\", "x"};
    std::string name;
    for (int k = std::uniform_int_distribution<int>(0, 6)(rng); k >= 0; --k)
        name += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
    return name + " " + std::to_string(number);
}

void rename(std::vector<mece::Rule>& rules, std::mt19937_64& rng, int& number) {
    for (auto& rule : rules) {
        rule.name = awkward_name(rng, ++number);
        if (!rule.catch_all.empty()) rule.catch_all = awkward_name(rng, ++number);
        rename(rule.sub_rules, rng, number);
    }
}

}  // namespace

TEST_CASE("text is escaped for XML; numbers are short and exact enough") {
    using mece::plot::xml_escape;
    CHECK(xml_escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
    CHECK(xml_escape("]]>") == "]]&gt;");
    CHECK(xml_escape(std::string("a\x01z\tq\n", 6)) == "a\xEF\xBF\xBDz\tq\n");
    CHECK(xml_escape("caf\xC3\xA9") == "caf\xC3\xA9");
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(xml_escape("a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c") == "a" + fffd + "b" + fffd + "c");  // U+FFFE, U+FFFF
    CHECK(xml_escape("\xEF\xBF\xBD\xEF\xBF\xBC") == "\xEF\xBF\xBD\xEF\xBF\xBC");               // U+FFFD, U+FFFC stay
    CHECK(xml_escape("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");                               // U+1F600 stays
    CHECK(xml_escape("\xFF<") == fffd + "&lt;");                                              // not UTF-8
    CHECK(xml_escape("\xC0\xAF") == fffd + fffd);                                            // overlong
    CHECK(xml_escape("\xED\xA0\x80") == fffd + fffd + fffd);                                  // a surrogate
    CHECK(xml_escape("\xE2\x82") == fffd + fffd);                                            // cut short
    CHECK(xml_escape("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);                      // above U+10FFFF
    CHECK(mece::plot::number_text(12.5) == "12.5");
    CHECK(mece::plot::number_text(3.0) == "3");
    CHECK(mece::plot::number_text(-0.001) == "0");
    CHECK(mece::plot::number_text(0.6894, 3) == "0.689");
    CHECK(mece::plot::number_text(std::nan("")) == "0");
    CHECK(mece::plot::number_text(INFINITY) == "0");
    CHECK(mece::plot::count_text(0) == "0");
    CHECK(mece::plot::count_text(999) == "999");
    CHECK(mece::plot::count_text(1234567) == "1,234,567");
    CHECK(mece::plot::count_text(-20000) == "-20,000");
    CHECK(mece::plot::tick_text(0.25) == "0.25");
    CHECK(mece::plot::tick_text(5000) == "5k");
    CHECK(mece::plot::tick_text(2500) == "2,500");
    CHECK(mece::plot::tick_text(200000) == "200k");
    CHECK(mece::plot::tick_text(1500000) == "1.5M");
}

TEST_CASE("axes map data to pixels and tick at round values") {
    const auto axis = mece::plot::Axis::nice(0.23, 0.71, 100, 500);
    CHECK(axis.low() == doctest::Approx(0.2));
    CHECK(axis.high() == doctest::Approx(0.8));
    CHECK(axis(0.2) == doctest::Approx(100));
    CHECK(axis(0.8) == doctest::Approx(500));
    CHECK(axis(0.5) == doctest::Approx(300));
    const auto ticks = axis.ticks();
    REQUIRE(ticks.size() == 4);
    CHECK(ticks[0] == doctest::Approx(0.2));
    CHECK(ticks[1] == doctest::Approx(0.4));
    CHECK(ticks[3] == doctest::Approx(0.8));
    const mece::plot::Axis log(100, 100000, 0, 300, true);
    CHECK(log(1000) == doctest::Approx(100));
    CHECK(log(10000) == doctest::Approx(200));
    CHECK(log(0) == doctest::Approx(0));  // below the axis: pinned to its start
    CHECK(log.ticks() == std::vector<double>{100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000});
    const auto flat = mece::plot::Axis::nice(3, 3, 0, 100);  // one value: still an axis
    CHECK(flat.high() > flat.low());
    CHECK(mece::plot::Axis::nice_step(0.13) == doctest::Approx(0.2));
    CHECK(mece::plot::Axis::nice_step(4000) == doctest::Approx(5000));
}

TEST_CASE("labels are cut to fit with an ellipsis, never inside a UTF-8 character") {
    using mece::plot::fit_text;
    using mece::plot::text_width;
    CHECK(fit_text("short", 200, 12) == "short");
    const std::string long_name(80, 'W');
    const std::string cut = fit_text(long_name, 100, 12);
    CHECK(cut.ends_with("\xE2\x80\xA6"));
    CHECK(text_width(cut, 12) <= 100);
    std::string cafes;
    for (int i = 0; i < 40; ++i) cafes += "\xC3\xA9\xE2\x98\x95";
    for (double width = 10; width < 200; width += 7) {
        const std::string fitted = fit_text(cafes, width, 12);
        const std::string body = fitted.substr(0, fitted.size() - 3);
        CHECK(cafes.starts_with(body));
        CHECK((body.size() % 5 == 0 || body.size() % 5 == 2));  // whole characters only
    }
    const auto lines = mece::plot::detail::wrap_text("aaa bbb ccc ddd eee fff ggg hhh", text_width("aaa bbb ccc", 10), 10, 2);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "aaa bbb ccc");
    CHECK(lines[1].ends_with("\xE2\x80\xA6"));
}

TEST_CASE("the score chart has one bar per segment, as long as its score, in rank order") {
    mece::RuleTree tree;
    tree.add({"Top", {feature("avg_order_value") >= 2000}})
        .add({"Middle", {feature("avg_order_value") >= 1000}, {{"Middle engaged", {feature("engagement_score") >= 0.5}}}});
    const Run run(plot_ramp(3000), tree, {.min_size = 100, .max_size = 5000});
    const std::string svg = mece::plot::scores_chart(run.strategy());
    CHECK(xml_problem(svg).empty());
    const auto scores = attribute_values(svg, "class=\"bar\"", "data-value");
    const auto widths = attribute_values(svg, "class=\"bar\"", "width");
    const auto ids = attribute_values(svg, "class=\"bar\"", "data-segment");
    REQUIRE(scores.size() == run.solution.rules.segments().size());
    for (std::size_t i = 0; i < scores.size(); ++i) {
        CHECK(int(ids[i]) == run.scores.ranking[i]);
        CHECK(scores[i] == doctest::Approx(run.scores.of(int(ids[i])).overall));
        // Length proportional to the score: the axis starts at 0.
        CHECK(widths[i] / scores[i] == doctest::Approx(widths[0] / scores[0]).epsilon(0.01));
    }
    for (const auto& tier : run.scores.tiers) CHECK(svg.find(tier.name) != std::string::npos);
}

TEST_CASE("the size chart marks the band and the segments out of bounds") {
    mece::RuleTree tree;
    tree.add({"Big", {feature("avg_order_value") >= 500}}).add({"Small", {feature("avg_order_value") >= 400}});
    SUBCASE("linear") {
        const Run run(plot_ramp(3000), tree, {.min_size = 50, .max_size = 2000}, false);  // Big 2500 > max: invalid
        const std::string svg = mece::plot::sizes_chart(run.strategy());
        CHECK(xml_problem(svg).empty());
        CHECK(occurrences(svg, "class=\"bar\"") == 2);
        CHECK(occurrences(svg, "class=\"bar invalid\"") == 1);
        CHECK(svg.find("min 50") != std::string::npos);
        CHECK(svg.find("max 2,000") != std::string::npos);
        CHECK(svg.find("above max_size (2500 &gt; 2000)") != std::string::npos);  // the reason, listed under the chart
        const auto sizes = attribute_values(svg, "class=\"bar", "data-value");
        const auto widths = attribute_values(svg, "class=\"bar", "width");
        REQUIRE(sizes.size() == 3);
        for (std::size_t i = 0; i < sizes.size(); ++i) CHECK(widths[i] / sizes[i] == doctest::Approx(widths[0] / sizes[0]).epsilon(0.01));
        CHECK(svg.find("log scale") == std::string::npos);
    }
    SUBCASE("a wide range of sizes is drawn on a log scale") {
        const Run run(plot_ramp(3000), tree, {.min_size = 1, .max_size = 3000}, false);
        const std::string svg = mece::plot::sizes_chart(run.strategy());
        CHECK(xml_problem(svg).empty());
        CHECK(svg.find("log scale") != std::string::npos);
    }
}

TEST_CASE("the tree shows a merged catch-all where it stood, naming the segment that took its users") {
    mece::RuleTree tree;
    // Under "High" (aov >= 1000, 2000 users): A 900 and B 900, the catch-all 200 < 300.
    tree.add({"High",
              {feature("avg_order_value") >= 1000},
              {{"A", {feature("avg_order_value") >= 2100}}, {"B", {feature("avg_order_value") >= 1200}}},
              "High rest"});
    const Run run(plot_ramp(3000), tree, {.min_size = 300, .max_size = 5000});
    REQUIRE(run.solution.log.size() >= 1);
    REQUIRE(run.solution.log[0].action == mece::ConstraintEvent::Action::merge);
    const std::string host = run.solution.log[0].users.at(0).first;
    const std::string svg = mece::plot::tree_chart(run.strategy());
    CHECK(xml_problem(svg).empty());
    CHECK(occurrences(svg, "<g class=\"merged\"") == 1);
    CHECK(svg.find("200 users merged into " + host) != std::string::npos);
    // In its place: after the rules beside it, under "High".
    CHECK(svg.find("<g class=\"merged\">\n<title>High rest") > svg.find("<title>B"));
    CHECK(occurrences(svg, "catch-all merged into a segment") == 1);  // the key
    // It is no segment: the segments are numbered without it.
    const auto ids = attribute_values(svg, "class=\"segment", "data-segment");
    CHECK(ids.size() == run.solution.rules.segments().size());
}

TEST_CASE("the tree shows the parts of a merged catch-all split with its segment as joining the parts, not as empty") {
    mece::RuleTree tree;
    // Top 2400, Middle 2400, the final catch-all 200 joins Middle, which is then split.
    tree.add({"Top", {feature("avg_order_value") >= 2600}}).add({"Middle", {feature("avg_order_value") >= 200}});
    const Run run(plot_ramp(5000), tree, {.min_size = 250, .max_size = 2400});
    REQUIRE(run.solution.log.size() == 2);
    REQUIRE(run.solution.log[1].action == mece::ConstraintEvent::Action::split);
    const std::string svg = mece::plot::tree_chart(run.strategy());
    CHECK(xml_problem(svg).empty());
    CHECK(occurrences(svg, "<g class=\"merged\"") == 2);  // one per part
    CHECK(occurrences(svg, "its rule joins Middle / ") == 2);
    CHECK(svg.find("empty: its rule joins") == std::string::npos);
}

TEST_CASE("the tree shows every segment, the dissolved rules where they were, splits and invalid segments") {
    mece::RuleTree tree;
    tree.add({"Top", {feature("avg_order_value") >= 2900}})  // 100 users: dissolved
        .add({"Middle", {feature("avg_order_value") >= 1000},
                         {{"Middle tiny", {feature("avg_order_value") >= 1950}}, {"Middle big", {feature("avg_order_value") >= 1100}}}})
        .catch_all("Rest");
    const Run run(plot_ramp(3000), tree, {.min_size = 200, .max_size = 700});
    const std::string svg = mece::plot::tree_chart(run.strategy());
    CHECK(xml_problem(svg).empty());
    std::size_t dissolved = 0, splits = 0, invalid = 0;
    for (const auto& e : run.solution.log) {
        dissolved += e.action == mece::ConstraintEvent::Action::dissolve;
        splits += e.action == mece::ConstraintEvent::Action::split;
    }
    for (const auto& status : run.solution.status) invalid += !status.valid;
    REQUIRE(dissolved >= 1);
    REQUIRE(splits >= 1);
    CHECK(occurrences(svg, "<g class=\"dissolved\"") == dissolved);
    CHECK(occurrences(svg, "class=\"rule split\"") == splits);
    CHECK(occurrences(svg, "split on avg_order_value") + occurrences(svg, "split on user_id_hash") >= splits);
    CHECK(occurrences(svg, "invalid\" data-segment") == invalid);
    const auto ids = attribute_values(svg, "class=\"segment", "data-segment");
    REQUIRE(ids.size() == run.solution.rules.segments().size());
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(int(ids[i]) == int(i) + 1);  // depth first = id order
    // "Top" stood first: its dashed box comes before every other rule's.
    CHECK(svg.find("<g class=\"dissolved\">\n<title>Top") < svg.find("<g class=\"rule"));
    for (const auto& segment : run.solution.rules.segments()) CHECK(svg.find(mece::plot::xml_escape(segment.name)) != std::string::npos);
}

TEST_CASE("property: charts of random rules with hostile names are well-formed and name every segment") {
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 60; ++trial) {
        const Eigen::Index n = trial % 10 == 0 ? 0 : std::uniform_int_distribution<Eigen::Index>(1, 2500)(rng);
        const int levels = std::uniform_int_distribution<int>(1, 12)(rng);
        int counter = 0, number = 0;
        mece::RuleTree tree;
        auto rules = mece::test::random_rules(rng, 2, levels, counter);
        rename(rules, rng, number);
        for (auto& rule : rules) tree.add(std::move(rule));
        tree.catch_all(awkward_name(rng, ++number));
        const auto min_size = std::uniform_int_distribution<Eigen::Index>(0, 200)(rng);
        const auto max_size = min_size + std::uniform_int_distribution<Eigen::Index>(1, 900)(rng);
        CAPTURE(trial);
        const Run run(mece::test::random_dataset(rng, n, 20772, levels), tree, {.min_size = min_size, .max_size = max_size},
                      trial % 4 != 3);
        const auto strategy = run.strategy();
        const std::vector<std::pair<const char*, std::string>> charts = {{"scores", mece::plot::scores_chart(strategy)},
                                                                         {"bubbles", mece::plot::bubbles_chart(strategy)},
                                                                         {"tree", mece::plot::tree_chart(strategy)},
                                                                         {"sizes", mece::plot::sizes_chart(strategy)}};
        for (const auto& [name, svg] : charts) {
            CAPTURE(name);
            CHECK(xml_problem(svg) == "");
            CHECK(svg.find("=\"nan") == std::string::npos);
            CHECK(svg.find("=\"inf") == std::string::npos);
            CHECK(svg.find("=\"-nan") == std::string::npos);
            for (const auto& segment : run.solution.rules.segments())
                CHECK(svg.find(mece::plot::xml_escape(segment.name)) != std::string::npos);
        }
    }
}
