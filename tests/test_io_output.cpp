// The output layer on a hostile file system: locks, links, directories at file names,
// failed writes and failed commits, outputs that would replace an input.

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <mece/io/output.hpp>

#include "strategy_fixture.hpp"

namespace fs = std::filesystem;
using mece::test::read_file;

namespace {

auto text(std::string content) {
    return [content](std::ostream& out) { out << content; };
}

/// A fresh, empty directory for one test.
fs::path scratch(const std::string& name) {
    const fs::path directory = fs::temp_directory_path() / ("mece-test-output-" + name);
    fs::remove_all(directory);
    fs::create_directories(directory);
    return directory;
}

/// The names in `directory`, sorted.
std::vector<std::string> listing(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("OutputBatch shows nothing until commit and leaves nothing behind when dropped") {
    const fs::path directory = scratch("batch");
    mece::write_file_atomically(directory / "a.txt", text("old a"));
    {
        mece::OutputBatch batch{directory};
        batch.stage(directory / "a.txt", text("new a"));
        batch.stage(directory / "b.txt", text("new b"));
        CHECK(batch.pending() == std::vector<fs::path>{directory / "a.txt", directory / "b.txt"});
        CHECK(read_file(directory / "a.txt") == "old a");
        CHECK_FALSE(fs::exists(directory / "b.txt"));
        CHECK(listing(directory).size() == 3);  // a.txt and two temporary files
        CHECK_THROWS_WITH_AS(batch.stage(directory / "c.txt", [](std::ostream&) { throw mece::Error("stopped"); }),
                             "stopped", mece::Error);
        CHECK(listing(directory).size() == 3);  // a failed write leaves no temporary file
    }  // dropped without commit: as if the run had failed
    CHECK(listing(directory) == std::vector<std::string>{"a.txt"});
    mece::OutputBatch batch{directory};
    batch.stage(directory / "a.txt", text("new a"));
    batch.stage(directory / "b.txt", text("new b"));
    batch.commit();
    CHECK(batch.pending().empty());
    CHECK(read_file(directory / "a.txt") == "new a");
    CHECK(read_file(directory / "b.txt") == "new b");
    CHECK(listing(directory) == std::vector<std::string>{"a.txt", "b.txt"});
    fs::remove_all(directory);
}

TEST_CASE("a second batch on a locked directory is refused, and allowed once the first is gone") {
    const fs::path directory = scratch("lock");
    {
        mece::OutputBatch first{directory};
        CHECK_THROWS_WITH_AS(mece::OutputBatch{directory},
                             (directory.string() + ": another run is writing to this directory; nothing was written "
                                                   "(try again when it ends, or write to another directory)").c_str(),
                             mece::Error);
        mece::OutputBatch unlocked{directory, {.lock = false}};  // a single-file writer takes no lock
    }
    mece::OutputBatch again{directory};
    again.stage(directory / "a.txt", text("a"));
    again.commit();
    CHECK(read_file(directory / "a.txt") == "a");
    fs::remove_all(directory);
}

TEST_CASE("a locked batch removes the temporary files of killed runs, and nothing else") {
    const fs::path directory = scratch("leftovers");
    for (const char* name : {"strategy.csv.0123456789abcdef.partial", "notes.partial", "x.0123456789ABCDEF.partial",
                             "keep.txt"})
        std::ofstream(directory / name) << "x";
    { mece::OutputBatch batch{directory}; }
    CHECK(listing(directory) == std::vector<std::string>{"keep.txt", "notes.partial", "x.0123456789ABCDEF.partial"});
    fs::remove_all(directory);
}

TEST_CASE("a link at an output name is replaced, never written through") {
    const fs::path directory = scratch("link"), outside = scratch("link-outside");
    std::ofstream(outside / "secret") << "keep me";
    fs::create_symlink(outside / "secret", directory / "a.txt");
    fs::create_symlink(outside, directory / "b.txt");  // a link to a directory is a name like any other
    mece::OutputBatch batch{directory};
    batch.stage(directory / "a.txt", text("new a"));
    batch.stage(directory / "b.txt", text("new b"));
    batch.commit();
    CHECK(read_file(outside / "secret") == "keep me");
    CHECK(listing(outside) == std::vector<std::string>{"secret"});
    CHECK(fs::is_regular_file(fs::symlink_status(directory / "a.txt")));
    CHECK(read_file(directory / "a.txt") == "new a");
    CHECK(read_file(directory / "b.txt") == "new b");
    fs::remove_all(directory);
    fs::remove_all(outside);
}

TEST_CASE("a directory at an output name stops the commit before anything moves") {
    const fs::path directory = scratch("directory-target");
    mece::write_file_atomically(directory / "a.txt", text("old a"));
    mece::OutputBatch batch{directory};
    batch.stage(directory / "a.txt", text("new a"));
    batch.stage(directory / "b.txt", text("new b"));
    fs::create_directories(directory / "b.txt" / "inside");  // appears after staging
    CHECK_THROWS_WITH_AS(batch.commit(),
                         ((directory / "b.txt").string() + ": is a directory, where an output file goes; nothing was replaced").c_str(),
                         mece::Error);
    CHECK(read_file(directory / "a.txt") == "old a");
    CHECK_THROWS_WITH_AS(batch.stage(directory / "b.txt", text("b")), doctest::Contains("is a directory"), mece::Error);
    fs::remove_all(directory);
}

TEST_CASE("a move that fails midway puts back the files already moved") {
    const fs::path directory = scratch("rollback");
    mece::write_file_atomically(directory / "a.txt", text("old a"));
    mece::OutputBatch batch{directory};
    batch.stage(directory / "a.txt", text("new a"));
    batch.stage(directory / "new.txt", text("new"));
    batch.stage(directory / "b.txt", text("new b"));
    for (const auto& entry : fs::directory_iterator(directory))  // b's finished file vanishes before the commit
        if (entry.path().filename().string().starts_with("b.txt.")) fs::remove(entry.path());
    CHECK_THROWS_WITH_AS(batch.commit(),
                         ((directory / "b.txt").string() +
                          ": cannot move the finished file into place: No such file or directory; the previous outputs were kept")
                             .c_str(),
                         mece::Error);
    CHECK(read_file(directory / "a.txt") == "old a");
    CHECK_FALSE(fs::exists(directory / "new.txt"));
    fs::remove_all(directory);
}

TEST_CASE("an output that would replace a protected input is refused, by any name") {
    const fs::path directory = scratch("protect");
    std::ofstream(directory / "assignments.csv") << "input";
    fs::create_hard_link(directory / "assignments.csv", directory / "strategy.csv");
    mece::OutputBatch batch{directory};
    batch.protect(directory / "assignments.csv");
    const std::string refused = ": this output would replace the run's input " + (directory / "assignments.csv").string() +
                                "; choose another output directory";
    CHECK_THROWS_WITH_AS(batch.stage(directory / "assignments.csv", text("x")),
                         ((directory / "assignments.csv").string() + refused).c_str(), mece::Error);
    CHECK_THROWS_WITH_AS(batch.stage(directory / "strategy.csv", text("x")),
                         ((directory / "strategy.csv").string() + refused).c_str(), mece::Error);
    batch.stage(directory / "other.csv", text("x"));
    batch.commit();
    CHECK(read_file(directory / "assignments.csv") == "input");
    fs::remove_all(directory);
}

TEST_CASE("a path outside the batch's directory is refused") {
    const fs::path directory = scratch("outside");
    mece::OutputBatch batch{directory};
    CHECK_THROWS_WITH_AS(batch.stage(directory / "sub" / "a.txt", text("x")),
                         doctest::Contains("not a file directly in the output directory"), mece::Error);
    CHECK_THROWS_WITH_AS(batch.stage(directory / ".." / "a.txt", text("x")),
                         doctest::Contains("not a file directly in the output directory"), mece::Error);
    CHECK_THROWS_WITH_AS(mece::OutputBatch{""}, "the output directory name is empty", mece::Error);
    fs::remove_all(directory);
}

TEST_CASE("a write that fails (the file size limit, as a full disk would) says why and replaces nothing") {
    const fs::path directory = scratch("full");
    mece::write_file_atomically(directory / "data.csv", text("old"));
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 4096;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string message;
    try {
        mece::write_file_atomically(directory / "data.csv", text(std::string(1 << 20, 'x')));
    } catch (const mece::Error& e) {
        message = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    CHECK(message == (directory / "data.csv").string() + ": cannot write: File too large; nothing was replaced");
    CHECK(read_file(directory / "data.csv") == "old");
    CHECK(listing(directory) == std::vector<std::string>{"data.csv"});
    fs::remove_all(directory);
}

TEST_CASE("an output directory that cannot be made says why") {
    CHECK_THROWS_WITH_AS(mece::OutputBatch{"/proc/mece-cannot-be-here"},
                         doctest::Contains("/proc/mece-cannot-be-here: cannot create the output directory: "), mece::Error);
}
