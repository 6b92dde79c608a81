// The migration between two runs: the matrix, each segment's flows and the delta, on
// runs small enough to count by hand.

#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include <mece/io/campaign.hpp>
#include <mece/migration.hpp>

namespace {

mece::Assignments assignments(const std::string& text) {
    std::istringstream in(text);
    mece::CsvRecords records(in, "assignments.csv");
    return mece::read_assignments(records);
}

}  // namespace

TEST_CASE("a migration counts who stayed, moved, entered and left, by segment name") {
    // Old: A = {1, 2, 3}, B = {4, 5}. New: B = {1, 4}, A = {2}, C = {6, 7}; 3 and 5 left.
    const auto before = assignments("user_id,segment_id,segment_name\n1,1,A\n2,1,A\n3,1,A\n4,2,B\n5,2,B\n");
    const auto after = assignments("user_id,segment_id,segment_name\n7,3,C\n4,1,B\n2,2,A\n1,1,B\n6,3,C\n");
    const mece::Migration m = mece::migrate(before, after);
    CHECK(m.names == std::vector<std::string>{"A", "B", "C"});
    CHECK(m.old_rows == std::vector<int>{0, 1});
    CHECK(m.new_columns == std::vector<int>{1, 0, 2});  // the new run's ids: B, A, C
    // Rows A, B, out; columns B, A, C, out.
    CHECK(m.matrix == std::vector<std::int64_t>{1, 1, 0, 1,  //
                                                1, 0, 0, 1,  //
                                                0, 0, 2, 0});
    CHECK(m.old_users == 5);
    CHECK(m.new_users == 5);
    CHECK(m.shared_users == 3);
    CHECK(m.stayed() == 2);  // 2 in A, 4 in B
    CHECK(m.moved == 1);     // 1 from A to B
    CHECK(m.left == 2);      // 3 and 5
    CHECK(m.entered == 2);   // 6 and 7
    const auto flows = [&](const char* name) {
        for (const auto& s : m.segments)
            if (s.name == name) return std::vector<std::int64_t>{s.old_size, s.new_size, s.stayed, s.entered, s.left};
        return std::vector<std::int64_t>{};
    };
    CHECK(flows("A") == std::vector<std::int64_t>{3, 1, 1, 0, 2});
    CHECK(flows("B") == std::vector<std::int64_t>{2, 2, 1, 1, 1});
    CHECK(flows("C") == std::vector<std::int64_t>{0, 2, 0, 2, 0});
    // The delta by user id: 1 moved A -> B, 3 left A, 5 left B, 6 and 7 entered C.
    REQUIRE(m.delta.size() == 5);
    const std::vector<std::int64_t> users{1, 3, 5, 6, 7};
    const std::vector<mece::DeltaRow::Change> changes{mece::DeltaRow::Change::moved, mece::DeltaRow::Change::left,
                                                      mece::DeltaRow::Change::left, mece::DeltaRow::Change::entered,
                                                      mece::DeltaRow::Change::entered};
    for (std::size_t k = 0; k < users.size(); ++k) {
        CHECK(m.delta[k].user_id == users[k]);
        CHECK(m.delta[k].change == changes[k]);
    }
    CHECK(m.delta[0].old_segment == 0);
    CHECK(m.delta[0].new_segment == 1);
    CHECK(m.delta[1].new_segment == -1);
    CHECK(m.delta[3].old_segment == -1);
}

TEST_CASE("negative and extreme user ids are joined in order") {
    const auto before = assignments("user_id,segment_id,segment_name\n-9223372036854775808,1,A\n9223372036854775807,1,A\n-1,1,A\n");
    const auto after = assignments("user_id,segment_id,segment_name\n-1,1,B\n9223372036854775807,1,B\n0,1,B\n");
    const mece::Migration m = mece::migrate(before, after);
    REQUIRE(m.delta.size() == 4);
    CHECK(m.delta[0].user_id == std::numeric_limits<std::int64_t>::min());
    CHECK(m.delta[0].change == mece::DeltaRow::Change::left);
    CHECK(m.delta[1].user_id == -1);
    CHECK(m.delta[2].user_id == 0);
    CHECK(m.delta[2].change == mece::DeltaRow::Change::entered);
    CHECK(m.delta[3].user_id == std::numeric_limits<std::int64_t>::max());
    CHECK(m.shared_users == 2);
}
