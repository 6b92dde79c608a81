// The campaign loop in C++, in memory: segment with a holdout, simulate the campaign's
// outcomes, measure each segment's lift, and rank again with it.

#include <cstdio>
#include <vector>

#include <mece/io/generator.hpp>
#include <mece/lift_report.hpp>
#include <mece/mece.hpp>
#include <mece/simulate.hpp>

int main() {
    std::vector<std::uint8_t> archetype;  // each synthetic user's, for the simulated campaign
    const auto data = mece::generate<double>({.rows = 100'000, .seed = 42}, &archetype);

    // Day 1: 20% of each segment held out of its campaign.
    const auto day1 = mece::run(data, mece::presets::seed004(), {.holdout = {.share = 0.2}});
    const mece::Assignments assignments = mece::assignments_of(day1);  // what assignments.csv holds

    // The campaign ran; its outcomes (here simulated; a shop's export via mece::read_outcomes).
    const mece::Outcomes outcomes = mece::simulate_campaign(data, archetype, assignments);
    const mece::LiftReport lift = mece::measure_lift(assignments, outcomes, day1.strategy.holdout->options);
    for (const mece::SegmentLift& s : lift.segments)
        std::printf("%-52s %+.2f pp [%+.2f, %+.2f], q = %.3f\n", s.name.c_str(), s.lift.lift_abs * 100,
                    s.lift.lift_abs_ci.low * 100, s.lift.lift_abs_ci.high * 100, s.lift.q_value);

    // Day 2: ranked with what the campaigns really added.
    mece::RunOptions options;
    options.holdout = {.share = 0.2};
    options.lift.measured = mece::measured_lift(lift);
    const auto day2 = mece::run(data, mece::presets::seed004(), options);
    for (const mece::RankedSegment& row : mece::RankedSegments(day2.strategy))
        std::printf("%d. %-49s lift used %+.2f pp (%s)\n", row.rank, row.name().c_str(), row.lift->lift_used * 100,
                    std::string(mece::to_string(row.lift->source)).c_str());
    return day2.ok() ? 0 : 1;
}
