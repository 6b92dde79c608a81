#pragma once
/// \file lift_report.hpp
/// `measure_lift`: a run's assignments and a campaign's outcomes in, what each
/// segment's campaign added out (SPEC section 8.2), by assignment (intent to treat): per
/// segment its treatment against its control, `total` over all segments, and with a
/// global control group `global`, every treated user against it. Not part of the
/// umbrella `mece/mece.hpp`.
///
/// \code
/// const auto report = mece::measure_lift(mece::read_assignments("run/assignments.csv"),
///                                        mece::read_outcomes("outcomes.csv"), holdout);
/// for (const auto& s : report.segments) std::printf("%s %+.4f\n", s.name.c_str(), s.lift.lift_abs);
/// \endcode

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/io/campaign.hpp>
#include <mece/lift.hpp>
#include <mece/lift_blend.hpp>

namespace mece {

/// The measured lift of one segment.
struct SegmentLift {
    int id = 0;
    std::string name{};
    LiftFigures lift{};
};

/// What `measure_lift` found.
struct LiftReport {
    HoldoutOptions holdout{};
    /// Whether the outcomes had revenue.
    bool revenue = false;
    /// Users of the assignments, and their outcomes found in the outcomes file.
    std::int64_t users = 0;
    std::int64_t outcomes_matched = 0;
    /// Outcome rows whose user is not in the assignments: counted, not used.
    std::int64_t unmatched_outcomes = 0;
    /// By segment id.
    std::vector<SegmentLift> segments{};
    /// Every segment's treatment against every segment's control.
    LiftFigures total{};
    /// With a global control group: the treated users of every segment against it.
    std::optional<LiftFigures> global{};
};

/// The lift of each segment of `assignments` (which must carry groups) from `outcomes`:
/// a user without an outcome did not convert and spent nothing. q-values are
/// Benjamini-Hochberg over the segments. `holdout` is what the groups were made with;
/// a user whose group differs from what it says is an error naming the user.
inline LiftReport measure_lift(const Assignments& assignments, const Outcomes& outcomes, const HoldoutOptions& holdout) {
    if (!assignments.grouped)
        detail::raise<InputError>("assignments: no group column; the run had no holdout, so there is no control to measure against "
                                  "(segment with --holdout SHARE)");
    const Holdout groups{holdout};
    LiftReport report;
    report.holdout = holdout;
    report.revenue = outcomes.revenue;
    report.users = std::int64_t(assignments.users.size());
    struct Arms {
        Arm treatment, control, global_control;
    };
    std::vector<Arms> arms(assignments.names.size());
    std::vector<bool> matched(outcomes.rows.size(), false);
    for (const AssignedUser& user : assignments.users) {
        if (groups.group(user.user_id) != user.group)
            detail::raise<InputError>("assignments: user " + std::to_string(user.user_id) + " is in group " +
                                      std::string(to_string(user.group)) + ", but the holdout (salt \"" +
                                      detail::shown_text(holdout.salt) + "\", share " + format_number(holdout.share) +
                                      ") puts them in " + std::string(to_string(groups.group(user.user_id))) +
                                      "; the assignments and the strategy are of different runs");
        const Outcome* outcome = outcomes.find(user.user_id);
        if (outcome) {
            matched[std::size_t(outcome - outcomes.rows.data())] = true;
            ++report.outcomes_matched;
        }
        Arms& a = arms.at(std::size_t(user.segment_id - 1));
        Arm& arm = user.group == Group::treatment ? a.treatment : user.group == Group::control ? a.control : a.global_control;
        arm.add(outcome && outcome->converted, outcome ? outcome->revenue : 0.0);
    }
    for (bool m : matched) report.unmatched_outcomes += m ? 0 : 1;

    const CompareOptions segment_options{.control_share = holdout.share, .revenue = outcomes.revenue};
    Arms all;
    for (std::size_t k = 0; k < arms.size(); ++k) {
        report.segments.push_back({int(k) + 1, assignments.names[k], compare(arms[k].treatment, arms[k].control, segment_options)});
        all.treatment += arms[k].treatment;
        all.control += arms[k].control;
        all.global_control += arms[k].global_control;
    }
    std::vector<LiftFigures*> family;
    for (SegmentLift& s : report.segments) family.push_back(&s.lift);
    adjust(family);
    report.total = compare(all.treatment, all.control, segment_options);
    adjust({&report.total});
    if (holdout.global_share > 0) {
        // Of the users outside control, the global control group's expected share.
        const double g = holdout.global_share, outside = g + (1 - g) * (1 - holdout.share);
        report.global = compare(all.treatment, all.global_control, {.control_share = g / outside, .revenue = outcomes.revenue});
        adjust({&*report.global});
    }
    return report;
}

/// Each segment's measurement of `report` by name, for `LiftOptions::measured`: what
/// `read_measured_lift` reads back from the report's `lift.json`.
inline std::map<std::string, MeasuredLift, std::less<>> measured_lift(const LiftReport& report) {
    std::map<std::string, MeasuredLift, std::less<>> out;
    for (const SegmentLift& s : report.segments) {
        const LiftFigures& f = s.lift;
        out[s.name] = {f.n_treatment, f.n_control, f.conversions_treatment, f.conversions_control, f.lift_abs,
                       f.lift_abs_ci.low, f.lift_abs_ci.high, f.q_value, f.srm};
    }
    return out;
}

}  // namespace mece
