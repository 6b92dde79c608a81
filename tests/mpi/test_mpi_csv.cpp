// A CSV file read by byte ranges, one per rank: every rank's rows are, in rank order,
// the rows one process reads from the whole file, and the report (counts, messages with
// their line numbers, extra and ignored columns) and any error are that process's, on
// every rank. The files put quoted newlines where the ranges begin.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mpi.hpp>
#include <mece/mpi/csv.hpp>

#include "support.hpp"

namespace {

using mece_test::rows_of;
using mece_test::world;

/// `text` in a file rank 0 writes; every rank gets its path once it is written.
std::filesystem::path shared_file(const std::string& text) {
    static int serial = 0;
    std::string path;
    if (world().rank() == 0) {
        path = (std::filesystem::temp_directory_path() / ("mece-mpi-csv-" + std::to_string(::getpid()) + "-" +
                                                           std::to_string(serial) + ".csv")).string();
        std::ofstream(path, std::ios::binary) << text;
    }
    ++serial;
    return world().broadcast(path, 0);
}

/// The CSV of `rows` synthetic users, with a last column `note` whose quoted text holds
/// `note_lines` lines, commas and quotes; `edit` may change a row's fields first.
template <class Edit>
std::string csv_with_notes(Eigen::Index rows, unsigned seed, int note_lines, Edit edit, const char* newline = "\n") {
    std::ostringstream written;
    mece::write_csv(mece::generate<double>({.rows = rows, .seed = seed, .threads = 1}), written);
    std::istringstream lines(written.str());
    std::string line, out;
    for (Eigen::Index row = -1; std::getline(lines, line); ++row) {
        if (row < 0) {
            out += line + ",note" + newline;
            continue;
        }
        edit(row, line);
        std::string note;
        for (int k = 0; k < note_lines; ++k) note += std::string(k ? newline : "") + "note " + std::to_string(k) + ", \"\"said\"\" x,1,2";
        out += line + ",\"" + note + "\"" + newline;
    }
    return out;
}
std::string csv_with_notes(Eigen::Index rows, unsigned seed, int note_lines) {
    return csv_with_notes(rows, seed, note_lines, [](Eigen::Index, std::string&) {});
}

/// Replaces field `k` (from 0) of a CSV line.
void set_field(std::string& line, int k, const std::string& value) {
    std::size_t begin = 0;
    for (int i = 0; i < k; ++i) begin = line.find(',', begin) + 1;
    const std::size_t end = line.find(',', begin);
    line.replace(begin, end == std::string::npos ? std::string::npos : end - begin, value);
}

/// How many ranks' ranges start inside a quoted field of `text`.
int starts_in_quotes(const std::filesystem::path& path, const std::string& text) {
    const std::uintmax_t header_end = text.find('\n') + 1;
    int inside = 0;
    for (std::uintmax_t start : mece::detail::part_starts(path, header_end, text.size(), unsigned(world().size())))
        inside += std::count(text.begin(), text.begin() + std::ptrdiff_t(start), '"') % 2;
    return inside;
}

std::string error_of(auto&& read) {
    try {
        read();
    } catch (const mece::InputError& e) {
        return e.what();
    }
    return "";
}

/// Reads `path` over the ranks and in one process and checks they agree.
void check_same_load(const std::filesystem::path& path, mece::CsvOptions options) {
    INFO(world().size() << " ranks, " << options.threads << " threads, lenient " << options.lenient);
    const std::string expected_error = error_of([&] { (void)mece::read_csv<double>(path, options); });
    std::optional<mece::CsvLoad<double>> got;
    const std::string got_error = error_of([&] { got = mece::mpi::read_csv<double>(world(), path, options); });
    CHECK(got_error == expected_error);
    if (!expected_error.empty() || !got) return;
    const mece::CsvLoad<double> expected = mece::read_csv<double>(path, options);
    CHECK(got->report.rows == expected.report.rows);
    CHECK(got->report.rejected == expected.report.rejected);
    CHECK(got->report.extra_columns == expected.report.extra_columns);
    CHECK(got->report.ignored_columns == expected.report.ignored_columns);
    REQUIRE(got->report.rejections.size() == expected.report.rejections.size());
    for (std::size_t k = 0; k < expected.report.rejections.size(); ++k) {
        CHECK(got->report.rejections[k].line == expected.report.rejections[k].line);
        CHECK(got->report.rejections[k].message == expected.report.rejections[k].message);
    }
    CHECK(got->data.text_columns() == expected.data.text_columns());
    // This rank's rows are the whole file's from the rows of the ranks before it on.
    const std::vector<std::int64_t> counts = world().all_gather(std::int64_t(got->data.rows()));
    Eigen::Index first = 0;
    for (int r = 0; r < world().rank(); ++r) first += counts[std::size_t(r)];
    REQUIRE(first + got->data.rows() <= expected.data.rows());
    std::ostringstream mine, theirs;
    mece::write_csv(got->data, mine);
    mece::write_csv(rows_of(expected.data, first, first + got->data.rows()), theirs);
    CHECK(mine.str() == theirs.str());
}

/// Each read on 1 and 2 threads per rank (ranges of a few KiB, so a rank's range is cut again).
void check_same_load(const std::filesystem::path& path, bool lenient, std::size_t max_messages = 1000) {
    for (unsigned threads : {1u, 2u})
        check_same_load(path, {.lenient = lenient, .max_messages = max_messages, .threads = threads, .parallel_from_bytes = 1 << 12});
}

}  // namespace

