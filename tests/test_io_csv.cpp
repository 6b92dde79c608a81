#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <vector>
#include <string>

#include <doctest/doctest.h>

#include <mece/io/csv.hpp>
#include <mece/rule_tree.hpp>
#include <mece/universe.hpp>
#include <mece/io/generator.hpp>

namespace {

const std::string header =
    "user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,engagement_score,"
    "profitability_score\n";
const std::string good_row = "1,2026-11-15,2026-11-01,120.5,3,2,0.5,0.25\n";

mece::CsvLoad<double> load(const std::string& text, mece::CsvOptions options = {}) {
    std::istringstream in(text);
    return mece::read_csv<double>(in, "t.csv", options);
}

/// The message strict mode gives for `text`.
std::string error_of(const std::string& text) {
    try {
        load(text);
    } catch (const mece::InputError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("valid variants load") {
    SUBCASE("plain") {
        const auto [data, report] = load(header + good_row + "2,2026-11-14,,0,0,1,1,0\n");
        REQUIRE(data.rows() == 2);
        CHECK(report.rows == 2);
        CHECK(data.user_id()[1] == 2);
        CHECK(data.cart_abandoned_date()[0] == *mece::parse_date("2026-11-15"));
        CHECK(data.last_order_date()[0] == *mece::parse_date("2026-11-01"));
        CHECK(data.last_order_date()[1] == mece::no_date);
        CHECK(data.avg_order_value()[0] == 120.5);
        CHECK(data.sessions_last_30d()[0] == 3);
        CHECK(data.num_cart_items()[0] == 2);
        CHECK(data.engagement_score()[1] == 1.0);
        CHECK(data.profitability_score()[0] == 0.25);
    }
    SUBCASE("BOM, CRLF and no newline at the end") {
        const auto [data, report] =
            load("\xEF\xBB\xBF" "user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_"
                 "items,engagement_score,profitability_score\r\n1,2026-11-15,,1,1,1,0.5,0.5\r\n2,2026-11-15,,2,1,1,0.5,0.5");
        REQUIRE(data.rows() == 2);
        CHECK(data.avg_order_value()[1] == 2.0);
        CHECK(data.profitability_score()[1] == 0.5);
    }
    SUBCASE("reordered columns, quoted fields, extra columns kept or ignored") {
        const auto [data, report] = load(
            "note,profitability_score,engagement_score,num_cart_items,sessions_last_30d,avg_order_value,last_order_"
            "date,cart_abandoned_date,user_id,visits\n"
            "\"a, \"\"quoted\"\" note\",0.75,\"0.5\",2,3,120.5,,2026-11-15,7,4.5\n"
            "\"line\nbreak\",0.25,0.5,1,0,10,2026-10-01,2026-11-14,8,\n"
            "plain,0.25,0.5,1,0,10,2026-10-01,2026-11-14,9,6\n");
        REQUIRE(data.rows() == 3);
        CHECK(data.user_id()[0] == 7);
        CHECK(data.engagement_score()[0] == 0.5);
        CHECK(data.profitability_score()[0] == 0.75);
        CHECK(report.extra_columns == std::vector<std::string>{"visits"});
        CHECK(report.ignored_columns == std::vector<std::string>{"note"});
        REQUIRE(data.extra("visits"));
        CHECK((*data.extra("visits"))[0] == 4.5);
        CHECK(std::isnan((*data.extra("visits"))[1]));  // empty: missing
        CHECK_FALSE(data.extra("note"));
    }
    SUBCASE("blank lines are skipped and lines still counted") {
        const auto [data, report] = load(header + good_row + "\n" + "2,2026-11-15,,1,1,1,0.5,0.5\n\n");
        CHECK(data.rows() == 2);
        CHECK(error_of(header + good_row + "\n" + "2,2026-11-15,,1,1,1,1.5,0.5\n") ==
              "t.csv:4: column 'engagement_score': expected a number in [0,1], got \"1.5\"");
    }
    SUBCASE("float columns") {
        std::istringstream in(header + good_row);
        const auto [data, report] = mece::read_csv<float>(in, "t.csv");
        CHECK(data.avg_order_value()[0] == 120.5f);
    }
}

TEST_CASE("every malformed input stops strict mode with the place and the text") {
    CHECK(error_of("") == "t.csv: empty file, expected a header line");
    CHECK(error_of(header) == "t.csv: no data rows after the header");
    CHECK(error_of("user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,"
                   "profitability_score\n1,2026-11-15,,1,1,1,0.5\n") ==
          "t.csv:1: missing required column 'engagement_score'");
    CHECK(error_of("user_id,user_id\n") == "t.csv:1: column 'user_id' appears twice in the header");
    CHECK(error_of(header + "1,2026-11-15,,120,3,2,1.7,0.5\n") ==
          "t.csv:2: column 'engagement_score': expected a number in [0,1], got \"1.7\"");
    CHECK(error_of(header + good_row + "2,2026-11-15,,nan,3,2,0.5,0.5\n") ==
          "t.csv:3: column 'avg_order_value': expected a number >= 0, got \"nan\"");
    CHECK(error_of(header + "2,2026-11-15,,inf,3,2,0.5,0.5\n") ==
          "t.csv:2: column 'avg_order_value': expected a number >= 0, got \"inf\"");
    CHECK(error_of(header + "2,2026-11-15,,-5,3,2,0.5,0.5\n") ==
          "t.csv:2: column 'avg_order_value': expected a number >= 0, got \"-5\"");
    CHECK(error_of(header + "2,2026-11-15,,5,-1,2,0.5,0.5\n") ==
          "t.csv:2: column 'sessions_last_30d': expected an integer >= 0, got \"-1\"");
    CHECK(error_of(header + "2,2026-11-15,,5,2.5,2,0.5,0.5\n") ==
          "t.csv:2: column 'sessions_last_30d': expected an integer >= 0, got \"2.5\"");
    CHECK(error_of(header + "2,2026-11-15,,5,1,0,0.5,0.5\n") ==
          "t.csv:2: column 'num_cart_items': expected an integer >= 1, got \"0\"");
    CHECK(error_of(header + "abc,2026-11-15,,5,1,1,0.5,0.5\n") ==
          "t.csv:2: column 'user_id': expected an integer, got \"abc\"");
    CHECK(error_of(header + "2,2026-02-30,,5,1,1,0.5,0.5\n") ==
          "t.csv:2: column 'cart_abandoned_date': expected a valid date YYYY-MM-DD, got \"2026-02-30\"");
    CHECK(error_of(header + "2,2026-11-15,2026-13-01,5,1,1,0.5,0.5\n") ==
          "t.csv:2: column 'last_order_date': expected a valid date YYYY-MM-DD or an empty field, got \"2026-13-01\"");
    CHECK(error_of(header + good_row + "2,2026-11-15,,5,1\n") == "t.csv:3: expected 8 fields, got 5");
    CHECK(error_of(header + good_row + "2,2026-11-15,,5") == "t.csv:3: expected 8 fields, got 4 (the last line is truncated)");
    CHECK(error_of(header + good_row + "2,2026-11-15,,5,1,1,0.5,0.5,9\n") == "t.csv:3: expected 8 fields, got 9");
    CHECK(error_of(header + good_row + "2,2026-11-15,,\"5,1,1,0.5,0.5\n") ==
          "t.csv:3: column 'avg_order_value': quoted field never closes");
    CHECK(error_of(header + "2,2026-11-15,,5\"0,1,1,0.5,0.5\n") ==
          "t.csv:2: column 'avg_order_value': unexpected '\"' inside an unquoted field");
    CHECK(error_of(header + "2,2026-11-15,,\"5\"0,1,1,0.5,0.5\n") ==
          "t.csv:2: column 'avg_order_value': unexpected text after the closing quote");
    CHECK(error_of(header + good_row + "3,2026-11-15,,5,1,1,0.5,0.5\n1,2026-11-15,,5,1,1,0.5,0.5\n") ==
          "t.csv:4: column 'user_id': duplicate user id 1, first seen on line 2");
    CHECK(error_of(header + "2,2026-11-15,,\"" + std::string(100, 'x') + "\",1,1,0.5,0.5\n") ==
          "t.csv:2: column 'avg_order_value': expected a number >= 0, got \"" + std::string(64, 'x') + "...\"");
}

TEST_CASE("a record split across the reader's chunks, and a field larger than a chunk") {
    const std::string big(5 << 20, 'z');  // 5 MB: more than one read buffer
    std::string text = "note," + header;
    for (int i = 0; i < 60000; ++i) text += "n," + std::to_string(i) + ",2026-11-15,,1.25,1,1,0.5,0.5\n";
    text += "\"" + big + "\",60000,2026-11-15,,1.25,1,1,0.5,0.5\n";
    const auto [data, report] = load(text);
    CHECK(data.rows() == 60001);
    CHECK(data.user_id()[60000] == 60000);
    CHECK(report.ignored_columns == std::vector<std::string>{"note"});
}

TEST_CASE("lenient mode sets bad rows aside, counts them all and keeps the first messages") {
    std::string text = header + good_row;
    text += "2,2026-11-15,,1,1,1,7,0.5\n";   // line 3
    text += "3,2026-11-15,,1,1,1,0.5,0.5\n";  // line 4
    text += "1,2026-11-15,,1,1,1,0.5,0.5\n";  // line 5: duplicate of line 2
    text += "4,2026-11-15,,1,1\n";            // line 6
    const auto [data, report] = load(text, {.lenient = true, .max_messages = 2});
    CHECK(data.rows() == 2);
    CHECK(data.user_id()[0] == 1);
    CHECK(data.user_id()[1] == 3);
    CHECK(report.rows == 2);
    CHECK(report.rejected == 3);
    REQUIRE(report.rejections.size() == 2);
    CHECK(report.rejections[0].line == 3);
    CHECK(report.rejections[0].message == "t.csv:3: column 'engagement_score': expected a number in [0,1], got \"7\"");
    CHECK(report.rejections[1].line == 5);
    CHECK(report.rejections[1].message == "t.csv:5: column 'user_id': duplicate user id 1, first seen on line 2");
}

TEST_CASE("a header that cannot be read says what it looks like") {
    const std::string lf = header.substr(0, header.size() - 1);
    std::string semicolons = lf, tabs = lf, upper = lf, cr = lf + "\r" + good_row;
    std::replace(semicolons.begin(), semicolons.end(), ',', ';');
    std::replace(tabs.begin(), tabs.end(), ',', '\t');
    std::replace(cr.begin(), cr.end(), '\n', '\r');
    upper.replace(0, 7, "USER_ID");
    CHECK(error_of(semicolons + "\n1;2026-11-15\n") ==
          "t.csv:1: missing required column 'user_id' (the header is one column, '" + semicolons.substr(0, 80) + "... (" +
              std::to_string(semicolons.size()) + " bytes)': the file looks separated by ';'; mece reads comma-separated values)");
    CHECK(error_of(tabs + "\n").find("the file looks separated by tabs; mece reads comma-separated values)") != std::string::npos);
    CHECK(error_of(upper + "\n" + good_row) ==
          "t.csv:1: missing required column 'user_id' (there is a column 'USER_ID': names are case-sensitive, write them in lower case)");
    CHECK(error_of(cr) == "t.csv:1: the header runs on past a carriage return (CR): the file's line breaks look like CR only "
                          "(classic Mac OS); save it with LF or CRLF line breaks");
    std::string utf16 = "\xFF\xFE";
    for (char c : lf) utf16 += std::string{c, '\0'};
    CHECK(error_of(utf16 + "\n") == "t.csv:1: the header holds NUL bytes or a UTF-16 byte order mark: the file looks like UTF-16; "
                                    "save it as UTF-8");
    // A long or hostile column name is cut and escaped, not echoed whole.
    const std::string long_name = std::string(10 << 20, 'x');
    CHECK(error_of(lf + "," + long_name + "," + long_name + "\n") ==
          "t.csv:1: column '" + std::string(80, 'x') + "... (10485760 bytes)' appears twice in the header");
    CHECK(error_of(lf + ",a\x1b[2J,a\x1b[2J\n") == "t.csv:1: column 'a\\x1b[2J' appears twice in the header");
}

TEST_CASE("an extra column: pandas' missing markers are missing; one of text says where when a rule asks for it") {
    const std::string head = header.substr(0, header.size() - 1) + ",visits,note\n";
    const auto loaded = load(head + "1,2026-11-15,,1,1,1,0.5,0.5,3,x\n2,2026-11-15,,1,1,1,0.5,0.5,NA,y\n"
                                    "3,2026-11-15,,1,1,1,0.5,0.5,null,z\n4,2026-11-15,,1,1,1,0.5,0.5,N/A,w\n");
    REQUIRE(loaded.data.extra("visits"));
    CHECK((*loaded.data.extra("visits"))[0] == 3.0);
    for (Eigen::Index i = 1; i < 4; ++i) CHECK(std::isnan((*loaded.data.extra("visits"))[i]));
    CHECK(loaded.report.ignored_columns == std::vector<std::string>{"note"});
    const mece::Universe universe{loaded.data};
    mece::RuleTree tree;
    tree.add({"Noted", {mece::feature("note") >= 1.0}});
    CHECK_THROWS_WITH_AS(tree.resolve(loaded.data, universe),
                         "rule 'Noted', condition 1.feature: feature 'note' is a column of text, not numbers: line 2 holds \"x\" (a "
                         "column is numeric when every value is a number or missing)",
                         mece::ConfigError);
}

TEST_CASE("a number that cannot be read says why: overflow, underflow, a sign, too many digits") {
    const auto row_with_aov = [](const std::string& aov) { return header + "2,2026-11-15,," + aov + ",3,2,0.5,0.5\n"; };
    const std::string at = "t.csv:2: column 'avg_order_value': expected a number >= 0, got ";
    CHECK(error_of(row_with_aov("1.8e308")) == at + "\"1.8e308\": it overflows (the largest number is 1.7976931348623157e308)");
    CHECK(error_of(row_with_aov(std::string(400, '9'))) ==
          at + "\"" + std::string(64, '9') + "...\": it overflows (the largest number is 1.7976931348623157e308)");
    CHECK(error_of(row_with_aov("1e-400")) ==
          at + "\"1e-400\": it underflows (the smallest number above 0 is 4.9e-324); write 0 for zero");
    CHECK(error_of(row_with_aov("+5")) == at + "\"+5\": a leading '+' is not allowed");
    CHECK(error_of(row_with_aov("-5")) == at + "\"-5\"");  // a number, out of range: the range says it
    CHECK(error_of(row_with_aov("five")) == at + "\"five\"");
    CHECK(error_of(header + "2,2026-11-15,,5,+3,2,0.5,0.5\n") ==
          "t.csv:2: column 'sessions_last_30d': expected an integer >= 0, got \"+3\": a leading '+' is not allowed");
    CHECK(error_of(header + "2,2026-11-15,,5,99999999999,2,0.5,0.5\n") ==
          "t.csv:2: column 'sessions_last_30d': expected an integer >= 0, got \"99999999999\": beyond the integers the column holds");
}

TEST_CASE("lenient mode sets aside records whose quotes are wrong, and says what an unclosed quote took") {
    std::string text = header + good_row;
    text += "2,2026-11-15,,5\"0,1,1,0.5,0.5\n";      // line 3: a stray quote
    text += "3,2026-11-15,,\"5\"0,1,1,0.5,0.5\n";    // line 4: text after the closing quote
    text += "4,2026-11-15,,1,1,1,0.5,0.5\n";          // line 5
    text += "5,2026-11-15,,\"7,1,1,0.5,0.5\n";       // line 6: never closes, takes lines 6 to 8
    text += "6,2026-11-15,,1,1,1,0.5,0.5\n";
    text += "7,2026-11-15,,1,1,1,0.5,0.5\n";
    const auto [data, report] = load(text, {.lenient = true});
    CHECK(data.rows() == 2);
    CHECK(data.user_id()[1] == 4);
    CHECK(report.rejected == 3);
    REQUIRE(report.rejections.size() == 3);
    CHECK(report.rejections[0].message == "t.csv:3: column 'avg_order_value': unexpected '\"' inside an unquoted field");
    CHECK(report.rejections[1].message == "t.csv:4: column 'avg_order_value': unexpected text after the closing quote");
    CHECK(report.rejections[2].message ==
          "t.csv:6: column 'avg_order_value': quoted field never closes; it takes the rest of the file, 3 lines, set aside "
          "as one record");
    // Strict mode stops at the first, as before; a header's bad quote is always an error.
    CHECK(error_of(text) == "t.csv:3: column 'avg_order_value': unexpected '\"' inside an unquoted field");
    CHECK_THROWS_WITH_AS(load("user_id,\"cart\"x\n1\n", {.lenient = true}), "t.csv:1: unexpected text after the closing quote",
                         mece::InputError);
}

TEST_CASE("writing and reading back gives the same data") {
    const auto original = mece::generate<double>({.rows = 5000, .seed = 3});
    std::stringstream file;
    mece::write_csv(original, file);
    const auto [copy, report] = mece::read_csv<double>(file, "copy.csv");
    REQUIRE(copy.rows() == original.rows());
    CHECK((copy.user_id() == original.user_id()).all());
    CHECK((copy.cart_abandoned_date() == original.cart_abandoned_date()).all());
    CHECK((copy.last_order_date() == original.last_order_date()).all());
    CHECK((copy.avg_order_value() == original.avg_order_value()).all());
    CHECK((copy.sessions_last_30d() == original.sessions_last_30d()).all());
    CHECK((copy.num_cart_items() == original.num_cart_items()).all());
    CHECK((copy.engagement_score() == original.engagement_score()).all());
    CHECK((copy.profitability_score() == original.profitability_score()).all());
}

TEST_CASE("a missing file is named") {
    CHECK_THROWS_WITH_AS(mece::read_csv<double>(std::filesystem::path("/nonexistent/carts.csv")),
                         "/nonexistent/carts.csv: cannot open file", mece::InputError);
}

namespace {

/// What a read of the file at `path` gives: the columns and report, or the error text.
std::string outcome(const std::filesystem::path& path, mece::CsvOptions options) {
    try {
        const auto [data, report] = mece::read_csv<double>(path, options);
        std::ostringstream out;
        mece::write_csv(data, out);
        out << "rows " << report.rows << " rejected " << report.rejected << "\n";
        for (const auto& r : report.rejections) out << r.line << " " << r.message << "\n";
        for (const auto& c : report.extra_columns) out << "extra " << c << "\n";
        for (const auto& c : report.ignored_columns) out << "ignored " << c << "\n";
        return out.str();
    } catch (const mece::InputError& e) {
        return std::string("error: ") + e.what();
    }
}

}  // namespace

TEST_CASE("property: reading a file on several threads gives what one thread gives, errors included") {
    std::mt19937_64 rng(77);
    const auto path = std::filesystem::temp_directory_path() / "mece-test-parallel.csv";
    const std::vector<std::string> headers{
        "user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,engagement_score,"
        "profitability_score",
        "note,profitability_score,engagement_score,num_cart_items,sessions_last_30d,avg_order_value,last_order_date,"
        "cart_abandoned_date,user_id,visits"};
    for (int trial = 0; trial < 200; ++trial) {
        const bool reordered = trial % 2;
        std::string text = (trial % 7 == 0 ? "\xEF\xBB\xBF" : "") + headers[reordered] + "\n";
        const int rows = std::uniform_int_distribution<int>(1, 300)(rng);
        std::uniform_int_distribution<int> kind(0, 99);
        for (int r = 0; r < rows; ++r) {
            const int k = kind(rng);
            const long long id = k == 0 ? 5 : 100 + r;  // k == 0: a duplicate id
            const std::string date = k == 1 ? "2026-02-30" : "2026-11-" + std::to_string(10 + r % 6);
            const std::string engagement = k == 2 ? "1.7" : "0." + std::to_string(r % 10);
            std::string note = k < (trial % 3 == 0 ? 60 : 10) ? "\"a note,\nover two lines\"" : k < 15 ? "\"said \"\"hi\"\"\"" : "plain";
            if (k == 3) note = "\"never closed";
            if (k == 7) note = "a stray \" quote";
            if (k == 8) note = "\"closed\" then text";
            const std::string last = r % 4 ? "2026-10-0" + std::to_string(1 + r % 9) : "";
            std::string line = reordered ? note + ",0.5," + engagement + ",2,3," + std::to_string(r * 1.25) + "," + last + "," +
                                               date + "," + std::to_string(id) + "," + std::to_string(r % 3)
                                         : std::to_string(id) + "," + date + "," + last + "," + std::to_string(r * 1.25) +
                                               ",3,2," + engagement + ",0.5";
            if (k == 4) line = "";                   // a blank line
            if (k == 5) line = line.substr(0, 12);   // too few fields
            text += line + (k == 6 ? "\r\n" : "\n");
        }
        if (trial % 5 == 0) text.pop_back();  // no newline at the end
        {
            std::ofstream out(path, std::ios::binary);
            out << text;
        }
        CAPTURE(trial);
        for (bool lenient : {false, true}) {
            const std::string one = outcome(path, {.lenient = lenient, .max_messages = 5, .threads = 1});
            const unsigned threads = std::uniform_int_distribution<unsigned>(2, 5)(rng);
            CAPTURE(threads);
            CHECK(outcome(path, {.lenient = lenient, .max_messages = 5, .threads = threads, .parallel_from_bytes = 0}) == one);
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("limits: wide headers and wide rows are refused with the place, quickly") {
    std::string columns = header.substr(0, header.size() - 1);
    for (int i = 0; i < 9993; ++i) columns += ",c" + std::to_string(i);
    CHECK(error_of(columns + "\n" + good_row) ==
          "t.csv:1: the header has 10001 columns, more than the 10000 allowed (CsvOptions::max_columns)");
    // A million columns: refused before anything is kept per column (it used to take minutes).
    std::string million = header.substr(0, header.size() - 1);
    for (int i = 0; i < 1'000'000; ++i) million += ",c" + std::to_string(i);
    CHECK(error_of(million + "\n" + good_row) ==
          "t.csv:1: the header has 1000008 columns, more than the 10000 allowed (CsvOptions::max_columns)");
    // Up to the limit, every extra column is kept; a duplicate is still found among them.
    std::string wide = header.substr(0, header.size() - 1), values = good_row.substr(0, good_row.size() - 1);
    for (int i = 0; i < 9992; ++i) (wide += ",c") += std::to_string(i), (values += ",") += std::to_string(i);
    const auto loaded = load(wide + "\n" + values + "\n");
    CHECK(loaded.data.extra_names().size() == 9992);
    CHECK((*loaded.data.extra("c9991"))[0] == 9991);
    wide.erase(wide.rfind(",c")), values.erase(values.rfind(","));  // room for one more column
    CHECK(error_of(wide + ",c17\n" + values + ",1\n") == "t.csv:1: column 'c17' appears twice in the header");
    // A row of a million fields.
    CHECK(error_of(header + good_row + "2,2026-11-15,,5,1,1,0.5,0.5" + std::string(1'000'000, ',') + "\n") ==
          "t.csv:3: expected 8 fields, got 1000008");
}

TEST_CASE("lenient mode over a million bad rows counts them all and keeps only the first messages") {
    std::string text = header + good_row;
    const std::string bad = ",2026-11-15,,5,1,1,9,0.5\n";  // engagement_score 9: out of range
    text.reserve(text.size() + 1'000'000 * (bad.size() + 8));
    for (int i = 0; i < 1'000'000; ++i) (text += std::to_string(i + 2)) += bad;
    const auto [data, report] = load(text, {.lenient = true});
    CHECK(data.rows() == 1);
    CHECK(report.rejected == 1'000'000);
    REQUIRE(report.rejections.size() == 1000);  // the default CsvOptions::max_messages: memory stays bounded
    CHECK(report.rejections.front().line == 3);
    CHECK(report.rejections.back().line == 1002);
    CHECK(report.rejections.front().message == "t.csv:3: column 'engagement_score': expected a number in [0,1], got \"9\"");
}

namespace {

/// An independent reading of one CSV cell by the schema's rules (SPEC section 2), for the
/// property test below: `std::from_chars` on the whole text, dates through std::chrono.
struct Reference {
    static std::optional<long long> integer(const std::string& text) {
        long long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
        return value;
    }
    static std::optional<double> number(const std::string& text) {
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
        return value;
    }
    static std::optional<int> date(const std::string& text) {
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
        for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
            if (text[std::size_t(i)] < '0' || text[std::size_t(i)] > '9') return std::nullopt;
        const std::chrono::year_month_day ymd{std::chrono::year{std::stoi(text.substr(0, 4))},
                                              std::chrono::month{unsigned(std::stoi(text.substr(5, 2)))},
                                              std::chrono::day{unsigned(std::stoi(text.substr(8, 2)))}};
        if (!ymd.ok()) return std::nullopt;
        return int(std::chrono::sys_days{ymd}.time_since_epoch().count());
    }
};

}  // namespace

TEST_CASE("property: every cell, plain or odd, reads as an independent reading of the schema's rules says") {
    // Rows of valid cells with, here and there, an odd one: what a fast path must either
    // read exactly as the rules say or leave to the general path, never read differently.
    std::mt19937_64 rng(2026);
    const std::vector<std::string> odd{"", " 1", "1 ", "+1", "1e5", "1E-3", "0x10", "nan", "inf", "-inf", "1.5e", ".5", "5.",
                                       "-0", "-0.0", "007", "1,5", "12345678901234567890", "123456789012345678",
                                       "-9223372036854775808", "9223372036854775808", "2147483647", "2147483648",
                                       "2024-02-29", "2023-02-29", "2026-1-01", "2026-01-01 ", "20260101", "1e400",
                                       "4.9e-324", "0.99999999999999999", "1.0000000000000001", "\"0.5\"", "\"2026-11-15\"",
                                       "\"12\"", "1\r", "-", "--1", "1-", "\xEF\xBB\xBF" "1"};
    const std::vector<std::string> names{"user_id", "cart_abandoned_date", "last_order_date", "avg_order_value",
                                         "sessions_last_30d", "num_cart_items", "engagement_score", "profitability_score",
                                         "visits", "note"};
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<std::size_t> order(names.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        if (trial % 3) std::shuffle(order.begin(), order.end(), rng);
        if (trial % 4 == 0) order.erase(std::find(order.begin(), order.end(), std::size_t{9}));  // no text column
        if (trial % 5 == 0) order.erase(std::find(order.begin(), order.end(), std::size_t{8}));  // no extra column
        std::string text;
        for (std::size_t c = 0; c < order.size(); ++c) text += (c ? "," : "") + names[order[c]];
        text += trial % 6 == 1 ? "\r\n" : "\n";
        struct Expected {
            std::vector<std::string> cells;
            bool crlf;
        };
        std::vector<Expected> rows;
        const int count = std::uniform_int_distribution<int>(1, 400)(rng);
        std::uniform_int_distribution<std::size_t> pick_odd(0, odd.size() - 1);
        std::bernoulli_distribution oddly(trial % 2 ? 0.01 : 0.08);
        for (int r = 0; r < count; ++r) {
            std::vector<std::string> cells{std::to_string(1000 + r), "2026-11-" + std::to_string(10 + r % 6),
                                           r % 5 ? "2025-0" + std::to_string(1 + r % 9) + "-28" : "",
                                           std::to_string(r) + "." + std::to_string(r % 100), std::to_string(r % 40),
                                           std::to_string(1 + r % 7), "0." + std::to_string(r % 1000), r % 9 ? "0.25" : "1",
                                           r % 11 ? std::to_string(r % 13) : "", r % 3 ? "plain" : "\"a, \"\"quoted\"\" note\""};
            for (std::size_t f = 0; f < 9; ++f)
                if (oddly(rng)) cells[f] = f == 0 && r % 2 ? std::to_string(1000 + r) + "x" : odd[pick_odd(rng)];
            std::string line;
            for (std::size_t c = 0; c < order.size(); ++c) line += (c ? "," : "") + cells[order[c]];
            rows.push_back({cells, r % 17 == 3});
            text += line + (r % 17 == 3 ? "\r\n" : "\n");
        }
        CAPTURE(trial);
        // The reference: which rows load, with which values, and whether `visits` stays numeric.
        const auto unquote = [](std::string cell) {
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
            return cell;
        };
        std::size_t rejected = 0;
        bool visits_numeric = std::find(order.begin(), order.end(), std::size_t{8}) != order.end();
        std::vector<std::vector<double>> loaded;
        std::vector<double> visits;
        std::set<long long> seen;
        for (auto& row : rows) {
            // A record's last '\r' before its newline is the line end's, not the last cell's.
            if (!row.crlf && !row.cells[order.back()].empty() && row.cells[order.back()].back() == '\r')
                row.cells[order.back()].pop_back();
            std::vector<std::string> cell;
            for (std::size_t f = 0; f < 9; ++f) cell.push_back(unquote(row.cells[f]));
            const bool count_ok = std::all_of(row.cells.begin(), row.cells.end(), [](const std::string& c) {
                // a bare comma inside a cell changes the fields the reader sees (a stray quote
                // stops even lenient mode, as the test above shows: none is drawn)
                return c.find(',') == std::string::npos || (c.front() == '"' && c.back() == '"');
            });
            const auto id = Reference::integer(cell[0]);
            const auto abandoned = Reference::date(cell[1]);
            const auto last = cell[2].empty() ? std::optional<int>(mece::no_date) : Reference::date(cell[2]);
            const auto aov = Reference::number(cell[3]);
            const auto sessions = Reference::integer(cell[4]);
            const auto items = Reference::integer(cell[5]);
            const auto engagement = Reference::number(cell[6]);
            const auto profitability = Reference::number(cell[7]);
            const bool ok = count_ok && id && !seen.count(*id) && abandoned && last && aov &&
                            *aov >= 0 && sessions && *sessions >= 0 && *sessions <= 2147483647 && items && *items >= 1 &&
                            *items <= 2147483647 && engagement && *engagement >= 0 && *engagement <= 1 && profitability &&
                            *profitability >= 0 && *profitability <= 1;
            if (!ok) {
                ++rejected;
                continue;
            }
            seen.insert(*id);  // a repeated id is set aside, the first row kept
            loaded.push_back({double(*id), double(*abandoned), double(*last), *aov, double(*sessions), double(*items),
                              *engagement, *profitability});
            if (visits_numeric) {
                if (cell[8].empty()) visits.push_back(std::numeric_limits<double>::quiet_NaN());
                else if (const auto v = Reference::number(cell[8])) visits.push_back(*v);
                else visits_numeric = false;
            }
        }
        const auto [data, report] = load(text, {.lenient = true, .max_messages = 1000000});
        CHECK(report.rejected == rejected);
        REQUIRE(std::size_t(data.rows()) == loaded.size());
        for (std::size_t i = 0; i < loaded.size(); ++i) {
            CAPTURE(i);
            CHECK(double(data.user_id()[Eigen::Index(i)]) == loaded[i][0]);
            CHECK(double(data.cart_abandoned_date()[Eigen::Index(i)]) == loaded[i][1]);
            CHECK(double(data.last_order_date()[Eigen::Index(i)]) == loaded[i][2]);
            CHECK(data.avg_order_value()[Eigen::Index(i)] == loaded[i][3]);
            CHECK(double(data.sessions_last_30d()[Eigen::Index(i)]) == loaded[i][4]);
            CHECK(double(data.num_cart_items()[Eigen::Index(i)]) == loaded[i][5]);
            CHECK(data.engagement_score()[Eigen::Index(i)] == loaded[i][6]);
            CHECK(data.profitability_score()[Eigen::Index(i)] == loaded[i][7]);
        }
        CHECK(bool(data.extra("visits")) == visits_numeric);
        if (visits_numeric && data.extra("visits")) {
            const auto column = *data.extra("visits");
            for (std::size_t i = 0; i < visits.size(); ++i)
                CHECK((column[Eigen::Index(i)] == visits[i] || (std::isnan(column[Eigen::Index(i)]) && std::isnan(visits[i]))));
        }
    }
}

TEST_CASE("property: the CSV scanner reads a number exactly as std::from_chars, to the bit and to the character") {
    // Plain decimals (the scanner's own fast path) of every length and point position, and
    // what must go to std::from_chars: a sign, an exponent, "5.", ".5", more than 15 digits.
    std::mt19937_64 rng(99);
    const std::vector<std::string> tails{"", ",", "\n", "\r\n", "e5", "E-3", ".", "..", "x", " "};
    long wrong = 0;
    for (int trial = 0; trial < 300000; ++trial) {
        std::string text;
        const int length = 1 + int(rng() % 22);
        for (int i = 0; i < length; ++i) text += char('0' + rng() % 10);
        if (rng() % 4) text.insert(text.begin() + std::ptrdiff_t(rng() % (text.size() + 1)), '.');
        if (rng() % 10 == 0) text = "-" + text;
        text += tails[rng() % tails.size()];
        const char* const end = text.data() + text.size();
        double scanned = 0, expected = 0;
        const char* stop = mece::detail::scan::number(text.data(), end, scanned);
        const auto [expected_stop, error] = std::from_chars(text.data(), end, expected);
        const bool valid = error == std::errc{} && expected_stop != text.data() && std::isfinite(expected);
        if ((stop != nullptr) != valid ||
            (stop && (stop != expected_stop || std::memcmp(&scanned, &expected, sizeof(double)) != 0))) {
            if (++wrong < 5) MESSAGE("differs: " << text);
        }
    }
    CHECK(wrong == 0);
    // A column of 17-digit numbers, then plain ones, then a mix: the column stops and starts
    // trying the fast path, and reads every one as std::from_chars does.
    mece::detail::scan::NumberColumn column;
    long differ = 0;
    for (int i = 0; i < 30000; ++i) {
        const bool full = i < 10000 || (i >= 20000 && rng() % 2);
        char text[40];
        const int length = full ? std::snprintf(text, sizeof text, "%.17g,", double(rng() % 1000000) / 7919.0)
                                : std::snprintf(text, sizeof text, "%d.%02d,", int(rng() % 100000), int(rng() % 100));
        double scanned = 0, expected = 0;
        const char* stop = column.scan(text, text + length, scanned);
        const auto [expected_stop, error] = std::from_chars(text, text + length, expected);
        if (error != std::errc{} || stop != expected_stop || scanned != expected) ++differ;
    }
    CHECK(differ == 0);
}
