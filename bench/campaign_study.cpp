// The campaign loop over many simulated campaigns (issue 15's study): each campaign
// segments the synthetic dataset with a holdout, simulates its outcomes from the planted
// lifts of mece/simulate.hpp, measures the lift and re-ranks with it. Reports
//  - how often the 95% intervals of lift_abs cover the segment's true lift (the mean
//    planted lift of its treated users, minus nothing: control gets no campaign),
//  - with every planted lift zero, the share of campaigns with a q-value below 0.05,
//  - the control share's distance from the configured share, in standard deviations,
//  - the Qini coefficient (normalised: 0 random, 1 the oracle order by planted lift) of
//    ordering the segments by lift_used against ordering them by the estimate alone.
// With --check-intervals (coverage 0.93 to 0.97, at most 9% of null campaigns with a
// q-value below 0.05, the control share within 4 standard deviations) or --check-ranking
// (the Qini of lift_used at least 0.15 above the estimate's) it fails (exit 1) outside
// those bounds.
//
// usage: mece-campaign-study [--campaigns N] [--rows N] [--check-intervals] [--check-ranking]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <mece/io/generator.hpp>
#include <mece/lift_report.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/run.hpp>
#include <mece/simulate.hpp>

namespace {

/// The area between an ordering's cumulative-gain curve and the random line, over the
/// same for the oracle ordering: 1 for the oracle, 0 for random.
double qini(const std::vector<double>& order_by, const std::vector<double>& planted, const std::vector<double>& users) {
    const auto area = [&](const std::vector<double>& key) {
        std::vector<std::size_t> order(key.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key[a] > key[b]; });
        const double total_users = std::accumulate(users.begin(), users.end(), 0.0);
        double total_gain = 0;
        for (std::size_t k = 0; k < planted.size(); ++k) total_gain += planted[k] * users[k];
        double x = 0, y = 0, a = 0;
        for (std::size_t k : order) {
            const double dx = users[k] / total_users, dy = planted[k] * users[k];
            a += dx * (y + dy / 2);
            x += dx, y += dy;
        }
        return a - total_gain / 2;  // minus the random line's area
    };
    const double oracle = area(planted);
    return oracle > 0 ? area(order_by) / oracle : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
    int campaigns = 200;
    Eigen::Index rows = 100'000;
    bool check_intervals = false, check_ranking = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--campaigns") && i + 1 < argc) campaigns = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--rows") && i + 1 < argc) rows = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--check-intervals")) check_intervals = true;
        else if (!std::strcmp(argv[i], "--check-ranking")) check_ranking = true;
        else
            return std::fprintf(stderr, "usage: mece-campaign-study [--campaigns N] [--rows N] [--check-intervals] [--check-ranking]\n"), 2;
    }
    const double share = 0.2;
    std::vector<std::uint8_t> archetype;
    const auto data = mece::generate<double>({.rows = rows, .seed = 42}, &archetype);
    mece::RunOptions day1;
    day1.holdout = {.share = share};
    day1.threads = 1;
    long intervals = 0, covered = 0, null_alarms = 0, controls = 0, grouped = 0;
    double qini_used = 0, qini_estimate = 0;
    std::size_t segments = 0;
    for (int c = 0; c < campaigns; ++c) {
        day1.holdout.salt = "campaign-" + std::to_string(c);  // each campaign its own split
        const auto run = mece::run(data, mece::presets::seed004(), day1);
        const mece::Assignments assignments = mece::assignments_of(run);
        segments = assignments.names.size();
        const mece::CampaignOptions campaign{.seed = std::uint64_t(c) + 1};
        const mece::LiftReport report = mece::measure_lift(assignments, mece::simulate_campaign(data, archetype, assignments, campaign),
                                                           day1.holdout);
        // The truth of each segment's comparison: the mean planted lift of its treated users.
        std::vector<double> truth(segments, 0.0), planted = mece::planted_lift(data, archetype, assignments, campaign);
        std::vector<double> treated(segments, 0.0), users(segments, 0.0);
        {
            const auto rows_of = mece::detail::rows_of_users(data, assignments);
            for (std::size_t i = 0; i < rows_of.size(); ++i) {
                const auto& u = assignments.users[i];
                users[std::size_t(u.segment_id - 1)] += 1;
                if (u.group != mece::Group::treatment) continue;
                truth[std::size_t(u.segment_id - 1)] += campaign.effects[archetype[std::size_t(rows_of[i])]].lift;
                treated[std::size_t(u.segment_id - 1)] += 1;
            }
        }
        for (std::size_t k = 0; k < segments; ++k) {
            const mece::LiftFigures& f = report.segments[k].lift;
            ++intervals;
            const double t = truth[k] / treated[k];
            covered += f.lift_abs_ci.low <= t && t <= f.lift_abs_ci.high;
            controls += f.n_control;
            grouped += f.n_control + f.n_treatment;
        }
        // Every lift zero: does any segment look significant?
        mece::CampaignOptions null_campaign = campaign;
        for (auto& e : null_campaign.effects) e.lift = 0;
        const mece::LiftReport null_report =
            mece::measure_lift(assignments, mece::simulate_campaign(data, archetype, assignments, null_campaign), day1.holdout);
        bool alarm = false;
        for (const auto& s : null_report.segments) alarm = alarm || s.lift.q_value < 0.05;
        null_alarms += alarm;
        // Re-rank with the measurement; compare the orders by lift_used and by the estimate.
        mece::RunOptions day2;
        day2.threads = 1;
        day2.lift.measured = mece::measured_lift(report);
        const auto ranked = mece::run(data, mece::presets::seed004(), day2);
        std::vector<double> used(segments), estimate(segments);
        for (std::size_t k = 0; k < segments; ++k) {
            used[k] = ranked.strategy.lift->segments[k].lift_used;
            estimate[k] = ranked.strategy.lift->segments[k].estimate;
        }
        qini_used += qini(used, planted, users);
        qini_estimate += qini(estimate, planted, users);
    }
    const double coverage = double(covered) / double(intervals), alarms = double(null_alarms) / campaigns;
    const double control_share = double(controls) / double(grouped);
    const double sd = std::sqrt(share * (1 - share) / double(grouped)), z = (control_share - share) / sd;
    qini_used /= campaigns, qini_estimate /= campaigns;
    std::printf("campaigns %d, %lld users, %zu segments each\n", campaigns, static_cast<long long>(rows), segments);
    std::printf("coverage of the 95%% intervals: %.4f (%ld of %ld)\n", coverage, covered, intervals);
    std::printf("campaigns with every lift zero and a q-value below 0.05: %.4f (%ld of %d)\n", alarms, null_alarms, campaigns);
    std::printf("control share %.5f against %.2f: %+.2f standard deviations\n", control_share, share, z);
    std::printf("Qini (0 random, 1 oracle): by lift_used %.3f, by the estimate %.3f, difference %+.3f\n", qini_used,
                qini_estimate, qini_used - qini_estimate);
    bool ok = true;
    if (check_intervals && !(coverage >= 0.93 && coverage <= 0.97 && alarms <= 0.09 && std::abs(z) <= 4)) {
        std::printf("FAIL: outside the bounds (coverage 0.93-0.97, null campaigns with q < 0.05 at most 0.09, |z| <= 4)\n");
        ok = false;
    }
    if (check_ranking && !(qini_used - qini_estimate >= 0.15)) {
        std::printf("FAIL: the Qini of lift_used is not 0.15 above the estimate's\n");
        ok = false;
    }
    return ok ? 0 : 1;
}
