#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>
#include <string>

#include <doctest/doctest.h>

#include <mece/io/csv.hpp>
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