TEST_CASE("ranks reading byte ranges with quoted newlines at the boundaries read what one process reads") {
    const std::string text = csv_with_notes(3000, 5, 12);
    const auto path = shared_file(text);
    if (world().size() > 1) CHECK(starts_in_quotes(path, text) >= 1);  // or the test shows nothing of it
    check_same_load(path, false);
    check_same_load(path, true);

    SUBCASE("CRLF line ends, in the records and the quoted fields") {
        check_same_load(shared_file(csv_with_notes(2000, 6, 7, [](Eigen::Index, std::string&) {}, "\r\n")), false);
    }
    SUBCASE("one quoted field holding more than a rank's range: the ranks inside it read nothing") {
        std::string long_note = csv_with_notes(300, 7, 1);
        std::size_t at = 0;
        for (int k = 0; k <= 20; ++k) at = long_note.find("\"note 0", at) + 1;  // in row 20's note
        long_note.insert(at, std::string(40'000, 'x') + "\n" + std::string(40'000, 'y') + "\n\"\"z\"\",1\n");
        const auto p = shared_file(long_note);
        if (world().size() > 2) CHECK(starts_in_quotes(p, long_note) >= 2);
        check_same_load(p, false);
        check_same_load(p, true);
    }
    SUBCASE("fewer rows than ranks, a header alone, nothing at all") {
        check_same_load(shared_file(csv_with_notes(2, 8, 3)), false);
        check_same_load(shared_file("user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,"
                                    "num_cart_items,engagement_score,profitability_score\n"),
                        false);
        check_same_load(shared_file(""), false);
        CHECK(error_of([] { (void)mece::mpi::read_csv<double>(world(), "/nonexistent/carts.csv"); }) ==
              "/nonexistent/carts.csv: cannot open file");
    }
}

TEST_CASE("bad rows and duplicate user ids across ranks: the same rejections, or the same first error, as one process") {
    // The ids the rows have, to repeat them.
    const mece::Dataset<double> generated = mece::generate<double>({.rows = 4000, .seed = 9, .threads = 1});
    const auto id = [&](Eigen::Index row) { return std::to_string(generated.user_id()[row]); };
    const std::string text = csv_with_notes(4000, 9, 3, [&](Eigen::Index row, std::string& line) {
        if (row % 97 == 13) set_field(line, 6, "1.7");
        if (row == 3500) set_field(line, 0, id(5));      // first seen on rank 0's range
        if (row == 3600) set_field(line, 0, id(2000));   // first seen in the middle
        if (row == 3900) set_field(line, 0, id(3899));   // first seen on the line before
    });
    const auto path = shared_file(text);
    {
        const auto whole = mece::read_csv<double>(path, {.lenient = true});
        int duplicates = 0;
        for (const auto& r : whole.report.rejections) duplicates += r.message.find("duplicate user id") != std::string::npos;
        REQUIRE(duplicates == 3);  // or the test shows nothing of them
    }
    check_same_load(path, true);
    check_same_load(path, true, 5);  // the first five messages of all the ranks'
    check_same_load(path, false);    // the first bad row

    SUBCASE("strict mode, no bad row but duplicates: the first duplicate in line order") {
        const auto dup = shared_file(csv_with_notes(4000, 9, 3, [&](Eigen::Index row, std::string& line) {
            if (row == 3950) set_field(line, 0, id(1));
            if (row == 3990) set_field(line, 0, id(3000));
        }));
        check_same_load(dup, false);
        check_same_load(dup, true);
    }
    SUBCASE("an extra column numeric in the first ranges and text in a later one is ignored everywhere") {
        // Prefix each record (not each line: notes span lines) with a number, or text on one.
        std::string out;
        bool quoted = false, start = true;
        Eigen::Index record = -1;
        for (char c : text) {
            if (start && !quoted) {
                out += record < 0 ? "score2," : record == 3700 ? "n/a-ish," : std::to_string(record % 10) + ".5,";
                ++record;
            }
            start = false;
            out += c;
            if (c == '"') quoted = !quoted;
            if (c == '\n' && !quoted) start = true;
        }
        check_same_load(shared_file(out), true);
    }
}
