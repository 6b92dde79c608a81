// The campaign files on any bytes: an outcomes file or a run's assignments.csv (the
// first byte chooses), read with mece::CsvRecords; a value or mece::InputError, never a
// crash or a hang. Outcomes that load are sorted with unique ids; assignments that load
// are measured against outcomes of their own users, every user counted once.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <mece/io/campaign.hpp>
#include <mece/lift_report.hpp>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size == 0) return 0;
    std::istringstream in(std::string(reinterpret_cast<const char*>(bytes) + 1, size - 1));
    try {
        mece::CsvRecords records{in, "fuzz.csv"};
        if (bytes[0] & 1) {
            const mece::Outcomes outcomes = mece::read_outcomes(records);
            for (std::size_t i = 1; i < outcomes.rows.size(); ++i)
                if (!(outcomes.rows[i - 1].user_id < outcomes.rows[i].user_id)) fail("outcomes not sorted by unique id");
            for (const auto& o : outcomes.rows)
                if (!(o.revenue >= 0) || outcomes.find(o.user_id) != &o) fail("an outcome not found or negative");
            return 0;
        }
        mece::Assignments assignments = mece::read_assignments(records);
        // Groups as a holdout of 30% gives them, so that the measurement runs.
        const mece::HoldoutOptions holdout{.share = 0.3};
        const mece::Holdout groups{holdout};
        mece::Outcomes outcomes;
        for (auto& user : assignments.users) {
            user.group = groups.group(user.user_id);
            if (user.user_id % 3 == 0) outcomes.rows.push_back({user.user_id, true, double(user.user_id % 100)});
        }
        assignments.grouped = true;
        outcomes.revenue = true;
        std::sort(outcomes.rows.begin(), outcomes.rows.end(),
                  [](const mece::Outcome& a, const mece::Outcome& b) { return a.user_id < b.user_id; });
        const mece::LiftReport report = mece::measure_lift(assignments, outcomes, holdout);
        if (report.users != std::int64_t(assignments.users.size()) || report.unmatched_outcomes != 0 ||
            report.total.n_treatment + report.total.n_control != report.users)
            fail("a user lost or counted twice");
    } catch (const mece::InputError&) {
    }
    return 0;
}
